/**
 * The notifications use cases with real adapters: Firestore on the emulator (a project of its own), DuckDB
 * as the warehouse, the real @sendgrid/mail and twilio clients against the local SendGrid and Twilio
 * servers, and the local Standard Webhooks receiver. Recipients are seeded per test.
 */
import { FirestoreDocumentStore } from '../../shared/adapters/gcp/firestore-document-store';
import { DuckDbWarehouse } from '../../shared/adapters/local/duckdb-warehouse';
import { MemoryEventBus } from './memory/memory-event-bus';
import { buildSenders } from '../../shared/adapters/notifications/senders';
import { generateWebhookSecret } from '../../shared/domain/notifications/standard-webhooks';
import {
  COMPLIANCE_TEAM,
  NOTIFICATION_COLLECTIONS as C,
  type Channel,
  type Dispatch,
  type Preferences,
  type RecipientDoc,
} from '../../shared/domain/notifications/types';
import { ManualClock } from '../../shared/platform/clocks';
import { readNotificationsConfig } from '../../shared/platform/config/notifications';
import { CapturingSink } from './capturing-sink';
import { StructuredLogger } from '../../shared/platform/logger';
import {
  FaultPlan,
  startSendGridServer,
  type SendGridServer,
} from '../../local-stack/providers/sendgrid-server';
import { startTwilioServer, type TwilioServer } from '../../local-stack/providers/twilio-server';
import { startWebhookReceiver, type WebhookReceiver } from '../../local-stack/providers/webhook-receiver';
import type { SecretStore } from '../../shared/ports/secret-store';
import type { DeliverDeps } from '../../shared/use-cases/deliver-notification';
import type { FanOutDeps } from '../../shared/use-cases/fan-out-notifications';
import { emulatorHosts, isolatedProjectId } from './env';

export const TWILIO = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'tok',
  from: '+15005550006',
};
export const SENDGRID_KEY = 'SG.test-key';

export interface RecipientSpec {
  recipientId: string;
  email?: string;
  phone?: string;
  webhook?: boolean;
  preferences?: Partial<Preferences>;
}

export class NotificationsHarness {
  readonly secrets = new Map<string, string>();
  readonly bus = new MemoryEventBus();
  readonly sink = new CapturingSink();
  readonly logger;

  private constructor(
    readonly store: FirestoreDocumentStore,
    readonly warehouse: DuckDbWarehouse,
    readonly sendgrid: SendGridServer,
    readonly twilio: TwilioServer,
    readonly webhooks: WebhookReceiver,
    readonly clock: ManualClock,
    readonly projectId: string,
  ) {
    this.logger = new StructuredLogger({ sink: this.sink.sink, projectId });
  }

  static async open(label: string, start = '2020-03-12T23:59:00Z'): Promise<NotificationsHarness> {
    const projectId = isolatedProjectId(label);
    const clock = new ManualClock(start);
    return new NotificationsHarness(
      new FirestoreDocumentStore({ projectId, emulatorHost: emulatorHosts().firestoreHost }),
      await DuckDbWarehouse.open(':memory:'),
      await startSendGridServer({ apiKey: SENDGRID_KEY, faults: new FaultPlan() }),
      await startTwilioServer({ ...TWILIO, from: [TWILIO.from], faults: new FaultPlan() }),
      await startWebhookReceiver({ secrets: {}, clock, faults: new FaultPlan() }),
      clock,
      projectId,
    );
  }

  readonly secretStore: SecretStore = {
    get: async (name) => {
      const v =
        this.secrets.get(name) ??
        { SENDGRID_API_KEY: SENDGRID_KEY, TWILIO_AUTH_TOKEN: TWILIO.authToken }[name];
      if (!v) throw new Error(`secret ${name} is not set`);
      return v;
    },
  };

  config(env: NodeJS.ProcessEnv = {}) {
    return readNotificationsConfig({
      ENVIRONMENT: 'local',
      SENDGRID_BASE_URL: `${this.sendgrid.url}/`,
      TWILIO_BASE_URL: this.twilio.url,
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_FROM_NUMBER: TWILIO.from,
      NOTIFY_PROVIDER_TIMEOUT_MS: '10000',
      NOTIFY_WEBHOOK_ALLOW_LOOPBACK: 'true', // the local receiver is on http://127.0.0.1
      ...env,
    });
  }

  fanOutDeps(overrides: Partial<FanOutDeps> = {}): FanOutDeps {
    return { store: this.store, bus: this.bus, clock: this.clock, logger: this.logger, ...overrides };
  }

  deliverDeps(overrides: Partial<DeliverDeps> = {}): DeliverDeps {
    const c = this.config();
    return {
      store: this.store,
      warehouse: this.warehouse,
      secrets: this.secretStore,
      clock: this.clock,
      logger: this.logger,
      senders: buildSenders(c, this.secretStore, this.clock),
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, maxWaitMs: 5_000 },
      sleep: async () => undefined, // provider hints (X-RateLimit-Reset, Retry-After) are not waited out in tests
      ...overrides,
    };
  }

  async addRecipient(
    spec: RecipientSpec,
    portfolios: string[] = [],
    compliance = false,
  ): Promise<RecipientDoc> {
    let webhook: RecipientDoc['contacts']['webhook'];
    if (spec.webhook) {
      const secret = generateWebhookSecret();
      const secretName = `NOTIFY_WEBHOOK_${spec.recipientId.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
      this.secrets.set(secretName, secret);
      webhook = { url: this.webhooks.addEndpoint(spec.recipientId, secret), secretName };
    }
    const channels: Channel[] = [
      ...(spec.email ? (['email'] as const) : []),
      ...(spec.phone ? (['sms'] as const) : []),
      ...(spec.webhook ? (['webhook'] as const) : []),
    ];
    const doc: RecipientDoc = {
      recipientId: spec.recipientId,
      displayName: spec.recipientId,
      principal: `${spec.recipientId}@people.example`,
      contacts: { email: spec.email, phone: spec.phone, webhook },
      preferences: { channels, minSeverity: 'INFO', quietHours: null, ...spec.preferences },
    };
    await this.store.set(C.recipients, spec.recipientId, doc);
    for (const p of portfolios) {
      const cur = await this.store.get<{ recipientIds: string[] }>(C.portfolioOwners, p);
      await this.store.set(C.portfolioOwners, p, {
        portfolioId: p,
        recipientIds: [...(cur?.recipientIds ?? []), spec.recipientId],
      });
    }
    if (compliance) {
      const cur = await this.store.get<{ recipientIds: string[] }>(C.teams, COMPLIANCE_TEAM);
      await this.store.set(C.teams, COMPLIANCE_TEAM, {
        teamId: COMPLIANCE_TEAM,
        recipientIds: [...(cur?.recipientIds ?? []), spec.recipientId],
      });
    }
    return doc;
  }

  dispatches(): Dispatch[] {
    return this.bus.messages
      .filter((m) => m.topic === 'notifications.dispatch.v1')
      .map((m) => m.data as Dispatch);
  }

  /** Accepted provider calls, keyed by what identifies (alert, recipient, channel) at each provider. */
  acceptedCalls(): string[] {
    return [
      ...this.sendgrid.emails.map((e) => `email:${e.customArgs.dispatch_id}`),
      ...this.twilio.messages.map((m) => `sms:${m.to}:${m.body}`),
      ...this.webhooks.received.map((w) => `webhook:${w.webhookId}`),
    ];
  }

  async close(): Promise<void> {
    await this.sendgrid.close();
    await this.twilio.close();
    await this.webhooks.close();
    await this.store.close();
    await this.warehouse.close();
  }
}

export function duplicates(xs: string[]): string[] {
  const seen = new Set<string>();
  return xs.filter((x) => (seen.has(x) ? true : (seen.add(x), false)));
}

/** Runs `fn` the way Pub/Sub would: again after a failure, up to `attempts` times. */
/** Every failure asPubSub retried, for diagnosis. */
export const failures: Error[] = [];

export async function asPubSub<T>(fn: () => Promise<T>, attempts = 30): Promise<T | Error> {
  let last: Error = new Error('never ran');
  for (let i = 0; i < attempts; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err as Error;
      if ((err as { name?: string }).name === 'PermanentError') return last;
      failures.push(last);
      await new Promise((r) => setTimeout(r, 50 + 10 * i)); // a short Pub/Sub backoff
    }
  }
  return last;
}
