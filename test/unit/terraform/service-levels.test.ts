/**
 * Service levels, burn-rate alerts, uptime checks, paging and the operations dashboard of modules/monitoring: read
 * with @cdktf/hcl2json, and the locals they iterate over evaluated with terraform on scratch roots (no provider).
 */
import { join } from 'node:path';
import {
  MODULES_DIR,
  ROOT,
  block,
  labelled,
  localsOf,
  parseDir,
  read,
  resourcesOf,
  topology,
  type Body,
} from './hcl';
import { evaluateLocals } from './evaluate';

const MONITORING = join(MODULES_DIR, 'monitoring');

/** What modules/environment passes when a root leaves service_levels unset: every attribute null. */
const UNSET_SERVICE_LEVELS = {
  window_days: null,
  availability_goal: null,
  latency: null,
  price_to_alert_ms: null,
  price_to_alert_goal: null,
};

const FOLDERS = Object.fromEntries(Object.entries(topology().functions).map(([name, f]) => [name, f.folder]));

const REQUIRED = {
  project_id: 'fusion-risk-dev',
  environment: 'dev',
  functions: FOLDERS,
  dead_letter_subscriptions: { 'dead-letter.v1': 'dead-letter-v1-inspect' },
};

interface Evaluated {
  window_hours: number;
  burn_rates: Record<
    'fast' | 'slow',
    { threshold: number; long: string; short: string; long_minutes: number; short_minutes: number }
  >;
  requests: Record<string, string>;
  price_to_alert_bounds: number[];
  uptime_urls: Record<string, { host: string; path: string; status: number }>;
  goal: number;
  window_seconds: number;
  latency: Record<string, { threshold_ms: number; goal: number }>;
  expected_status: Record<string, number>;
  critical_channels: string[];
  channels: string[];
}

const PURE_LOCALS = [
  'window_hours',
  'burn_rates',
  'requests',
  'price_to_alert_bounds',
  'uptime_targets',
  'uptime_urls',
];

describe('monitoring: service levels, burn rates, uptime, paging, dashboard', () => {
  let config: Body;
  let res: Record<string, Record<string, Body>>;
  let locals: Body;
  let policies: Record<string, Body>;
  let evaluated: Evaluated;

  /** The module's pure locals and a few expressions, for the given inputs (on top of REQUIRED). */
  async function evaluate(args: Record<string, unknown>): Promise<Evaluated> {
    const strip = (e: unknown) => String(e).replace(/^\$\{([\s\S]*)\}$/, '$1');
    const result = await evaluateLocals<Evaluated>(
      'monitoring',
      { ...REQUIRED, ...args },
      PURE_LOCALS,
      {
        goal: 'var.service_levels.availability_goal',
        window_seconds: 'var.service_levels.window_days * 86400',
        latency: 'var.service_levels.latency',
        expected_status: 'var.uptime_checks.expected_status',
        // The channel lists with the email channels' ids stood in for (they are resources).
        channels: strip(locals.channels).replace(
          /\[for c in google_monitoring_notification_channel\.email : c\.id\]/,
          '["email"]',
        ),
        critical_channels: strip(locals.critical_channels).replace('local.channels', '["email"]'),
      },
      PURE_LOCALS,
    );
    if (!result.ok) throw new Error(result.stderr);
    return result.value;
  }

  beforeAll(async () => {
    config = await parseDir(MONITORING);
    res = resourcesOf(config);
    locals = localsOf(config);
    policies = res.google_monitoring_alert_policy;
    evaluated = await evaluate({ service_levels: UNSET_SERVICE_LEVELS });
  });

  describe('SLOs', () => {
    it('gives every function an availability SLO of 0.995 over a rolling 604800 s (7 days), request-based on 5xx', () => {
      const slo = res.google_monitoring_slo.availability;
      expect(slo.for_each).toBe('${var.functions}');
      expect(res.google_monitoring_custom_service.function.for_each).toBe('${var.functions}');
      expect(slo.service).toBe('${google_monitoring_custom_service.function[each.key].service_id}');
      expect(slo.goal).toBe('${var.service_levels.availability_goal}');
      expect(slo.rolling_period_days).toBe('${var.service_levels.window_days}');
      const ratio = block(block(slo, 'request_based_sli'), 'good_total_ratio');
      expect(ratio?.total_service_filter).toBe('${local.requests[each.key]}');
      expect(ratio?.bad_service_filter).toBe(
        '${local.requests[each.key]} AND metric.label.response_code_class="5xx"',
      );
      // Defaults, also when modules/environment passes every attribute as null.
      expect(evaluated.goal).toBe(0.995);
      expect(evaluated.window_seconds).toBe(604800);
      // One request series per topology function, on its Cloud Run service (the folder).
      expect(Object.keys(evaluated.requests).sort()).toEqual(Object.keys(FOLDERS).sort());
      for (const [name, folder] of Object.entries(FOLDERS))
        expect(evaluated.requests[name]).toBe(
          `metric.type="run.googleapis.com/request_count" AND resource.type="cloud_run_revision" AND resource.label.service_name="${folder}"`,
        );
    });

    it('is wired to every topology function by modules/environment', async () => {
      const call = labelled(await parseDir(join(MODULES_DIR, 'environment')), 'module').monitoring;
      expect(call.functions).toBe('${module.functions.function_folders}');
      expect(call.service_levels).toBe('${var.service_levels}');
    });

    it('has latency SLOs for the Persona webhook (95 % of 2xx within 1 s) and price to alert (99 % within 60 s)', () => {
      expect(evaluated.latency).toEqual({ personaWebhook: { threshold_ms: 1000, goal: 0.95 } });
      // Named functions must be topology functions (the module names no function in a string).
      expect(Object.keys(evaluated.latency).filter((f) => !(f in FOLDERS))).toEqual([]);
      const latency = res.google_monitoring_slo.latency;
      expect(latency.for_each).toBe('${local.latency_slos}');
      const cut = block(block(latency, 'request_based_sli'), 'distribution_cut');
      expect(cut?.distribution_filter).toBe('${each.value.filter}');
      expect(block(cut, 'range')?.max).toBe('${each.value.max}');
      const text = String(locals.latency_slos);
      expect(text).toContain('run.googleapis.com/request_latencies');
      expect(text).toContain('metric.label.response_code_class=\\"2xx\\"');
      expect(text).toContain('local.log_metric_types.price_to_alert');
      expect(text).toContain('var.service_levels.price_to_alert_goal');
    });

    it('puts the price-to-alert threshold on a bucket bound, so the SLI counts whole buckets', async () => {
      expect(evaluated.price_to_alert_bounds).toContain(60000);
      const sorted = [...evaluated.price_to_alert_bounds].sort((a, b) => a - b);
      expect(evaluated.price_to_alert_bounds).toEqual(sorted);
      const other = await evaluate({ service_levels: { price_to_alert_ms: 7500 } });
      expect(other.price_to_alert_bounds).toContain(7500);
      expect(other.price_to_alert_bounds).toEqual([...other.price_to_alert_bounds].sort((a, b) => a - b));
      const metric = res.google_logging_metric.price_to_alert;
      expect(block(block(metric, 'bucket_options'), 'explicit_buckets')?.bounds).toBe(
        '${local.price_to_alert_bounds}',
      );
    });
  });

  describe('burn-rate alerts', () => {
    it('covers every SLO resource with a fast and a slow burn policy', () => {
      const slos = String(locals.slos);
      for (const name of Object.keys(res.google_monitoring_slo))
        expect({ name, listed: slos.includes(`google_monitoring_slo.${name}`) }).toEqual({
          name,
          listed: true,
        });
      for (const speed of ['fast', 'slow']) {
        const policy = policies[`slo_${speed}_burn`];
        expect(policy.for_each).toBe('${local.slos}');
        expect(policy.combiner).toBe('AND');
        const filters = (policy.conditions as Body[]).map((c) => block(c, 'condition_threshold')?.filter);
        expect(filters).toEqual([
          `select_slo_burn_rate("\${each.value}", "\${local.burn_rates.${speed}.long}")`,
          `select_slo_burn_rate("\${each.value}", "\${local.burn_rates.${speed}.short}")`,
        ]);
        for (const c of policy.conditions as Body[])
          expect(block(c, 'condition_threshold')?.threshold_value).toBe(
            `\${local.burn_rates.${speed}.threshold}`,
          );
      }
    });

    it('pages at 8.4x over 1 h and 5 min (5 % of a 7-day budget), emails at 2.8x over 6 h and 30 min (10 %)', () => {
      expect(evaluated.window_hours).toBe(168);
      expect(evaluated.burn_rates.fast).toMatchObject({ threshold: 8.4, long: '3600s', short: '300s' });
      expect(evaluated.burn_rates.slow).toMatchObject({ threshold: 2.8, long: '21600s', short: '1800s' });
      expect(policies.slo_fast_burn.severity).toBe('CRITICAL');
      expect(policies.slo_slow_burn.severity).toBe('WARNING');
    });
  });

  describe('notification channels', () => {
    it('routes PagerDuty only to CRITICAL policies, and email to all', () => {
      const routes = Object.entries(policies).map(([name, p]) => ({
        name,
        severity: p.severity,
        channels: p.notification_channels,
      }));
      expect(routes.filter((r) => r.severity === undefined)).toEqual([]);
      for (const r of routes)
        expect(r).toEqual({
          ...r,
          channels: r.severity === 'CRITICAL' ? '${local.critical_channels}' : '${local.channels}',
        });
      expect(
        routes
          .filter((r) => r.severity === 'CRITICAL')
          .map((r) => r.name)
          .sort(),
      ).toEqual(['dead_letter_backlog', 'slo_fast_burn', 'uptime']);
      // The PagerDuty channel appears nowhere but in the critical list.
      const uses = ['main.tf', 'slo.tf', 'uptime.tf', 'dashboard.tf', 'log-metrics.tf'].flatMap((f) =>
        [...read(join(MONITORING, f)).matchAll(/var\.pagerduty_channel/g)].map(() => f),
      );
      const inCritical = [...String(locals.critical_channels).matchAll(/var\.pagerduty_channel/g)].length;
      expect(inCritical).toBeGreaterThan(0);
      expect(uses).toEqual(Array(inCritical).fill('main.tf')); // only in the critical_channels expression
      expect(String(locals.channels)).not.toContain('pagerduty');
    });

    it('has no PagerDuty channel when pagerduty_channel is null (the default), and pages it when set', async () => {
      const variable = labelled(config, 'variable').pagerduty_channel;
      expect(variable.default).toBeNull();
      expect(evaluated.critical_channels).toEqual(['email']);
      expect(evaluated.channels).toEqual(['email']);
      const channel = 'projects/fusion-risk-prod/notificationChannels/123456';
      const paged = await evaluate({ pagerduty_channel: channel });
      expect(paged.critical_channels).toEqual(['email', channel]);
      expect(paged.channels).toEqual(['email']);
      // Terraform never holds the integration key: the channel is created out of band.
      expect(res.google_monitoring_notification_channel.pagerduty).toBeUndefined();
      const env = await parseDir(join(MODULES_DIR, 'environment'));
      expect(labelled(env, 'variable').pagerduty_channel.default).toBeNull();
      expect(labelled(env, 'module').monitoring.pagerduty_channel).toBe('${var.pagerduty_channel}');
    });
  });

  describe('uptime checks', () => {
    const endpoints = {
      personaWebhook: 'https://hooks.example.com/persona-webhook',
      riskApi: 'https://hooks.example.com/risk-api',
    };

    it('checks the Persona webhook through the load balancer for its 405 to a GET, and the dashboard for 200', async () => {
      const both = await evaluate({ public_endpoints: endpoints, dashboard_url: 'https://risk.example.com' });
      expect(both.uptime_urls).toEqual({
        personaWebhook: { host: 'hooks.example.com', path: '/persona-webhook', status: 405 },
        dashboard: { host: 'risk.example.com', path: '/', status: 200 },
      });
      const noDashboard = await evaluate({ public_endpoints: endpoints });
      expect(Object.keys(noDashboard.uptime_urls)).toEqual(['personaWebhook']);
      expect(Object.keys(evaluated.expected_status).filter((f) => !(f in FOLDERS))).toEqual([]);

      const check = res.google_monitoring_uptime_check_config.endpoint;
      expect(check.for_each).toBe('${local.uptime_urls}');
      const http = block(check, 'http_check');
      expect(http).toMatchObject({ request_method: 'GET', use_ssl: true, validate_ssl: true, port: 443 });
      expect(block(http, 'accepted_response_status_codes')?.status_value).toBe('${each.value.status}');
      expect(policies.uptime.for_each).toBe('${local.uptime_urls}');
      expect(block(block(policies.uptime, 'conditions'), 'condition_threshold')?.filter).toContain(
        '${google_monitoring_uptime_check_config.endpoint[each.key].uptime_check_id}',
      );
    });

    it('expects what personaWebhook answers to a GET, which Cloud Armor lets through (it has no body)', () => {
      const wiring = read(join(ROOT, 'functions', 'persona-webhook', 'wiring.ts'));
      expect(wiring).toMatch(/if \(req\.method !== 'POST'\) return reply\(405,/);
      expect(evaluated.expected_status.personaWebhook).toBe(405);
      const edge = read(join(MODULES_DIR, 'edge', 'main.tf'));
      expect(edge).toContain(
        "!has(request.headers['content-length']) && (request.method == 'POST' || request.method == 'PUT' || request.method == 'PATCH')",
      );
    });

    it('is wired to the edge endpoints and the dashboard domain by modules/environment', async () => {
      const call = labelled(await parseDir(join(MODULES_DIR, 'environment')), 'module').monitoring;
      expect(call.public_endpoints).toBe('${module.edge.endpoints}');
      expect(call.dashboard_url).toBe(
        '${length(var.dashboard_domains) > 0 ? "https://${var.dashboard_domains[0]}" : null}',
      );
    });
  });

  describe('operations dashboard', () => {
    it('shows price-to-alert p50/p99, shard time, portfolios, notification latency, 5xx, dead letters, burn, checkRisk', () => {
      const widgets = String(locals.dashboard_widgets);
      for (const shown of [
        'local.series.price_to_alert_p50',
        'local.series.price_to_alert_p99',
        'local.series.shard_time_p99',
        'google_logging_metric.portfolios_valued.name',
        'local.series.notification_p99',
        'response_code_class=\\"5xx\\"',
        'pubsub.googleapis.com/subscription/num_undelivered_messages',
        'select_slo_burn_rate',
        'local.answer_charts',
      ])
        expect({ shown, present: widgets.includes(shown) }).toEqual({ shown, present: true });
      expect(Object.keys(locals.answer_charts as Body).filter((f) => !(f in FOLDERS))).toEqual([]);
      expect(String(res.google_monitoring_dashboard.operations.dashboard_json)).toContain(
        'local.dashboard_widgets',
      );
    });
  });
});
