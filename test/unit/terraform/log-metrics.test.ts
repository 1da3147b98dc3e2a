/**
 * The log-based metrics of modules/monitoring against the log lines they read. A metric's filter matches
 * jsonPayload.message exactly and its extractors read jsonPayload.<field>: renaming a message or a field in the
 * code would leave the metric (and the SLO or dashboard on it) silently empty in production. Here every metric's
 * message must be one of the code's message constants, and every field it reads must be one the use case logs
 * with that message, under a key the logger does not redact.
 */
import { join } from 'node:path';
import { MODULES_DIR, ROOT, labelled, localsOf, parseDir, read, resourcesOf, type Body } from './hcl';
import {
  HISTORY_GAP_LOG,
  MARGIN_ALERT_PUBLISHED_LOG,
  SHARD_VALUED_LOG,
} from '../../../shared/platform/log-messages';
import { ATTEMPT_LOG_MESSAGE } from '../../../shared/use-cases/deliver-notification';
import { StructuredLogger } from '../../../shared/platform/logger';

/** Each message a metric may read => the use case that logs it and the constant it logs it with. */
const LOGGED: Record<string, { file: string; constant: string }> = {
  [SHARD_VALUED_LOG]: { file: 'shared/use-cases/compute-portfolio-risk.ts', constant: 'SHARD_VALUED_LOG' },
  [MARGIN_ALERT_PUBLISHED_LOG]: {
    file: 'shared/use-cases/detect-margin-events.ts',
    constant: 'MARGIN_ALERT_PUBLISHED_LOG',
  },
  [ATTEMPT_LOG_MESSAGE]: {
    file: 'shared/use-cases/deliver-notification.ts',
    constant: 'ATTEMPT_LOG_MESSAGE',
  },
  // Logged by the helper computePortfolioRisk and checkRisk both call once per VaR engine build.
  [HISTORY_GAP_LOG]: { file: 'shared/use-cases/risk-history.ts', constant: 'HISTORY_GAP_LOG' },
};

/**
 * The top-level keys of the object literal logged with `constant` (`<logger>.info(CONSTANT, { a, b: x, ... })`)
 * in a source file. A spread would hide keys from this reading: it is reported as "...".
 */
function loggedFields(source: string, constant: string): string[][] {
  const calls: string[][] = [];
  const call = new RegExp(`\\.(?:info|warn|error|debug)\\(\\s*${constant}\\s*,\\s*\\{`, 'g');
  for (const m of source.matchAll(call)) {
    let depth = 1;
    let i = (m.index ?? 0) + m[0].length;
    const start = i;
    for (; i < source.length && depth > 0; i++) {
      const c = source[i];
      if (c === '{' || c === '(' || c === '[') depth++;
      else if (c === '}' || c === ')' || c === ']') depth--;
    }
    const body = source.slice(start, i - 1);
    const parts: string[] = [];
    let d = 0;
    let current = '';
    for (const c of body) {
      if (c === '{' || c === '(' || c === '[') d++;
      if (c === '}' || c === ')' || c === ']') d--;
      if (c === ',' && d === 0) {
        parts.push(current);
        current = '';
      } else current += c;
    }
    parts.push(current);
    calls.push(
      parts
        .map((p) => p.replace(/\/\/.*$/gm, '').trim())
        .filter(Boolean)
        .map((p) => (p.startsWith('...') ? '...' : (/^(\w+)\s*(?::|$)/.exec(p)?.[1] ?? `?${p}`))),
    );
  }
  return calls;
}

/** The jsonPayload fields a metric reads (filter, value and label extractors), message aside. */
function fieldsRead(metric: Body): string[] {
  const texts = [
    String(metric.filter ?? ''),
    String(metric.value_extractor ?? ''),
    ...Object.values((metric.label_extractors as Record<string, string> | undefined) ?? {}),
  ];
  return [...new Set(texts.flatMap((t) => [...t.matchAll(/jsonPayload\.(\w+)/g)].map((m) => m[1])))].filter(
    (f) => f !== 'message',
  );
}

/**
 * What is wrong with a metric: its message is not one the code logs, or it reads a field the use case does not
 * log with it (in every call with that message) or that the logger would redact.
 */
function metricProblems(
  name: string,
  metric: Body,
  resolve: (expression: string) => string | undefined,
  sourceOf: (file: string) => string,
): string[] {
  const filter = String(metric.filter ?? '');
  const m = /jsonPayload\.message="([^"]*(?:\$\{[^}]+\}[^"]*)*)"/.exec(filter);
  if (!m) return [`${name}: its filter does not match jsonPayload.message exactly`];
  const message = m[1].replace(/\$\{([^}]+)\}/g, (_all, e: string) => resolve(e) ?? `<unresolved ${e}>`);
  const logged = LOGGED[message];
  if (!logged) return [`${name}: no use case logs "${message}"`];
  const calls = loggedFields(sourceOf(logged.file), logged.constant);
  if (calls.length === 0) return [`${name}: ${logged.file} never logs ${logged.constant}`];
  const problems: string[] = [];
  for (const field of fieldsRead(metric)) {
    const missing = calls.filter((keys) => !keys.includes(field) && !keys.includes('...'));
    if (missing.length > 0)
      problems.push(`${name}: reads jsonPayload.${field}, which ${logged.file} does not log`);
  }
  // The logger writes each field at the top level of the JSON line (jsonPayload.<field>) unless it redacts it.
  const lines: Record<string, unknown>[] = [];
  const logger = new StructuredLogger({ sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  const probe = Object.fromEntries(fieldsRead(metric).map((f) => [f, 12345]));
  logger.info(message, probe);
  for (const f of Object.keys(probe))
    if (lines[0]?.[f] !== 12345) problems.push(`${name}: the logger does not write ${f} as jsonPayload.${f}`);
  if (lines[0]?.message !== message) problems.push(`${name}: the logger rewrites the message "${message}"`);
  return problems;
}

describe('log-based metrics read what the code logs', () => {
  let config: Body;
  let metrics: Record<string, Body>;
  let resolve: (expression: string) => string | undefined;
  const sourceOf = (file: string) => read(join(ROOT, file));

  beforeAll(async () => {
    config = await parseDir(join(MODULES_DIR, 'monitoring'));
    metrics = resourcesOf(config).google_logging_metric ?? {};
    const messages = localsOf(config).log_messages as Record<string, string>;
    const deliveryType = String(labelled(config, 'variable').delivery_log.type);
    const deliveryMessage = /message\s*=\s*optional\(string,\s*"([^"]+)"\)/.exec(deliveryType)?.[1];
    resolve = (e) => {
      const local = /^local\.log_messages\.(\w+)$/.exec(e);
      if (local) return messages[local[1]];
      if (e === 'var.delivery_log.message') return deliveryMessage;
      return undefined;
    };
  });

  it('has the metrics of the use cases figures', () => {
    expect(Object.keys(metrics).sort()).toEqual([
      'history_gaps',
      'notification_attempts',
      'notification_latency',
      'portfolios_valued',
      'price_to_alert',
      'shard_valuation_time',
    ]);
  });

  it('names only messages the code logs, with the code constants', () => {
    const messages = localsOf(config).log_messages as Record<string, string>;
    expect(messages).toEqual({
      shard_valued: SHARD_VALUED_LOG,
      margin_alert_published: MARGIN_ALERT_PUBLISHED_LOG,
      history_gap: HISTORY_GAP_LOG,
    });
    expect(resolve('var.delivery_log.message')).toBe(ATTEMPT_LOG_MESSAGE);
  });

  it('reads, per metric, only fields the use case logs with that message', () => {
    const problems = Object.entries(metrics).flatMap(([name, metric]) =>
      metricProblems(name, metric, resolve, sourceOf),
    );
    expect(problems).toEqual([]);
  });

  it('logs each message from exactly the use case named, once', () => {
    for (const [message, { file, constant }] of Object.entries(LOGGED))
      expect({ message, calls: loggedFields(sourceOf(file), constant).length }).toEqual({
        message,
        calls: 1,
      });
    // The figures the metrics read, as logged today.
    expect(loggedFields(sourceOf(LOGGED[SHARD_VALUED_LOG].file), 'SHARD_VALUED_LOG')[0]).toEqual([
      'tickId',
      'shard',
      'portfolios',
      'valued',
      'durationMs',
    ]);
    expect(
      loggedFields(sourceOf(LOGGED[MARGIN_ALERT_PUBLISHED_LOG].file), 'MARGIN_ALERT_PUBLISHED_LOG')[0],
    ).toEqual(['eventId', 'tickId', 'toState', 'priceToAlertMs']);
    expect(loggedFields(sourceOf(LOGGED[HISTORY_GAP_LOG].file), 'HISTORY_GAP_LOG')[0]).toEqual([
      'asset',
      'date',
      'historyEnd',
    ]);
  });

  it('alerts on every daily close VaR was computed without, per asset, from the use cases that build an engine', () => {
    // Both engine builders log through the one helper, once per build (not per portfolio).
    for (const file of [
      'shared/use-cases/compute-portfolio-risk.ts',
      'shared/use-cases/controls/controls-state.ts',
    ]) {
      const source = sourceOf(file);
      expect({ file, calls: [...source.matchAll(/logHistoryGaps\(/g)].length }).toEqual({ file, calls: 1 });
      expect({ file, builds: [...source.matchAll(/new RiskEngine\(/g)].length }).toEqual({ file, builds: 1 });
    }
    const metric = metrics.history_gaps;
    expect(metric.label_extractors).toEqual({ asset: 'EXTRACT(jsonPayload.asset)' });
    expect((metric.metric_descriptor as Body[])[0]).toMatchObject({
      metric_kind: 'DELTA',
      value_type: 'INT64',
    });
    const policy = resourcesOf(config).google_monitoring_alert_policy.history_gaps;
    const condition = ((policy.conditions as Body[])[0].condition_threshold as Body[])[0];
    expect(condition.filter).toContain('${local.history_gap_metric}');
    expect(condition).toMatchObject({ comparison: 'COMPARISON_GT', threshold_value: 0 });
    expect((condition.aggregations as Body[])[0].group_by_fields).toEqual(['metric.label.asset']);
    expect(localsOf(config).history_gap_metric).toBe(
      'logging.googleapis.com/user/${google_logging_metric.history_gaps.name}',
    );
  });

  it('extracts distributions with a value extractor and labels the metric declares', () => {
    for (const [name, metric] of Object.entries(metrics)) {
      const descriptor = (metric.metric_descriptor as Body[])[0];
      const declared = ((descriptor.labels as Body[] | undefined) ?? []).map((l) => l.key).sort();
      expect({
        name,
        labels: Object.keys((metric.label_extractors as Body | undefined) ?? {}).sort(),
      }).toEqual({
        name,
        labels: declared,
      });
      if (descriptor.value_type === 'DISTRIBUTION') {
        expect({ name, value: metric.value_extractor }).toEqual({
          name,
          value: expect.stringMatching(/^EXTRACT\(jsonPayload\.\w+\)$/),
        });
        expect({ name, buckets: 'bucket_options' in metric }).toEqual({ name, buckets: true });
      }
    }
  });

  it('reports a renamed field, an unknown message and a redacted field', () => {
    const metric = (filter: string, value: string): Body => ({ filter, value_extractor: value });
    const shard = `jsonPayload.message="\${local.log_messages.shard_valued}"`;
    expect(
      metricProblems('renamed', metric(shard, 'EXTRACT(jsonPayload.durationMillis)'), resolve, sourceOf),
    ).toEqual([
      'renamed: reads jsonPayload.durationMillis, which shared/use-cases/compute-portfolio-risk.ts does not log',
    ]);
    expect(
      metricProblems(
        'unknown',
        metric('jsonPayload.message="shard done"', 'EXTRACT(jsonPayload.durationMs)'),
        resolve,
        sourceOf,
      ),
    ).toEqual(['unknown: no use case logs "shard done"']);
    const fakeSource = () => `logger.info(SHARD_VALUED_LOG, { tickId, email: x, durationMs })`;
    expect(
      metricProblems('redacted', metric(shard, 'EXTRACT(jsonPayload.email)'), resolve, fakeSource),
    ).toEqual(['redacted: the logger does not write email as jsonPayload.email']);
  });
});
