/**
 * Pyth prices from a Hermes host: one `GET /v2/updates/price/latest?ids[]=…&ids[]=…` per read, `parsed[]`
 * converted with BigInt (price and conf are integer strings sharing `expo`; value = price × 10^expo). Ids are
 * compared lowercase without `0x`, since Hermes answers without it.
 *
 * One unknown id makes Hermes answer 404 for the whole request; rather than let a delisted feed blind every
 * asset, the read is repeated once with `ignore_invalid_price_ids=true` and only the missing ids fail.
 */
import type { PriceFeedConfig } from '../../domain/prices/config';
import { normalisePythId } from '../../domain/prices/config';
import { parseIntegerString, scaledToNumber } from '../../domain/prices/decimal';
import type { HistoricalPythPrice } from '../../domain/prices/history-close';
import type { PriceSource } from '../../ports/price-source';
import { HistoryReadError, type PythPriceHistory } from '../../ports/price-history';
import { failAll, sourceFailure, type FailureKind, type SourceResult } from '../../domain/prices/types';
import type { SecretStore } from '../../ports/secret-store';

export const PYTH_API_KEY_SECRET = 'PYTH_HERMES_API_KEY';

export interface PythHermesPriceSourceOptions {
  /** e.g. https://hermes.pyth.network (public: 30 requests / 10 s per IP) or a provider's endpoint. */
  baseUrl: string;
  /** Pyth price id per asset. */
  feeds: Record<string, string>;
  secrets?: SecretStore;
  /** Secret with a Hermes API key, sent as `Authorization: Bearer …`; omit for keyless hosts. */
  apiKeySecret?: string;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
}

interface HttpOutcome {
  status: number;
  body: string;
}

class ReadFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export class PythHermesPriceSource implements PriceSource, PythPriceHistory {
  readonly name = 'pyth' as const;

  constructor(private readonly options: PythHermesPriceSourceOptions) {}

  static fromConfig(
    config: PriceFeedConfig,
    options: Omit<PythHermesPriceSourceOptions, 'feeds'>,
  ): PythHermesPriceSource {
    const feeds: Record<string, string> = {};
    for (const a of config.assets) if (a.pyth) feeds[a.asset] = a.pyth.id;
    return new PythHermesPriceSource({ ...options, feeds });
  }

  async read(assets: string[], _now: Date): Promise<Map<string, SourceResult>> {
    const out = new Map<string, SourceResult>();
    const idOf = new Map<string, string>();
    for (const a of assets) {
      const id = this.options.feeds[a];
      if (id) idOf.set(a, normalisePythId(id));
      else out.set(a, sourceFailure('pyth', a, 'not-configured', 'NO_PRICE_ID', `no Pyth price id for ${a}`));
    }
    const wanted = [...idOf.keys()];
    if (wanted.length === 0) return out;
    const ids = [...new Set(idOf.values())];

    let parsed: Map<string, unknown>;
    try {
      parsed = this.parseBody(await this.fetchUpdates('latest', ids));
    } catch (err) {
      const f =
        err instanceof ReadFailure
          ? err
          : new ReadFailure('unavailable', 'UNKNOWN_ERROR', (err as Error)?.name ?? 'unknown error');
      for (const [a, failure] of failAll('pyth', wanted, f.kind, f.reason, f.message)) out.set(a, failure);
      return out;
    }

    for (const asset of wanted) {
      const id = idOf.get(asset) as string;
      const entry = parsed.get(id);
      out.set(
        asset,
        entry === undefined
          ? sourceFailure(
              'pyth',
              asset,
              'bad-response',
              'PRICE_ID_NOT_FOUND',
              `Hermes has no price for id ${id}`,
            )
          : toResult(asset, entry),
      );
    }
    return out;
  }

  has(asset: string): boolean {
    return this.options.feeds[asset] !== undefined;
  }

  /**
   * History: `GET /v2/updates/price/{publish_time}` answers, per id, the first update published at or after that
   * time. How far back it goes is Hermes' own retention (UNCONFIRMED; the backfill treats "none" as the end of
   * Pyth's history for that day). A 404 after the retry with ignore_invalid_price_ids means nothing there.
   */
  async pricesAt(assets: readonly string[], publishTime: number): Promise<Map<string, HistoricalPythPrice>> {
    const out = new Map<string, HistoricalPythPrice>();
    const idOf = new Map<string, string>();
    for (const a of assets) {
      const id = this.options.feeds[a];
      if (id) idOf.set(a, normalisePythId(id));
    }
    if (idOf.size === 0) return out;
    if (!Number.isInteger(publishTime) || publishTime <= 0)
      throw new RangeError(`publish time ${publishTime} is not a positive whole number of seconds`);
    const ids = [...new Set(idOf.values())];
    let parsed: Map<string, unknown>;
    try {
      const res = await this.fetchUpdates(String(publishTime), ids);
      if (res.status === 404) return out;
      parsed = this.parseBody(res);
    } catch (err) {
      if (err instanceof ReadFailure) throw new HistoryReadError('pyth', err.reason, err.message);
      throw new HistoryReadError('pyth', 'UNKNOWN_ERROR', (err as Error)?.name ?? 'unknown error');
    }
    for (const [asset, id] of idOf) {
      const entry = parsed.get(id);
      if (entry === undefined) continue;
      const r = toResult(asset, entry);
      if (r.ok)
        out.set(asset, {
          price: r.price,
          confidence: r.confidence ?? 0,
          publishTime: Math.round(r.publishTime.getTime() / 1000),
        });
    }
    return out;
  }

  private async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (!this.options.apiKeySecret) return headers;
    if (!this.options.secrets) throw new ReadFailure('unavailable', 'API_KEY_UNAVAILABLE', 'no secret store');
    try {
      headers.authorization = `Bearer ${await this.options.secrets.get(this.options.apiKeySecret)}`;
    } catch {
      throw new ReadFailure('unavailable', 'API_KEY_UNAVAILABLE', 'Hermes API key secret unavailable');
    }
    return headers;
  }

  /** One request, repeated once with `ignore_invalid_price_ids` when an unknown id made Hermes answer 404. */
  private async fetchUpdates(at: string, ids: string[]): Promise<HttpOutcome> {
    const headers = await this.headers();
    const res = await this.get(at, ids, false, headers);
    return res.status === 404 ? this.get(at, ids, true, headers) : res;
  }

  /** `at`: `latest` or a publish time in unix seconds. */
  private async get(
    at: string,
    ids: string[],
    ignoreInvalid: boolean,
    headers: Record<string, string>,
  ): Promise<HttpOutcome> {
    const query = ids.map((id) => `ids[]=${id}`);
    if (ignoreInvalid) query.push('ignore_invalid_price_ids=true');
    const url = `${this.options.baseUrl.replace(/\/+$/, '')}/v2/updates/price/${at}?${query.join('&')}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) });
      return { status: response.status, body: await response.text() };
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError')
        throw new ReadFailure('unavailable', 'TIMEOUT', 'Hermes request timed out');
      throw new ReadFailure('unavailable', 'NETWORK_ERROR', 'Hermes unreachable');
    }
  }

  /** The `parsed[]` entries keyed by normalised id. */
  private parseBody(res: HttpOutcome): Map<string, unknown> {
    if (res.status === 429)
      throw new ReadFailure(
        'unavailable',
        'HTTP_429',
        'Hermes rate limit (public host: 30 requests per 10 s)',
      );
    if (res.status === 404)
      throw new ReadFailure('bad-response', 'PRICE_ID_NOT_FOUND', `Hermes: ${res.body.slice(0, 100)}`);
    if (res.status < 200 || res.status >= 300)
      throw new ReadFailure('unavailable', `HTTP_${res.status}`, `Hermes answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new ReadFailure(
        'bad-response',
        'MALFORMED_RESPONSE',
        'Hermes answered something that is not JSON',
      );
    }
    const parsed = (body as { parsed?: unknown })?.parsed;
    if (!Array.isArray(parsed))
      throw new ReadFailure('bad-response', 'MALFORMED_RESPONSE', 'Hermes answer has no parsed[] array');
    const byId = new Map<string, unknown>();
    for (const entry of parsed) {
      const id = (entry as { id?: unknown })?.id;
      if (typeof id === 'string') byId.set(normalisePythId(id), entry);
    }
    return byId;
  }
}

function toResult(asset: string, entry: unknown): SourceResult {
  const p = (entry as { price?: Record<string, unknown> }).price;
  const price = parseIntegerString(p?.price);
  const conf = parseIntegerString(p?.conf);
  const expo = p?.expo;
  const publishTime = p?.publish_time;
  if (
    price === undefined ||
    conf === undefined ||
    typeof expo !== 'number' ||
    !Number.isInteger(expo) ||
    typeof publishTime !== 'number' ||
    !Number.isInteger(publishTime)
  )
    return sourceFailure(
      'pyth',
      asset,
      'bad-response',
      'MALFORMED_ENTRY',
      `Hermes entry for ${asset} is malformed`,
    );
  return {
    ok: true,
    source: 'pyth',
    asset,
    price: scaledToNumber(price, expo),
    confidence: scaledToNumber(conf, expo),
    publishTime: new Date(publishTime * 1000),
    raw: { value: price.toString(), expo },
  };
}
