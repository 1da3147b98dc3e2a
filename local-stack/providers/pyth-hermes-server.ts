/**
 * A local Pyth Hermes serving `GET /v2/updates/price/latest` and, for history, `GET /v2/updates/price/{publish_time}`
 * (the first update at or after that time: Pyth publishes several times a second, so the update of that very
 * second; 404 before `historyFrom` or in the future) in the v2 wire format: `binary` (hex or base64)
 * plus `parsed[]` with `price`/`conf` as integer strings, `expo` (default −8), `publish_time` in seconds and
 * `id` without `0x`. Unknown ids answer 404 with the plain-text body "Price ids not found" unless
 * `ignore_invalid_price_ids=true`. Optionally demands `Authorization: Bearer <apiKey>`.
 * The `binary.data` payload is not a signed Wormhole VAA: it only carries the PNAU magic and the values.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PriceFeedConfig } from '../../shared/domain/prices/config';
import type { Clock } from '../../shared/ports/clock';
import { Chaos, type AnswerFault, type ChaosOptions } from './chaos';
import type { PriceFunction } from './chainlink-rpc-server';
import { hang, listen, send, sendJson, toScaledInteger, type RunningServer } from './http-server';

export interface PythFeedSpec {
  asset: string;
  /** 32-byte hex, `0x` optional. */
  id: string;
  /** Default −8; must be ≤ 0, as for every Pyth price feed. */
  expo?: number;
  /** Confidence as a fraction of the price (default 0.0005, about BTC's usual ±$50). */
  confidenceRatio?: number;
}

export interface PythHermesServerOptions {
  feeds: PythFeedSpec[];
  price: PriceFunction;
  clock: Clock;
  chaos?: ChaosOptions;
  port?: number;
  host?: string;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** The oldest publish time history serves (default: any time the price function can price). */
  historyFrom?: Date;
}

export interface PythServerStats {
  httpRequests: number;
  /** How often each asset was asked for. */
  idRequests: Record<string, number>;
  notFound: number;
  unauthorized: number;
  /** Requests for a past publish time. */
  historyRequests: number;
}

/** The answer faults a Hermes feed can show (chaos tests draw from the same list). */
export const PYTH_FAULTS: readonly AnswerFault[] = [
  'stale',
  'zero-answer',
  'negative-answer',
  'wild-price',
  'wide-confidence',
  'future-timestamp',
  'zero-timestamp',
  'missing',
];

interface PriceWire {
  price: string;
  conf: string;
  expo: number;
  publish_time: number;
}

const normalise = (id: string) => id.toLowerCase().replace(/^0x/, '');

export class PythHermesServer {
  private chaos: Chaos;
  private readonly byId = new Map<string, PythFeedSpec>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private slot = 85_480_000;
  readonly stats: PythServerStats = {
    httpRequests: 0,
    idRequests: {},
    notFound: 0,
    unauthorized: 0,
    historyRequests: 0,
  };

  constructor(private readonly options: PythHermesServerOptions) {
    for (const f of options.feeds) this.byId.set(normalise(f.id), f);
    this.chaos = new Chaos(options.chaos);
  }

  setChaos(chaos: ChaosOptions | undefined): void {
    this.chaos = new Chaos(chaos);
  }

  get injected(): ReadonlyMap<string, number> {
    return this.chaos.injected;
  }

  start(): Promise<RunningServer> {
    return listen((req, res) => this.handle(req, res), {
      port: this.options.port,
      host: this.options.host,
      timers: this.timers,
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.stats.httpRequests++;
    const url = new URL(req.url ?? '/', 'http://hermes.local');
    const route = /^\/v2\/updates\/price\/(latest|\d+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !route) return send(res, 404, 'text/plain', 'Not Found');
    if (this.options.apiKey && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      this.stats.unauthorized++;
      return send(res, 401, 'text/plain', 'Unauthorized');
    }
    const fault = this.chaos.requestFault();
    if (fault === 'http-500') return send(res, 500, 'text/plain', 'Internal Server Error');
    if (fault === 'http-429') return send(res, 429, 'text/plain', 'Too Many Requests');
    if (fault === 'hang') return hang(res, this.chaos.hangMs, this.timers);

    const ids = [...url.searchParams.getAll('ids[]'), ...url.searchParams.getAll('ids')].map(normalise);
    if (ids.length === 0) return send(res, 400, 'text/plain', 'Missing query parameter: ids[]');
    if (ids.some((id) => !/^[0-9a-f]{64}$/.test(id)))
      return send(res, 400, 'text/plain', 'Invalid price id: expected 32 bytes of hex');
    const ignoreInvalid = url.searchParams.get('ignore_invalid_price_ids') === 'true';
    const known = ids.filter((id) => this.byId.has(id));
    if (known.length < ids.length && !ignoreInvalid) {
      this.stats.notFound++;
      return send(res, 404, 'text/plain', 'Price ids not found');
    }
    const encoding = url.searchParams.get('encoding') === 'base64' ? 'base64' : 'hex';
    let now = this.options.clock.now();
    if (route[1] !== 'latest') {
      this.stats.historyRequests++;
      const at = new Date(Number(route[1]) * 1000);
      const from = this.options.historyFrom?.getTime() ?? 0;
      if (at.getTime() < from || at.getTime() > now.getTime())
        return send(res, 404, 'text/plain', 'Price update not found');
      now = at;
    }
    this.slot += 3;
    const parsed: Record<string, unknown>[] = [];
    const history = route[1] !== 'latest';
    for (const id of known) {
      const feed = this.byId.get(id) as PythFeedSpec;
      this.stats.idRequests[feed.asset] = (this.stats.idRequests[feed.asset] ?? 0) + 1;
      const answerFault = history ? undefined : this.chaos.answerFault(feed.asset, PYTH_FAULTS);
      if (answerFault === 'missing') continue;
      let price: PriceWire;
      try {
        price = this.wirePrice(feed, now, answerFault);
      } catch (err) {
        if (history) continue; // no quote at that time: Hermes has no update for that id
        throw err;
      }
      parsed.push({
        id,
        price,
        ema_price: { ...price },
        metadata: {
          slot: this.slot,
          proof_available_time: price.publish_time + 1,
          prev_publish_time: price.publish_time - 1,
        },
      });
    }
    const payload = Buffer.concat([Buffer.from('504e4155', 'hex'), Buffer.from(JSON.stringify(parsed))]);
    const body: Record<string, unknown> = {
      binary: { encoding, data: [payload.toString(encoding)] },
    };
    if (url.searchParams.get('parsed') !== 'false') body.parsed = parsed;
    return sendJson(res, 200, body);
  }

  private wirePrice(feed: PythFeedSpec, now: Date, fault: AnswerFault | undefined): PriceWire {
    const expo = feed.expo ?? -8;
    const nowSec = Math.floor(now.getTime() / 1000);
    let at = nowSec;
    let value = this.options.price(feed.asset, now);
    let confRatio = feed.confidenceRatio ?? 0.0005;
    switch (fault) {
      case 'stale':
        at = nowSec - Math.round(300 + this.chaos.next() * 3300);
        value = this.options.price(feed.asset, new Date(at * 1000));
        break;
      case 'zero-answer':
        value = 0;
        break;
      case 'negative-answer':
        value = -value;
        break;
      case 'wild-price':
        value *= this.chaos.wildFactor();
        break;
      case 'wide-confidence':
        confRatio = 0.05 + this.chaos.next() * 0.2;
        break;
      case 'future-timestamp':
        at = nowSec + 3600 + Math.round(this.chaos.next() * 3600);
        break;
      case 'zero-timestamp':
        at = 0;
        break;
      default:
        break;
    }
    return {
      price: toScaledInteger(value, -expo).toString(),
      conf: toScaledInteger(Math.abs(value) * confRatio, -expo).toString(),
      expo,
      publish_time: at,
    };
  }
}

/** The Pyth ids of a PriceFeedConfig. */
export function pythFeedSpecs(config: PriceFeedConfig): PythFeedSpec[] {
  return config.assets.flatMap((a) => (a.pyth ? [{ asset: a.asset, id: a.pyth.id }] : []));
}

export async function startPythHermesServer(
  options: PythHermesServerOptions,
): Promise<RunningServer & { server: PythHermesServer }> {
  const server = new PythHermesServer(options);
  const running = await server.start();
  return { ...running, server };
}
