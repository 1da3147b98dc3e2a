/**
 * Loads a price-feed configuration document: schema validation (schemas/inputs/price-feeds.json), then the
 * checks a schema cannot express (each asset, Chainlink proxy and Pyth id listed once; a circuit breaker whose
 * cool-down cap is not below its first cool-down), then normalisation (Pyth ids as `0x` + lowercase hex, the
 * form Hermes ids are compared in). Pure: the caller reads the document (bundled, file or inline).
 */
import { SchemaViolation, validate } from '../../contracts/validation';
import type { SchemaTypes } from '../../contracts/schema-types';
import {
  configProblems,
  normalisePythId,
  PriceFeedConfigError,
  type AssetFeedConfig,
  type PriceFeedConfig,
} from './config';

export type PriceFeedConfigDocument = SchemaTypes['inputs/price-feeds'];

function duplicates(items: { value: string; where: string }[]): Map<string, string[]> {
  const byValue = new Map<string, string[]>();
  for (const { value, where } of items) byValue.set(value, [...(byValue.get(value) ?? []), where]);
  return new Map([...byValue].filter(([, at]) => at.length > 1));
}

/** Every problem of the document at once; throws PriceFeedConfigError, else the typed, normalised config. */
export function parsePriceFeedConfig(document: unknown): PriceFeedConfig {
  let doc: PriceFeedConfigDocument;
  try {
    doc = validate('inputs/price-feeds', document);
  } catch (err) {
    if (err instanceof SchemaViolation) throw new PriceFeedConfigError(err.problems);
    throw err;
  }
  const problems: string[] = [];
  for (const [asset, at] of duplicates(doc.assets.map((a, i) => ({ value: a.asset, where: `/assets/${i}` }))))
    problems.push(`asset ${asset} is listed more than once (${at.join(', ')})`);
  const proxies = doc.assets.flatMap((a, i) =>
    a.chainlink ? [{ value: a.chainlink.proxy.toLowerCase(), where: `${a.asset} (/assets/${i})` }] : [],
  );
  for (const [proxy, at] of duplicates(proxies))
    problems.push(`Chainlink proxy ${proxy} is configured for several assets: ${at.join(', ')}`);
  const pythIds = doc.assets.flatMap((a, i) =>
    a.pyth ? [{ value: normalisePythId(a.pyth.id), where: `${a.asset} (/assets/${i})` }] : [],
  );
  for (const [id, at] of duplicates(pythIds))
    problems.push(`Pyth id 0x${id} is configured for several assets: ${at.join(', ')}`);
  const cb = doc.circuitBreaker;
  if (cb.maxCoolDownMs < cb.coolDownMs)
    problems.push(
      `/circuitBreaker/maxCoolDownMs (${cb.maxCoolDownMs}) must be at least coolDownMs (${cb.coolDownMs})`,
    );
  if (problems.length) throw new PriceFeedConfigError(problems);

  const config: PriceFeedConfig = {
    ...doc,
    assets: doc.assets.map(({ chainlink, pyth, ...rest }): AssetFeedConfig => ({
      ...rest,
      ...(chainlink ? { chainlink: { ...chainlink, proxy: chainlink.proxy as `0x${string}` } } : {}),
      ...(pyth ? { pyth: { ...pyth, id: `0x${normalisePythId(pyth.id)}` } } : {}),
    })),
    circuitBreaker: { ...doc.circuitBreaker },
  };
  // The use case's own guard (assertPriceFeedConfig) must accept whatever the schema let through.
  const residual = configProblems(config);
  if (residual.length) throw new PriceFeedConfigError(residual);
  return config;
}
