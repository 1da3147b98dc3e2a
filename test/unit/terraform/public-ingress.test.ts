/**
 * The internet reaches the functions only through the HTTPS load balancer of terraform/modules/edge, whose Cloud
 * Armor policies refuse what the Functions Framework would otherwise inflate or buffer before our code runs: any
 * Content-Encoding, a Content-Length above the function's maxBodyBytes, a body of unknown size. Every function
 * with "public": true in shared/contracts/topology.json is covered, so one added later is checked with no edit
 * here: its ingress admits internal traffic and the load balancer only, a backend with its policy serves it, and
 * no other function accepts anonymous callers. Module locals and per-function arguments are evaluated offline
 * (test/unit/terraform/evaluate.ts); the rest is read with @cdktf/hcl2json.
 */
import { join, resolve } from 'node:path';
import { DEFAULT_PERSONA_WEBHOOK_CONFIG } from '../../../shared/domain/kyc/webhook-config';
import { evaluateLocals } from './evaluate';
import {
  ENVIRONMENTS,
  MODULES_DIR,
  ROOT,
  TF_DIR,
  allModules,
  block,
  dynamicContent,
  labelled,
  loadEnvironment,
  moduleNamed,
  parseDir,
  readJson,
  resourcesOf,
  valuesOf,
  type Body,
} from './hcl';

const TOPOLOGY_PATH = join(ROOT, 'shared', 'contracts', 'topology.json');
const entries = readJson<{
  functions: Record<string, { folder: string; trigger: string; public?: boolean; maxBodyBytes?: number }>;
}>(TOPOLOGY_PATH).functions;
const PUBLIC = Object.keys(entries)
  .filter((n) => entries[n].public === true)
  .sort();
const NOT_PUBLIC = Object.keys(entries)
  .filter((n) => !PUBLIC.includes(n))
  .sort();

const INTERNAL_AND_LOAD_BALANCER = 'ALLOW_INTERNAL_AND_GCLB';
const ANONYMOUS = ['allUsers', 'allAuthenticatedUsers'];
const DEFAULT_RULE_PRIORITY = 2147483647;

/** The arguments the functions module needs to evaluate its locals offline (values do not matter here). */
const FUNCTIONS_ARGS = {
  project_id: 'fusion-risk-dev',
  region: 'europe-west1',
  environment: 'dev',
  topology_path: TOPOLOGY_PATH,
  tables_path: join(TF_DIR, 'generated', 'bigquery-tables.json'),
  views_path: join(ROOT, 'shared', 'contracts', 'warehouse-views.json'),
  bundle_dir: join(ROOT, 'dist', 'functions'),
  bucket_prefix: 'fusion-risk-dev',
  topic_ids: {},
  secret_ids: {},
  dataset_ids: {},
  warehouse_tables: {},
  bigquery_location: 'EU',
};

const EDGE_ARGS = {
  project_id: 'fusion-risk-dev',
  environment: 'dev',
  region: 'europe-west1',
  topology_path: TOPOLOGY_PATH,
  function_names: Object.fromEntries(Object.entries(entries).map(([n, e]) => [n, e.folder])),
  domains: ['hooks.dev.fusion-risk.example'],
};

/**
 * An argument of a for_each resource as an HCL expression per instance: `{ for key, f in <collection> : key => v }`
 * with each.key/each.value replaced, so Terraform itself computes what every instance receives.
 */
function perInstance(collection: string, value: unknown): string {
  const hcl = (v: unknown): string => {
    if (typeof v === 'string') {
      // A quoted template: hcl2json renders expressions as "${...}"; a lone interpolation keeps its type.
      const template = v.replace(/\beach\.value\b/g, 'f').replace(/\beach\.key\b/g, 'key');
      return `"${template}"`;
    }
    if (Array.isArray(v)) return `[${v.map(hcl).join(', ')}]`;
    return JSON.stringify(v);
  };
  return `{ for key, f in ${collection} : key => ${hcl(value)} }`;
}

const resourceIn = (resources: Record<string, Record<string, Body>>, type: string, name: string): Body => {
  const r = resources[type]?.[name];
  if (!r) throw new Error(`no resource ${type}.${name}`);
  return r;
};

/** A plan address; the tree's addresses start with "." below the root (whose address is empty). */
const address = (...parts: string[]): string => parts.join('.').replace(/^\.+/, '');

interface Rule {
  priority: number;
  action: string;
  expression: string | null;
  srcIpRanges: string[] | null;
}

describe('the topology marks the internet-facing functions', () => {
  it('has at least the Persona webhook public, each an HTTP function with a body limit', () => {
    expect(PUBLIC).toContain('personaWebhook');
    const problems = PUBLIC.filter((n) => {
      const e = entries[n];
      return e.trigger !== 'http' || !Number.isInteger(e.maxBodyBytes) || (e.maxBodyBytes ?? 0) < 1;
    });
    expect(problems).toEqual([]);
  });

  it("limits the Persona webhook's body at the load balancer to exactly what its code accepts", () => {
    expect(entries.personaWebhook.maxBodyBytes).toBe(DEFAULT_PERSONA_WEBHOOK_CONFIG.maxBodyBytes);
  });
});

describe('functions module: who can reach each function', () => {
  let config: Body;
  let ingress: Record<string, string>;
  let publicKeys: string[];

  beforeAll(async () => {
    config = await parseDir(join(MODULES_DIR, 'functions'));
    const service = block(
      resourceIn(resourcesOf(config), 'google_cloudfunctions2_function', 'fn'),
      'service_config',
    );
    const r = await evaluateLocals<{ ingress: Record<string, string>; public: Record<string, unknown> }>(
      'functions',
      FUNCTIONS_ARGS,
      ['public'],
      { ingress: perInstance('local.functions', service?.ingress_settings) },
    );
    if (!r.ok) throw new Error(r.stderr);
    ingress = r.value.ingress;
    publicKeys = Object.keys(r.value.public).sort();
  });

  it('deploys every function of the topology (so each is checked below)', () => {
    expect(Object.keys(ingress).sort()).toEqual(Object.keys(entries).sort());
  });

  it.each(PUBLIC)('%s admits internal traffic and the load balancer only', (name) => {
    expect(ingress[name]).toBe(INTERNAL_AND_LOAD_BALANCER);
  });

  it('lets anonymous callers (allUsers) invoke the public functions only', () => {
    const anonymous = Object.entries(resourcesOf(config)).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, body]) =>
          [...valuesOf(body, 'member'), ...valuesOf(body, 'members')].some((m) =>
            ANONYMOUS.some((a) => JSON.stringify(m).includes(a)),
          ),
        )
        .map(([name, body]) => `${type}.${name} for_each=${String(body.for_each)}`),
    );
    expect(anonymous).toEqual(['google_cloud_run_service_iam_member.public for_each=${local.public}']);
    expect(publicKeys).toEqual(PUBLIC);
    expect(NOT_PUBLIC.filter((n) => publicKeys.includes(n))).toEqual([]);
  });
});

describe.each(ENVIRONMENTS)(
  '%s: no function is reachable anonymously but through the load balancer',
  (env) => {
    it("grants allUsers/allAuthenticatedUsers nowhere but on the public functions and the dashboard's static files", async () => {
      const tree = await loadEnvironment(env);
      const anonymous = allModules(tree).flatMap((m) =>
        Object.entries(m.resources).flatMap(([type, byName]) =>
          Object.entries(byName)
            .filter(([, body]) =>
              [...valuesOf(body, 'member'), ...valuesOf(body, 'members')].some((v) =>
                ANONYMOUS.some((a) => JSON.stringify(v).includes(a)),
              ),
            )
            .map(([name]) => address(m.address, `${type}.${name}`)),
        ),
      );
      expect(anonymous.sort()).toEqual([
        'module.fusion_risk.module.edge.google_storage_bucket_iam_member.dashboard_public',
        'module.fusion_risk.module.functions.google_cloud_run_service_iam_member.public',
      ]);
      // Only reading objects of the dashboard's own bucket (its built files; the data needs an ID token at riskApi).
      const edge = resourcesOf(await parseDir(join(MODULES_DIR, 'edge')));
      const grant = edge.google_storage_bucket_iam_member.dashboard_public;
      expect([grant.role, grant.bucket]).toEqual([
        'roles/storage.objectViewer',
        '${google_storage_bucket.dashboard[0].name}',
      ]);
    });

    it('puts the load balancer (modules/edge) in front of the topology functions, on the deployed services', async () => {
      const tree = await loadEnvironment(env);
      const edges = allModules(tree).filter((m) => m.dir === join(MODULES_DIR, 'edge'));
      expect(edges.map((m) => address(m.address))).toEqual(['module.fusion_risk.module.edge']);
      const edge = edges[0];
      expect(resolve(String(edge.inputs.topology_path))).toBe(TOPOLOGY_PATH);
      const call = labelled(await parseDir(join(MODULES_DIR, 'environment')), 'module').edge;
      expect(call.function_names).toBe('${module.functions.function_names}');
      expect(call.domains).toBe('${var.edge_domains}');
      expect(moduleNamed(tree, 'edge').children.topology.inputs.topology_path).toBe(
        edge.inputs.topology_path,
      );
    });
  },
);

describe('edge module: a backend with a Cloud Armor policy for every public function', () => {
  let res: Record<string, Record<string, Body>>;
  let served: string[];
  let paths: Record<string, string>;
  let rules: Record<string, Rule[]>;

  beforeAll(async () => {
    res = resourcesOf(await parseDir(join(MODULES_DIR, 'edge')));
    const policy = resourceIn(res, 'google_compute_security_policy', 'fn');
    const ruleBodies = (policy.rule as Body[] | undefined) ?? [];
    const expressions: Record<string, string> = {};
    ruleBodies.forEach((rule, i) => {
      const match = block(rule, 'match');
      expressions[`r${i}_priority`] = perInstance('local.public', rule.priority);
      expressions[`r${i}_action`] = perInstance('local.public', rule.action);
      expressions[`r${i}_expression`] = perInstance('local.public', block(match, 'expr')?.expression ?? null);
      expressions[`r${i}_src`] = perInstance('local.public', block(match, 'config')?.src_ip_ranges ?? null);
    });
    const r = await evaluateLocals<Record<string, Record<string, unknown>>>(
      'edge',
      EDGE_ARGS,
      ['public', 'paths'],
      expressions,
    );
    if (!r.ok) throw new Error(r.stderr);
    served = Object.keys(r.value.public).sort();
    paths = r.value.paths as Record<string, string>;
    rules = Object.fromEntries(
      served.map((name) => [
        name,
        ruleBodies.map((_, i) => ({
          priority: Number(r.value[`r${i}_priority`][name]),
          action: String(r.value[`r${i}_action`][name]),
          expression: (r.value[`r${i}_expression`][name] as string | null) ?? null,
          srcIpRanges: (r.value[`r${i}_src`][name] as string[] | null) ?? null,
        })),
      ]),
    );
  });

  it('serves exactly the public functions of the topology, each on /<folder>', () => {
    expect(served).toEqual(PUBLIC);
    expect(paths).toEqual(Object.fromEntries(PUBLIC.map((n) => [n, `/${entries[n].folder}`])));
  });

  it('routes each function through a serverless NEG on its Cloud Run service and a backend with its own policy', () => {
    const neg = resourceIn(res, 'google_compute_region_network_endpoint_group', 'fn');
    const backend = resourceIn(res, 'google_compute_backend_service', 'fn');
    const policy = resourceIn(res, 'google_compute_security_policy', 'fn');
    expect([neg.for_each, backend.for_each, policy.for_each]).toEqual([
      '${local.public}',
      '${local.public}',
      '${local.public}',
    ]);
    expect(neg.network_endpoint_type).toBe('SERVERLESS');
    expect(block(neg, 'cloud_run')?.service).toBe('${var.function_names[each.key]}');
    expect(backend.load_balancing_scheme).toBe('EXTERNAL_MANAGED');
    expect(backend.security_policy).toBe('${google_compute_security_policy.fn[each.key].id}');
    expect(block(backend, 'backend')?.group).toBe(
      '${google_compute_region_network_endpoint_group.fn[each.key].id}',
    );
  });

  it('sends each public path, and nothing else, to a backend with a policy, over HTTPS on 443 only', () => {
    const urlMap = resourceIn(res, 'google_compute_url_map', 'edge');
    const matcher = block(urlMap, 'path_matcher');
    const rule = dynamicContent(matcher, 'path_rule');
    expect(block(matcher?.dynamic as Body, 'path_rule')?.for_each).toBe('${local.public}');
    expect(rule?.service).toBe('${google_compute_backend_service.fn[path_rule.key].id}');
    for (const service of [urlMap.default_service, matcher?.default_service])
      expect(service).toMatch(/^\$\{google_compute_backend_service\.fn\[/);
    expect(resourceIn(res, 'google_compute_target_https_proxy', 'edge').url_map).toBe(
      '${google_compute_url_map.edge.id}',
    );
    const forwarding = Object.values(res.google_compute_global_forwarding_rule ?? {});
    expect(forwarding.map((f) => [f.port_range, f.target])).toEqual([
      ['443', '${google_compute_target_https_proxy.edge.id}'],
    ]);
    expect(Object.keys(res.google_compute_target_http_proxy ?? {})).toEqual([]);
  });

  describe.each(PUBLIC)('the Cloud Armor policy in front of %s', (name) => {
    const deny = (r: Rule) => r.action.startsWith('deny(');

    it('refuses any request carrying a Content-Encoding', () => {
      expect(rules[name].filter((r) => r.expression === "has(request.headers['content-encoding'])")).toEqual([
        expect.objectContaining({ action: expect.stringMatching(/^deny\(/) }),
      ]);
    });

    it('refuses a Content-Length above the maxBodyBytes of the topology', () => {
      const limit = entries[name].maxBodyBytes;
      expect(
        rules[name].filter(
          (r) =>
            r.expression ===
            `has(request.headers['content-length']) && int(request.headers['content-length']) > ${limit}`,
        ),
      ).toEqual([expect.objectContaining({ action: expect.stringMatching(/^deny\(/) })]);
    });

    it('refuses a POST without a Content-Length, and a Transfer-Encoding (bodies of unknown size)', () => {
      const unsized = rules[name].filter(
        (r) =>
          deny(r) &&
          (r.expression ?? '').startsWith("!has(request.headers['content-length']) && ") &&
          (r.expression ?? '').includes("request.method == 'POST'"),
      );
      expect(unsized).toHaveLength(1);
      expect(
        rules[name].filter((r) => deny(r) && r.expression === "has(request.headers['transfer-encoding'])"),
      ).toHaveLength(1);
    });

    it('rate limits each client IP', () => {
      expect(rules[name].filter((r) => r.action === 'throttle')).toHaveLength(1);
      const throttle = ((resourceIn(res, 'google_compute_security_policy', 'fn').rule as Body[]) ?? []).find(
        (r) => r.action === 'throttle',
      );
      expect(block(throttle, 'rate_limit_options')).toMatchObject({
        conform_action: 'allow',
        exceed_action: 'deny(429)',
        enforce_on_key: 'IP',
      });
    });

    it('ends with the default rule, and decides every refusal before anything that allows', () => {
      const byPriority = [...rules[name]].sort((a, b) => a.priority - b.priority);
      expect(byPriority.at(-1)).toEqual({
        priority: DEFAULT_RULE_PRIORITY,
        action: 'allow',
        expression: null,
        srcIpRanges: ['*'],
      });
      const lastDeny = Math.max(...rules[name].filter(deny).map((r) => r.priority));
      const firstOther = Math.min(...rules[name].filter((r) => !deny(r)).map((r) => r.priority));
      expect(lastDeny).toBeLessThan(firstOther);
      expect(new Set(rules[name].map((r) => r.priority)).size).toBe(rules[name].length);
    });
  });
});

describe('edge module: the risk dashboard on its own name', () => {
  it('serves the dashboard bucket for its domains, under the same certificate, and nothing without them', async () => {
    const withDashboard = await evaluateLocals<{ dashboard: boolean; certificate_domains: string[] }>(
      'edge',
      { ...EDGE_ARGS, dashboard_domains: ['risk.dev.fusion-risk.example'] },
      ['dashboard', 'certificate_domains'],
    );
    if (!withDashboard.ok) throw new Error(withDashboard.stderr);
    expect(withDashboard.value).toEqual({
      dashboard: true,
      certificate_domains: ['hooks.dev.fusion-risk.example', 'risk.dev.fusion-risk.example'],
    });
    const without = await evaluateLocals<{ dashboard: boolean }>('edge', EDGE_ARGS, ['dashboard']);
    if (!without.ok) throw new Error(without.stderr);
    expect(without.value.dashboard).toBe(false);
    const res = resourcesOf(await parseDir(join(MODULES_DIR, 'edge')));
    const urlMap = resourceIn(res, 'google_compute_url_map', 'edge');
    expect(JSON.stringify(urlMap)).toContain('google_compute_backend_bucket.dashboard[0].id');
    expect(resourceIn(res, 'google_compute_backend_bucket', 'dashboard').bucket_name).toBe(
      '${google_storage_bucket.dashboard[0].name}',
    );
  });
});
