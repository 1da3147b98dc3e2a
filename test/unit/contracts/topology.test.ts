/**
 * shared/contracts/topology.json is the one declaration of topics, subscriptions and which function publishes
 * what; Terraform grants publisher roles and creates topics from it. These tests hold the code to it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFunction } from '@google-cloud/functions-framework/testing';
import topologyJson from '../../../shared/contracts/topology.json';
import { MemoryEventBus } from '../../support/memory/memory-event-bus';
import { SCHEMAS, type SchemaName } from '../../../shared/contracts/schema-registry';
import { SchemaViolation } from '../../../shared/contracts/validation';
import {
  FUNCTIONS,
  OUTSIDE_CALLERS,
  SUBSCRIPTIONS,
  TOPICS,
  isTopic,
  topicSchema,
  type TopicName,
} from '../../../shared/topology/topology';
import { publishSites, publishSitesIn, runtimeClosure, type PublishSite } from './publish-scan';
import { loadFixtures, ROOT } from './schema-fixtures';

interface RawFunction {
  folder: string;
  trigger: string;
  publishes: string[];
  subscriptions?: { name: string; topic: string }[];
}
const rawFunctions = topologyJson.functions as Record<string, RawFunction>;
const declared = new Set<string>(Object.keys(topologyJson.topics));
const where = (s: PublishSite) => `${s.file}:${s.line} ${s.text}`;

describe('topology: topics and subscriptions', () => {
  it('gives every topic a registered message schema, except the schema-less dead-letter topic', () => {
    for (const topic of TOPICS) {
      const schema = topicSchema(topic);
      if (topic === topologyJson.subscriptionDefaults.deadLetterTopic) {
        expect([topic, schema]).toEqual([topic, null]);
        continue;
      }
      expect([topic, schema !== null && schema in SCHEMAS]).toEqual([topic, true]);
      expect(schema?.startsWith('messages/')).toBe(true);
    }
    expect(TOPICS).toEqual(expect.arrayContaining(['market.prices.v1', 'alerts.margin.v1']));
  });

  it('carries every message schema on some topic (no orphaned contract)', () => {
    const carried = new Set(TOPICS.map((t) => topicSchema(t)));
    const orphans = (Object.keys(SCHEMAS) as SchemaName[]).filter(
      (n) => n.startsWith('messages/') && !carried.has(n),
    );
    expect(orphans).toEqual([]);
  });

  it('subscribes only to declared topics, dead-letters to a declared schema-less topic, with unique names', () => {
    const raw = Object.entries(rawFunctions).flatMap(([fn, f]) =>
      (f.subscriptions ?? []).map((s) => ({ fn, ...s })),
    );
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.filter((s) => !declared.has(s.topic))).toEqual([]);
    expect(SUBSCRIPTIONS.map((s) => s.name)).toEqual(raw.map((s) => s.name));
    expect(new Set(raw.map((s) => s.name)).size).toBe(raw.length);
    for (const s of SUBSCRIPTIONS) {
      expect([s.name, isTopic(s.deadLetterTopic)]).toEqual([s.name, true]);
      expect([s.name, topicSchema(s.deadLetterTopic)]).toEqual([s.name, null]);
      // A consumer of its own dead-letter topic would loop rejected messages forever.
      expect(s.topic).not.toBe(s.deadLetterTopic);
      expect(s.maxDeliveryAttempts).toBeGreaterThanOrEqual(5); // Pub/Sub's minimum for a dead-letter policy
    }
  });

  it('gives every published topic a consumer: a push subscription, or it is the monitored dead-letter topic', () => {
    // Published topics with no push subscription here, each for a stated reason. Anything else published to a
    // topic nobody subscribes to (an alert, say) would be lost without a trace.
    const monitored: Record<string, string> = {
      [topologyJson.subscriptionDefaults.deadLetterTopic]:
        'read by its pull subscription (the local stack, monitoring), never pushed',
      'kyc.events.v1':
        'an integration feed for consumers outside this system; every event is also in compliance.kyc_events',
    };
    const consumed = new Set<string>(SUBSCRIPTIONS.map((s) => s.topic));
    const published = new Set(Object.values(rawFunctions).flatMap((f) => f.publishes));
    const unconsumed = [...published].filter((t) => !consumed.has(t) && !(t in monitored)).sort();
    expect(unconsumed).toEqual([]);
    // The exemptions stay few, and each is published by someone (no stale entry).
    expect(Object.keys(monitored).sort()).toEqual(['dead-letter.v1', 'kyc.events.v1']);
    expect(Object.keys(monitored).filter((t) => !published.has(t))).toEqual([]);
    // Alerts are never exempt: they reach people (the fan-out) and the alert feed readers resume from.
    expect(Object.keys(monitored).filter((t) => t.startsWith('alerts.'))).toEqual([]);
    expect(SUBSCRIPTIONS.filter((s) => s.topic === 'alerts.prices.v1').map((s) => s.function)).toEqual([
      'fanOutNotifications',
      'recordAlerts',
    ]);
    // Refused events (EVENT_TIME_IN_FUTURE) reach the operations team through the same fan-out.
    expect(SUBSCRIPTIONS.filter((s) => s.topic === 'alerts.operations.v1').map((s) => s.function)).toEqual([
      'fanOutNotifications',
      'recordAlerts',
    ]);
  });

  it('gives Pub/Sub functions subscriptions and HTTP functions none, and publishes only to declared topics', () => {
    for (const [name, f] of Object.entries(rawFunctions)) {
      expect([name, f.trigger]).toEqual([name, expect.stringMatching(/^(http|pubsub)$/)]);
      expect([name, (f.subscriptions ?? []).length > 0]).toEqual([name, f.trigger === 'pubsub']);
      expect([name, f.publishes.filter((t) => !declared.has(t))]).toEqual([name, []]);
    }
  });
});

describe('topology: callers outside this system (outsideCallers)', () => {
  it('declares the lending platform, which publishes only declared, consumed topics', () => {
    expect(OUTSIDE_CALLERS.map((c) => c.name)).toEqual(['platform']);
    const consumed = new Set<string>(SUBSCRIPTIONS.map((s) => s.topic));
    for (const c of OUTSIDE_CALLERS) {
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.publishes.length).toBeGreaterThan(0);
      // What an outside caller publishes must reach a consumer, and never the dead-letter topic.
      expect([c.name, c.publishes.filter((t) => !isTopic(t) || !consumed.has(t))]).toEqual([c.name, []]);
      expect(c.publishes).not.toContain(topologyJson.subscriptionDefaults.deadLetterTopic);
    }
  });

  it('lets outside callers invoke only HTTP APIs: HTTP functions that are neither public, pushed to nor scheduled', () => {
    const byName = new Map(FUNCTIONS.map((f) => [f.name, f]));
    for (const c of OUTSIDE_CALLERS)
      for (const name of c.invokes) {
        const f = byName.get(name);
        expect({
          name,
          api: f?.trigger === 'http' && !f.public && !f.schedule && f.subscriptions.length === 0,
        }).toEqual({
          name,
          api: true,
        });
      }
  });

  it('names a callers setting only on HTTP APIs, one setting per function', () => {
    const withSetting = FUNCTIONS.filter((f) => f.callersSetting !== undefined);
    expect(withSetting.map((f) => [f.name, f.callersSetting])).toEqual(
      expect.arrayContaining([
        ['screenTransaction', 'SCREEN_TRANSACTION_CALLERS'],
        ['checkRisk', 'RISK_CHECK_CALLERS'],
      ]),
    );
    for (const f of withSetting) {
      expect([f.name, f.trigger, f.public, f.schedule]).toEqual([f.name, 'http', false, undefined]);
      expect(f.callersSetting).toMatch(/^[A-Z][A-Z0-9_]*_CALLERS$/);
    }
    expect(new Set(withSetting.map((f) => f.callersSetting)).size).toBe(withSetting.length);
  });
});

describe('topology: function entry points', () => {
  it('has functions/<folder>/index.ts for every declared function and declares every folder that has one', () => {
    for (const f of FUNCTIONS) expect(existsSync(join(ROOT, 'functions', f.folder, 'index.ts'))).toBe(true);
    const index = readFileSync(join(ROOT, 'functions', 'index.ts'), 'utf8');
    const reexported = [...index.matchAll(/import '\.\/([^']+)'/g)].map((m) => m[1]).sort();
    expect(reexported).toEqual(FUNCTIONS.map((f) => f.folder).sort());
  });

  it.each(FUNCTIONS.map((f) => [f.name, f.folder] as const))(
    '%s is registered with the Functions Framework by functions/%s/index.ts',
    (name, folder) => {
      expect(getFunction(name)).toBeUndefined();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(join(ROOT, 'functions', folder, 'index.ts'));
      expect(typeof getFunction(name)).toBe('function');
    },
  );

  it('load on a machine with no Google credentials and without loading any Cloud client library', () => {
    const home = mkdtempSync(join(tmpdir(), 'no-gcloud-'));
    try {
      const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', join(__dirname, 'load-entry-points.ts')], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          HOME: home,
          CLOUDSDK_CONFIG: home,
          METADATA_SERVER_DETECTION: 'none',
        },
      });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout) as { registered: Record<string, string>; sdks: string[] };
      expect(out.registered).toEqual(Object.fromEntries(FUNCTIONS.map((f) => [f.name, 'function'])));
      // Cloud SDKs load lazily, on first use, so a cold start pays only for the clients it touches.
      expect(out.sdks).toEqual([]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('each function publishes only to the topics it declares (its publisher grants)', () => {
  const sites = publishSites();
  const named = sites.filter((s) => s.topic !== undefined);

  it('recognises literal topics, TopicName constants and forwarding wrappers (scanner check)', () => {
    const found = publishSitesIn(
      'snippet.ts',
      [
        "const PRICES: TopicName = 'market.prices.v1';",
        "const DLQ = 'dead-letter.v1' as TopicName;",
        'async function f(bus: EventBus, topic: TopicName, other: string) {',
        "  await bus.publish('alerts.margin.v1', {});",
        '  await bus.publish(PRICES, {});',
        '  await deps.bus.publishRaw(DLQ, Buffer.alloc(0));',
        '  await bus.publish(topic, {});',
        '  await bus.publish(pick(other), {});',
        '}',
      ].join('\n'),
    );
    expect(found.map((s) => [s.line, s.method, s.topic, s.forwarded])).toEqual([
      [4, 'publish', 'alerts.margin.v1', false],
      [5, 'publish', 'market.prices.v1', false],
      [6, 'publishRaw', 'dead-letter.v1', false],
      [7, 'publish', undefined, true],
      [8, 'publish', undefined, false],
    ]);
  });

  it('names every topic by a string literal or a constant, or forwards its caller’s topic unchanged', () => {
    expect(named.length).toBeGreaterThan(0);
    expect(sites.filter((s) => s.topic === undefined && !s.forwarded).map(where)).toEqual([]);
  });

  // Publishing to an undeclared topic, or the wrong message on a topic, fails typecheck: typed-contracts.test.ts.

  it.each(FUNCTIONS.map((f) => [f.name, f] as const))(
    '%s: every topic its code publishes is in its `publishes`, and it declares none it never publishes',
    (name, f) => {
      const closure = runtimeClosure(`functions/${f.folder}/index.ts`);
      const own = named.filter((s) => closure.has(s.file));
      const undeclared = own
        .filter((s) => !f.publishes.includes(s.topic as TopicName))
        .map((s) => `${where(s)} → ${s.topic} is not in ${name}.publishes`);
      expect(undeclared).toEqual([]);
      // Terraform grants roles/pubsub.publisher from `publishes`: an unused entry is a grant nobody needs.
      const used = new Set(own.map((s) => s.topic));
      expect(f.publishes.filter((t) => !used.has(t))).toEqual([]);
    },
  );

  it('attributes a use case’s publishes to the function whose entry point imports it', () => {
    const closures = FUNCTIONS.map(
      (f) => [f.name, runtimeClosure(`functions/${f.folder}/index.ts`)] as const,
    );
    const owners = (file: string) => closures.filter(([, c]) => c.has(file)).map(([n]) => n);
    expect(owners('shared/use-cases/ingest-prices.ts')).toEqual(['ingestPrices']);
    expect(owners('shared/use-cases/detect-margin-events.ts')).toEqual(['detectMarginEvents']);
    // Type-only imports are erased: they do not make a function load (or publish from) a module.
    expect(owners('local-stack/flow-meter.ts')).toEqual([]);
  });
});

describe('EventBus adapters enforce the topology at run time (MemoryEventBus)', () => {
  const good = loadFixtures('messages/market.prices.v1').base;

  it('refuses a topic the topology does not declare, and records nothing', async () => {
    const bus = new MemoryEventBus();
    await expect(bus.publish('market.prices.v2' as TopicName, good)).rejects.toThrow(
      'topic market.prices.v2 is not declared in shared/contracts/topology.json',
    );
    await expect(bus.publishRaw('dead-letters' as TopicName, Buffer.from('x'))).rejects.toThrow(
      'topic dead-letters is not declared in shared/contracts/topology.json',
    );
    expect(bus.messages).toEqual([]);
  });

  it('refuses a message that breaks its topic’s schema, naming the path, and records nothing', async () => {
    const bus = new MemoryEventBus();
    const bad = { ...(good as Record<string, unknown>), asOf: 'noon' };
    const err = await bus.publish('market.prices.v1', bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SchemaViolation);
    expect((err as SchemaViolation).problems).toEqual(['/asOf must match format "date-time"']);
    expect(bus.messages).toEqual([]);
  });

  it('refuses raw bytes on a topic with a schema, so the contract cannot be bypassed', async () => {
    const bus = new MemoryEventBus();
    await expect(bus.publishRaw('alerts.margin.v1', Buffer.from('{}'))).rejects.toThrow(
      'topic alerts.margin.v1 has a schema: publish validated messages instead',
    );
    expect(bus.messages).toEqual([]);
  });

  it('delivers a valid message and raw bytes to the dead-letter topic', async () => {
    const bus = new MemoryEventBus();
    await bus.publish('market.prices.v1', good, { attributes: { tickId: 'tick-20240805T1200Z' } });
    await bus.publishRaw('dead-letter.v1', Buffer.from('not json'), { attributes: { 'fusion-reason': 'x' } });
    expect(bus.on('market.prices.v1')).toEqual([good]);
    expect(bus.messages[1]).toMatchObject({
      topic: 'dead-letter.v1',
      data: Buffer.from('not json').toString('base64'),
      attributes: { 'fusion-reason': 'x' },
    });
  });
});
