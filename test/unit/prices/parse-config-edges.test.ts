/**
 * parsePriceFeedConfig at the edges an SRE meets when editing the feed document: an asset listed three times
 * is named once with every place, an equal cool-down cap is fine, and the parsed result is independent of the
 * document it came from.
 */
import bundledDocument from '../../../shared/domain/prices/data/price-feeds.json';
import { PriceFeedConfigError } from '../../../shared/domain/prices/config';
import {
  parsePriceFeedConfig,
  type PriceFeedConfigDocument,
} from '../../../shared/domain/prices/parse-config';

const clone = (): PriceFeedConfigDocument => JSON.parse(JSON.stringify(bundledDocument));

function problemsOf(doc: unknown): string[] {
  try {
    parsePriceFeedConfig(doc);
  } catch (err) {
    if (err instanceof PriceFeedConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parsePriceFeedConfig edges', () => {
  it('names an asset listed three times once, with all three places', () => {
    const doc = clone();
    const sol = doc.assets.findIndex((a) => a.asset === 'SOL');
    doc.assets.push({
      ...doc.assets[sol],
      chainlink: undefined,
      pyth: { ...doc.assets[sol].pyth!, id: '0x' + '1'.repeat(64) },
    });
    doc.assets.push({
      ...doc.assets[sol],
      chainlink: undefined,
      pyth: { ...doc.assets[sol].pyth!, id: '0x' + '2'.repeat(64) },
    });
    expect(problemsOf(doc)).toEqual([
      `asset SOL is listed more than once (/assets/${sol}, /assets/7, /assets/8)`,
    ]);
  });

  it('accepts a cool-down cap equal to the first cool-down, refuses one a millisecond below', () => {
    const doc = clone();
    doc.circuitBreaker = { failureThreshold: 3, coolDownMs: 60_000, maxCoolDownMs: 60_000 };
    expect(parsePriceFeedConfig(doc).circuitBreaker).toEqual(doc.circuitBreaker);
    doc.circuitBreaker.maxCoolDownMs = 59_999;
    expect(problemsOf(doc)).toEqual([
      '/circuitBreaker/maxCoolDownMs (59999) must be at least coolDownMs (60000)',
    ]);
  });

  it('leaves out the source an asset does not have, and keeps proxies as written', () => {
    const parsed = parsePriceFeedConfig(clone());
    const wbtc = parsed.assets.find((a) => a.asset === 'WBTC')!;
    expect(Object.keys(wbtc)).not.toContain('chainlink');
    expect(parsed.assets[0].chainlink?.proxy).toBe('0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c');
  });

  it('returns a configuration that later edits of the document do not change', () => {
    const doc = clone();
    const parsed = parsePriceFeedConfig(doc);
    doc.circuitBreaker.coolDownMs = 1;
    doc.assets[0].chainlink!.heartbeatSeconds = 1;
    expect(parsed.circuitBreaker.coolDownMs).toBe(60_000);
    expect(parsed.assets[0].chainlink?.heartbeatSeconds).toBe(3600);
  });
});
