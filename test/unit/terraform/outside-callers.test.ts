/**
 * Callers outside this system (the lending platform): what each may do is declared once, in the topology
 * (outsideCallers: the topics it publishes to, the HTTP API functions it invokes), and Terraform grants exactly that
 * to the service accounts an environment names for it (platform: platform_service_accounts) — roles/pubsub.publisher
 * on those topics (modules/pubsub), run.invoker on those functions and their own callers setting (modules/functions:
 * RISK_CHECK_CALLERS, SCREEN_TRANSACTION_CALLERS), so IAM and each function's own check agree. These tests evaluate
 * the modules offline with each environment's terraform.tfvars: a grant missing anywhere on the way fails here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateLocals, evaluateModule, functionsModuleArgs } from './evaluate';
import {
  ENVIRONMENTS,
  MODULES_DIR,
  ROOT,
  TF_DIR,
  blocksOf,
  labelled,
  localsOf,
  parseDir,
  parseHcl,
  read,
  readJson,
  resourcesOf,
  type Body,
} from './hcl';

const TOPOLOGY_PATH = join(ROOT, 'shared', 'contracts', 'topology.json');

interface RawTopology {
  topics: Record<string, unknown>;
  functions: Record<
    string,
    {
      trigger: string;
      public?: boolean;
      schedule?: unknown;
      subscriptions?: unknown[];
      callersSetting?: string;
    }
  >;
  outsideCallers: Record<string, { description: string; publishes: string[]; invokes: string[] }>;
}

const raw = (): RawTopology => readJson<RawTopology>(TOPOLOGY_PATH);

interface TopologyOut {
  outside_callers: Record<string, { publishes: string[]; invokes: string[] }>;
  outside_publisher_bindings: Record<string, { topic: string; member: string }>;
  outside_invoker_bindings: Record<string, { function: string; member: string }>;
  functions: Record<string, { callers_setting: string | null }>;
}

interface FunctionsOut {
  api_invoker_bindings: Record<string, { function: string; member: string }>;
  environment: Record<string, Record<string, string>>;
}

/** What the platform must be able to do (issue 15): publish positions and transactions, call the two checks. */
const PLATFORM = {
  publishes: ['compliance.transactions.v1', 'portfolio.positions.v1'],
  invokes: ['checkRisk', 'screenTransaction'],
};

const evaluateTopology = (path: string, outsideCallers: Record<string, string[]>) =>
  evaluateModule<TopologyOut>('topology', { topology_path: path, outside_callers: outsideCallers });

/** Every grant, as "publisher <topic> <member>" or "invoker <function> <member>". */
function grantsOf(topologyOut: TopologyOut, functionsOut?: FunctionsOut): string[] {
  return [
    ...Object.values(topologyOut.outside_publisher_bindings).map((b) => `publisher ${b.topic} ${b.member}`),
    ...Object.values(functionsOut?.api_invoker_bindings ?? topologyOut.outside_invoker_bindings).map(
      (b) => `invoker ${b.function} ${b.member}`,
    ),
  ].sort();
}

/** The grants a caller's declaration promises its service accounts. */
function promised(declaration: { publishes: string[]; invokes: string[] }, emails: string[]): string[] {
  return emails
    .flatMap((e) => [
      ...declaration.publishes.map((t) => `publisher ${t} serviceAccount:${e}`),
      ...declaration.invokes.map((f) => `invoker ${f} serviceAccount:${e}`),
    ])
    .sort();
}

const missing = (expected: string[], granted: string[]) => expected.filter((g) => !granted.includes(g));

describe('the topology declares what callers outside this system may do', () => {
  it('lets the lending platform publish positions and transactions and call checkRisk and screenTransaction', () => {
    const platform = raw().outsideCallers.platform;
    expect([...platform.publishes].sort()).toEqual(PLATFORM.publishes);
    expect([...platform.invokes].sort()).toEqual(PLATFORM.invokes);
    expect(platform.description.length).toBeGreaterThan(0);
  });

  it('names, for each function an outside caller invokes that checks its callers itself, the setting it reads', () => {
    const { functions } = raw();
    expect(functions.checkRisk.callersSetting).toBe('RISK_CHECK_CALLERS');
    expect(functions.screenTransaction.callersSetting).toBe('SCREEN_TRANSACTION_CALLERS');
  });
});

describe('terraform/modules/topology: outside callers', () => {
  const a = 'lending-platform@fusion-risk-dev.iam.gserviceaccount.com';
  const b = 'lending-batch@fusion-risk-dev.iam.gserviceaccount.com';

  it('turns the declaration into one publisher grant per topic and one invoker grant per function, per service account', () => {
    const r = evaluateTopology(TOPOLOGY_PATH, { platform: [a, b] });
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(r.value.outside_callers.platform).toEqual(PLATFORM);
    const granted = grantsOf(r.value);
    expect(granted).toEqual(promised(PLATFORM, [a, b]));
    // Keyed like the functions module's api_invokers bindings, so a member named both ways is one binding.
    expect(Object.keys(r.value.outside_invoker_bindings)).toContain(`checkRisk/serviceAccount:${a}`);
    expect(
      Object.fromEntries(
        Object.entries(r.value.functions)
          .filter(([, f]) => f.callers_setting !== null)
          .map(([n, f]) => [n, f.callers_setting]),
      ),
    ).toEqual({ checkRisk: 'RISK_CHECK_CALLERS', screenTransaction: 'SCREEN_TRANSACTION_CALLERS' });
  });

  it('grants nothing when an environment names nobody', () => {
    const r = evaluateTopology(TOPOLOGY_PATH, {});
    expect(r.ok ? '' : r.stderr).toBe('');
    if (!r.ok) return;
    expect(grantsOf(r.value)).toEqual([]);
  });

  it('sees a grant the declaration no longer makes (checker check)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-outside-'));
    try {
      const topo = raw();
      topo.outsideCallers.platform.publishes = ['compliance.transactions.v1'];
      topo.outsideCallers.platform.invokes = ['screenTransaction'];
      const path = join(dir, 'topology.json');
      writeFileSync(path, JSON.stringify(topo));
      const r = evaluateTopology(path, { platform: [a] });
      expect(r.ok ? '' : r.stderr).toBe('');
      if (!r.ok) return;
      expect(missing(promised(PLATFORM, [a]), grantsOf(r.value))).toEqual([
        `invoker checkRisk serviceAccount:${a}`,
        `publisher portfolio.positions.v1 serviceAccount:${a}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses undeclared topics and functions, functions that are not HTTP APIs, bad settings and unknown callers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fr-outside-bad-'));
    try {
      const topo = raw();
      topo.outsideCallers.platform.publishes.push('nowhere.v1');
      // evaluateAml is pushed to, riskApi is public: neither is an API another service calls with run.invoker.
      topo.outsideCallers.platform.invokes.push('noSuchFunction', 'evaluateAml', 'riskApi');
      topo.functions.checkRisk.callersSetting = 'risk-check-callers';
      const path = join(dir, 'topology.json');
      writeFileSync(path, JSON.stringify(topo));
      const r = evaluateTopology(path, { platform: [a], partner: [b] });
      expect(r.ok).toBe(false);
      const stderr = r.ok ? '' : r.stderr;
      for (const problem of [
        'platform publishes nowhere.v1, which is not a declared topic',
        'platform invokes noSuchFunction, which is not a topology function',
        'platform invokes evaluateAml, which is not an HTTP API function',
        'platform invokes riskApi, which is not an HTTP API function',
        'checkRisk: callersSetting risk-check-callers is not an environment variable name',
        'outside_callers names partner, which the topology does not declare under outsideCallers',
      ])
        expect(stderr).toContain(problem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a service account given as an IAM member', () => {
    const r = evaluateTopology(TOPOLOGY_PATH, { platform: [`serviceAccount:${a}`] });
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.stderr).toContain('outside_callers values must be service account e-mails');
  });
});

describe('the modules grant what the topology declares, to the service accounts the environment names', () => {
  let pubsub: Body;
  let functions: Body;
  let environment: Body;
  beforeAll(async () => {
    [pubsub, functions, environment] = await Promise.all(
      ['pubsub', 'functions', 'environment'].map((m) => parseDir(join(MODULES_DIR, m))),
    );
  });

  it('pubsub: roles/pubsub.publisher per outside publisher binding, on the topology topic', () => {
    const grant = resourcesOf(pubsub).google_pubsub_topic_iam_member?.outside_publisher;
    expect(grant).toMatchObject({
      for_each: '${module.topology.outside_publisher_bindings}',
      topic: '${google_pubsub_topic.this[each.value.topic].name}',
      role: 'roles/pubsub.publisher',
      member: '${each.value.member}',
    });
    expect(labelled(pubsub, 'module').topology.outside_callers).toBe('${var.outside_callers}');
  });

  it('functions: run.invoker through the API bindings, which take in the outside invoker bindings', () => {
    expect(labelled(functions, 'module').topology.outside_callers).toBe('${var.outside_callers}');
    const locals = localsOf(functions);
    expect(String(locals.api_invoker_bindings)).toContain('module.topology.outside_invoker_bindings');
    expect(resourcesOf(functions).google_cloud_run_service_iam_member?.api).toMatchObject({
      for_each: '${local.api_invoker_bindings}',
      role: 'roles/run.invoker',
      member: '${each.value.member}',
    });
    // Each function's callers setting is rendered from those bindings, above what function_environment may set.
    expect(String(locals.callers_settings)).toContain('local.api_invoker_bindings');
    expect(String(locals.environment)).toContain('lookup(local.callers_settings, name, {})');
  });

  it('environment: one service account list per topology caller, handed to pubsub and functions', () => {
    const outside = localsOf(environment).outside_callers as Record<string, unknown>;
    expect(Object.keys(outside).sort()).toEqual(Object.keys(raw().outsideCallers).sort());
    expect(outside.platform).toBe('${var.platform_service_accounts}');
    const calls = labelled(environment, 'module');
    expect(calls.functions.outside_callers).toBe('${local.outside_callers}');
    expect(calls.pubsub.outside_callers).toBe('${local.outside_callers}');
  });

  it('environment: refuses every callers setting in function_environment (IAM decides them)', () => {
    const fnEnv = labelled(environment, 'variable').function_environment;
    const condition = String(blocksOf(fnEnv, 'validation')[0]?.condition);
    const settings = Object.values(raw().functions)
      .map((f) => f.callersSetting)
      .filter((s): s is string => s !== undefined);
    expect(settings.length).toBeGreaterThan(0);
    expect(settings.filter((s) => !condition.includes(`"${s}"`))).toEqual([]);
  });
});

describe.each(ENVIRONMENTS)('the lending platform in %s', (env) => {
  const project = `fusion-risk-${env}`;
  let emails: string[];
  let topologyOut: TopologyOut;
  let functionsOut: FunctionsOut;

  beforeAll(async () => {
    const tfvars = await parseHcl(
      'terraform.tfvars',
      read(join(TF_DIR, 'environments', env, 'terraform.tfvars')),
    );
    // What modules/environment hands the pubsub and functions modules.
    const inputs = await evaluateLocals<{
      outside_callers: Record<string, string[]>;
      api_invokers: Record<string, string[]>;
    }>('environment', { ...tfvars, environment: env }, ['outside_callers', 'api_invokers'], {}, [
      'outside_callers',
      'rendered_invokers',
      'api_invokers',
    ]);
    if (!inputs.ok) throw new Error(inputs.stderr);
    emails = inputs.value.outside_callers.platform;

    const t = evaluateTopology(TOPOLOGY_PATH, inputs.value.outside_callers);
    if (!t.ok) throw new Error(t.stderr);
    topologyOut = t.value;

    const f = await evaluateLocals<FunctionsOut>(
      'functions',
      {
        ...functionsModuleArgs(project, env),
        api_invokers: inputs.value.api_invokers,
        outside_callers: inputs.value.outside_callers,
      },
      ['api_invoker_bindings', 'environment'],
    );
    if (!f.ok) throw new Error(f.stderr);
    functionsOut = f.value;
  });

  it('names the platform’s service accounts (platform_service_accounts)', () => {
    expect(emails).toEqual([`lending-platform@${project}.iam.gserviceaccount.com`]);
  });

  it('grants each of them publisher on positions and transactions and run.invoker on checkRisk and screenTransaction', () => {
    expect(missing(promised(PLATFORM, emails), grantsOf(topologyOut, functionsOut))).toEqual([]);
    // And exactly what the topology declares, no topic more.
    expect(grantsOf(topologyOut).filter((g) => g.startsWith('publisher '))).toEqual(
      promised({ ...PLATFORM, invokes: [] }, emails),
    );
  });

  it('lists in each function’s callers setting exactly the service accounts that hold run.invoker on it', () => {
    const withSetting = Object.entries(topologyOut.functions).filter(([, f]) => f.callers_setting !== null);
    expect(withSetting.map(([n]) => n).sort()).toEqual(PLATFORM.invokes);
    for (const [name, f] of withSetting) {
      const invokers = Object.values(functionsOut.api_invoker_bindings)
        .filter((b) => b.function === name && b.member.startsWith('serviceAccount:'))
        .map((b) => b.member.slice('serviceAccount:'.length))
        .sort();
      const setting = String(f.callers_setting);
      expect({ name, setting, callers: functionsOut.environment[name][setting].split(',') }).toEqual({
        name,
        setting,
        callers: invokers,
      });
      for (const e of emails) expect(invokers).toContain(e);
    }
  });
});
