/**
 * What a person reads: the e-mail subject, the plain-text body line by line, its HTML copy, the one-line SMS and
 * the webhook's text, for every alert family and the optional fields that change a line. The everyday renderings
 * are in domain.test.ts and the per-family tests; these pin the wording of each state, the figures, the ids that
 * lead back to the portfolio, customer, case or audit entry, and what is left out when a field is absent.
 */
import {
  EMAIL_LAYOUT,
  emailFields,
  fillLayout,
  renderEmail,
  renderSms,
  renderWebhook,
} from '../../../shared/domain/notifications/templates';
import type {
  AmlAlert,
  CaseAlert,
  Dispatch,
  MarginAlert,
  OperationsAlert,
  PriceAlert,
  RiskAlert,
} from '../../../shared/domain/notifications/types';
import { loadFixtures } from '../contracts/schema-fixtures';

const base = loadFixtures('messages/notifications.dispatch.v1').base as Dispatch;
const fixture = <T>(schema: string, file = 'good.json'): T =>
  loadFixtures(`messages/${schema}`).good.find((g) => g.file === file)?.value as T;

const margin = fixture<MarginAlert>('alerts.margin.v1');
const aml = fixture<AmlAlert>('alerts.aml.v1');
const price = fixture<PriceAlert>('alerts.prices.v1');
const notValued = fixture<PriceAlert>('alerts.prices.v1', 'good-portfolio-not-valued.json');
const ops = fixture<OperationsAlert>('alerts.operations.v1');
const opsNoEvent = fixture<OperationsAlert>('alerts.operations.v1', 'good-position.json');
const stop = fixture<RiskAlert>('alerts.risk.v1');
const breach = fixture<RiskAlert>('alerts.risk.v1', 'good-limit-breached.json');
const invalid = fixture<RiskAlert>('alerts.risk.v1', 'good-policy-invalid.json');
const caseAlert = fixture<CaseAlert>('alerts.cases.v1');

function dispatchOf(
  source: Dispatch['source'],
  alert: Dispatch['alert'],
  severity: Dispatch['severity'] = 'WARNING',
): Dispatch {
  const family = source.split('.')[1];
  const kind = 'kind' in alert ? alert.kind : 'toState' in alert ? alert.toState : 'x';
  return { ...base, source, kind: `${family}.${kind}`, severity, alert };
}
const marginOf = (a: Partial<MarginAlert>) => dispatchOf('alerts.margin.v1', { ...margin, ...a });
const amlOf = (a: Partial<AmlAlert>) => dispatchOf('alerts.aml.v1', { ...aml, ...a }, 'CRITICAL');
const priceOf = (a: Partial<PriceAlert>) => dispatchOf('alerts.prices.v1', { ...price, ...a }, 'CRITICAL');
const riskOf = (a: Partial<RiskAlert>, from: RiskAlert = stop) =>
  dispatchOf('alerts.risk.v1', { ...from, ...a }, 'CRITICAL');

/** The body lines between the headline's blank line and the footer's. */
const bodyLines = (d: Dispatch) => renderEmail(d).text.split('\n').slice(2, -2);
const FOOTER = 'Fusion Risk — manage your notification preferences in the app.';

describe('e-mail layout', () => {
  it('is the headline, a blank line, one line per fact, a blank line and the preferences footer', () => {
    const email = renderEmail(marginOf({}));
    expect(email.text.split('\n')).toEqual([
      'Margin call: add collateral or repay (desk-001)',
      '',
      'Portfolio: desk-001',
      'State: WARNING -> MARGIN_CALL',
      'Health score: 22.4 (margin call below 30, liquidation below 15)',
      'Collateral: 15,912 USD; borrowed: 13,000 USD',
      'As of: 2022-11-09T15:00:00Z (tick tick-20221109T1500Z)',
      'Event: me_0f3a9c2b7d6e4f1a8b9c0d1e2f3a4b5c',
      '',
      FOOTER,
    ]);
  });

  it('has an HTML copy with the headline as a heading, one list item per line, and the footer', () => {
    const { html } = renderEmail(marginOf({}));
    expect(
      html.startsWith(
        '<h2>Margin call: add collateral or repay (desk-001)</h2><ul><li>Portfolio: desk-001</li>',
      ),
    ).toBe(true);
    expect(html.match(/<li>/g)).toHaveLength(6);
    expect(html).toContain('<li>Portfolio: desk-001</li><li>State: WARNING -&gt; MARGIN_CALL</li>');
    expect(html.endsWith(`</ul><p>${FOOTER}</p>`)).toBe(true);
  });

  it('escapes every HTML-significant character a summary may hold, in the body and the heading', () => {
    const d = amlOf({ summary: 'say "hi" <script>alert(1)</script> & leave', userId: 'cust<b>"x"' });
    const { html, text, subject } = renderEmail(d);
    expect(html).toContain('<li>say &quot;hi&quot; &lt;script&gt;alert(1)&lt;/script&gt; &amp; leave</li>');
    expect(html).toContain('(cust&lt;b&gt;&quot;x&quot;)</h2>');
    expect(html).not.toContain('<script>');
    // The plain text and the subject are not HTML: they keep the characters as written.
    expect(text).toContain('say "hi" <script>alert(1)</script> & leave');
    expect(subject).toContain('(cust<b>"x")');
  });
});

describe('the shared layout (one SendGrid request for several e-mails)', () => {
  it('holds every field of every family, and nothing else varies between e-mails', () => {
    for (const d of [
      marginOf({}),
      amlOf({}),
      priceOf({}),
      riskOf({}),
      dispatchOf('alerts.cases.v1', caseAlert),
    ]) {
      const { fields } = emailFields(d);
      const layoutOnly = (s: string) =>
        fillLayout(s, { headline: '', lines: '', headline_html: '', lines_html: '' });
      expect(renderEmail(d).text).toBe(
        `${fields.headline}\n\n${fields.lines}${layoutOnly(EMAIL_LAYOUT.text).slice(2)}`,
      );
      expect(layoutOnly(EMAIL_LAYOUT.html)).toBe(
        '<h2></h2><ul></ul><p>Fusion Risk — manage your notification preferences in the app.</p>',
      );
    }
  });

  it('fills each tag once and never reads a value as a tag', () => {
    expect(fillLayout('{{a}}-{{b}}-{{a}}', { a: '{{b}}', b: 'x' })).toBe('{{b}}-x-{{b}}');
    expect(fillLayout('{{a}} {{unknown}}', { a: '1' })).toBe('1 {{unknown}}');
  });
});

describe('margin alerts', () => {
  it.each([
    ['LIQUIDATION', 'LIQUIDATION: collateral below the liquidation threshold (desk-001)'],
    ['MARGIN_CALL', 'Margin call: add collateral or repay (desk-001)'],
    ['WARNING', 'Margin warning: health is deteriorating (desk-001)'],
    ['HEALTHY', 'Back to healthy (desk-001)'],
  ] as const)('a move to %s is headed "%s"', (toState, headline) => {
    expect(renderEmail(marginOf({ toState })).subject).toBe(`[WARNING] ${headline}`);
  });

  it('rounds money to whole dollars with thousands separators', () => {
    const lines = bodyLines(marginOf({ collateralUsd: 1_234_567.5, borrowUsd: 999.49 }));
    expect(lines).toContain('Collateral: 1,234,568 USD; borrowed: 999 USD');
  });

  it('says "no borrow" instead of a health score for a portfolio without debt, in the e-mail and the SMS', () => {
    const d = marginOf({ healthScore: null, fromState: 'WARNING', toState: 'HEALTHY' });
    expect(bodyLines(d)).toContain('Health score: no borrow (margin call below 30, liquidation below 15)');
    expect(renderSms(d)).toBe(
      'Fusion Risk WARNING: desk-001 WARNING->HEALTHY, health no borrow. Ref me_0f3a9c2b',
    );
  });

  it('shows the health score to one decimal', () => {
    expect(bodyLines(marginOf({ healthScore: 14.96 }))).toContain(
      'Health score: 15.0 (margin call below 30, liquidation below 15)',
    );
  });
});

describe('AML alerts', () => {
  it.each([
    ['BLOCK', 'AML: block recommended', 'block'],
    ['ENHANCED_DUE_DILIGENCE', 'AML: enhanced due diligence', 'enhanced due diligence'],
    ['MANUAL_REVIEW', 'AML: manual review', 'manual review'],
  ] as const)('%s is headed "%s" and recommends "%s"', (recommendedAction, headline, action) => {
    const d = amlOf({ recommendedAction });
    expect(renderEmail(d).subject).toBe(`[CRITICAL] ${headline}: structuring (desk-client-dmitri)`);
    expect(bodyLines(d)).toContain(`Recommended action: ${action}`);
  });

  it('names the rule type in words, the customer, transaction, rule, policy, amount and times', () => {
    const d = amlOf({ ruleType: 'new_account_high_value' });
    expect(renderEmail(d).subject).toBe(
      '[CRITICAL] AML: enhanced due diligence: new account high value (desk-client-dmitri)',
    );
    expect(bodyLines(d)).toEqual([
      'Structuring: 3 transactions of 8,000 USD to 10,000 USD within 24h, 29,050 USD in total',
      'Customer: desk-client-dmitri; transaction: scn-aml-003',
      'Rule: structuring.24h (new_account_high_value), policy 2025-11-01.1',
      'Amount: 9,900 USD; severity: CRITICAL',
      'Recommended action: enhanced due diligence',
      'Occurred: 2020-03-20T23:00:00.000Z; alert: aml_6f1c2a9e0b7d4c3a8e5f9d2b1a0c7e64',
    ]);
  });

  it('says n/a for an alert without an amount (e.g. a sanctions hit), never "undefined"', () => {
    const { amountUsd: _omitted, ...noAmount } = aml;
    const d = dispatchOf('alerts.aml.v1', { ...noAmount, ruleType: 'sanctions_screening' }, 'CRITICAL');
    expect(bodyLines(d)).toContain('Amount: n/a; severity: CRITICAL');
  });

  it('fits the SMS in one line with the rule, customer, action and a 12-character reference', () => {
    expect(renderSms(amlOf({ recommendedAction: 'BLOCK' }))).toBe(
      'Fusion Risk AML CRITICAL: structuring on desk-client-dmitri, BLOCK. Ref aml_6f1c2a9e',
    );
  });
});

describe('price alerts', () => {
  it.each([
    ['NO_USABLE_PRICE', 'Prices: no usable price, nothing published (ETH)'],
    ['SOURCE_CIRCUIT_OPEN', 'Prices: a source circuit opened (ETH)'],
    ['SOURCES_DISAGREE', 'Prices: sources disagree (ETH)'],
  ] as const)('%s is headed "%s"', (kind, headline) => {
    expect(renderEmail(priceOf({ kind })).subject).toBe(`[CRITICAL] ${headline}`);
  });

  it('lists the asset, every reason, the tick and the alert id', () => {
    expect(bodyLines(priceOf({}))).toEqual([
      'Asset: ETH',
      'chainlink: STALE (answer 3h old)',
      'pyth: DEVIATION from median 12.4%',
      'As of: 2024-08-05T06:20:00Z (tick tick-20240805T0620Z)',
      'Alert: pa_tick-20240805T0620Z_ETH_NO_USABLE_PRICE',
    ]);
  });

  it('names the unvalued portfolio first and its unpriced assets, and never prints "undefined" without one', () => {
    const d = priceOf(notValued);
    expect(bodyLines(d)[0]).toBe('Portfolio: pf-000123; unpriced: ETH,WBTC');
    expect(renderWebhook(d)).toContain('Risk: portfolio not valued, margin unmonitored (pf-000123)');
    const { portfolioId: _omitted, ...noPortfolio } = notValued;
    const bare = dispatchOf('alerts.prices.v1', noPortfolio, 'CRITICAL');
    expect(renderEmail(bare).subject).toBe('[CRITICAL] Risk: portfolio not valued, margin unmonitored ()');
    expect(bodyLines(bare)[0]).toBe('Portfolio: n/a; unpriced: ETH,WBTC');
    expect(renderSms(bare)).toBe(
      'Fusion Risk PRICES CRITICAL: PORTFOLIO_NOT_VALUED  (unpriced ETH,WBTC), tick-20240805T0620Z.',
    );
  });
});

describe('operations alerts', () => {
  it('names the source, the subject, the event when there is one, the skew and the message kept for replay', () => {
    expect(bodyLines(dispatchOf('alerts.operations.v1', ops))).toEqual([
      'Source: compliance.transactions.v1; user desk-client-dmitri; event txn-2024-08-05-000417',
      'occurredAt 2099-01-01T00:00:00Z, received 2024-08-05T12:00:30Z: 2348741970 s ahead (allowed 300 s)',
      'Kept for replay once the upstream clock is fixed (message 900017)',
      'Alert: ops_5b1e0c9d2f7a48e6b3c1d0e9f8a7b6c5',
    ]);
    expect(bodyLines(dispatchOf('alerts.operations.v1', opsNoEvent))[0]).toBe(
      'Source: portfolio.positions.v1; portfolio desk-001',
    );
  });
});

describe('risk-control alerts', () => {
  it.each([
    ['STOP_CHANGED', 'Kill switch changed'],
    ['POLICY_INVALID', 'Risk policy invalid: last valid version kept'],
    ['RISK_LIMIT_BREACHED', 'Risk limit breached'],
    ['RISK_LIMIT_CLEARED', 'Risk limit cleared'],
  ] as const)('%s is headed "%s" with its scope', (kind, headline) => {
    expect(renderEmail(riskOf({ kind })).subject).toBe(`[CRITICAL] ${headline} (desk:emea-lending)`);
  });

  it('tells who engaged a stop, from which state to which, why, when and under which audit entry', () => {
    expect(bodyLines(riskOf({}))).toEqual([
      'Scope: desk:emea-lending',
      'Stop: ACTIVE -> HALTED (manual)',
      'By: risk-operator@desk.example',
      'Reason: ETH depeg: halt new borrowing on the desk',
      'At: 2024-08-05T12:00:30.000Z (audit desk:emea-lending:3)',
      'Alert: risk_3c9a1f0e7b2d4c6a8e0f1a2b3c4d5e6f',
    ]);
  });

  it('shows a release awaiting its second approver, and the state it would loosen to', () => {
    const d = riskOf({
      transition: 'RELEASE_REQUESTED',
      stateBefore: 'HALTED',
      stateAfter: 'HALTED',
      pendingTarget: 'REDUCING',
    });
    expect(bodyLines(d)).toContain(
      'Stop: HALTED: release to REDUCING requested, awaiting a second approver (manual)',
    );
    expect(renderSms(d)).toBe(
      'Fusion Risk CONTROLS CRITICAL: STOP_CHANGED desk:emea-lending HALTED: release to REDUCING requested, awaiting a second approver. Ref risk_3c9a1f0e',
    );
  });

  it('marks unknown stop states with "?" and names the breaker when it tripped the stop', () => {
    const { stateBefore: _b, stateAfter: _a, ...bare } = stop;
    expect(bodyLines(riskOf({ trigger: 'breaker' }, bare))).toContain('Stop: ? -> ? (breaker)');
    expect(bodyLines(riskOf({ transition: 'RELEASE_REQUESTED' }, bare))).toContain(
      'Stop: ?: release to ? requested, awaiting a second approver (manual)',
    );
    const { trigger: _t, ...untriggered } = stop;
    expect(bodyLines(riskOf({}, untriggered))).toContain('Stop: ACTIVE -> HALTED (manual)');
  });

  it('states a breached limit with its policy version, rule and kind, metric, value, operator and threshold', () => {
    const d = dispatchOf('alerts.risk.v1', breach, 'CRITICAL');
    expect(bodyLines(d)).toEqual([
      'Scope: portfolio:pf-whale-1',
      'Policy: desk-emerging v3',
      'Rule: negative-equity (hard)',
      'Limit: equityUsd -125000.5 < 0 (now)',
      'At: 2020-03-12T14:00:00.000Z',
      'Alert: risk_7d1e0c2b9a8f7e6d5c4b3a291807f6e5',
    ]);
    expect(renderSms(d)).toBe(
      'Fusion Risk CONTROLS CRITICAL: RISK_LIMIT_BREACHED portfolio:pf-whale-1. Ref risk_7d1e0c2b',
    );
  });

  it('says "no longer" and since when once a limit clears', () => {
    const lines = bodyLines(riskOf({ kind: 'RISK_LIMIT_CLEARED', value: 2 }, breach));
    expect(lines).toContain('Limit: equityUsd 2 < 0 (no longer)');
    expect(lines).toContain('Violated since: 2020-03-12T14:00:00.000Z');
    const { since: _s, ...sinceUnknown } = breach;
    expect(bodyLines(riskOf({ kind: 'RISK_LIMIT_CLEARED' }, sinceUnknown)).join('\n')).not.toContain(
      'Violated since',
    );
  });

  it('names a per-asset metric with its asset, and the value state when the value is not a number', () => {
    const lines = (a: Partial<RiskAlert>) => bodyLines(riskOf(a, breach));
    expect(
      lines({ metric: 'concentration', asset: 'ETH', operator: '>', threshold: 0.4, value: 0.55 }),
    ).toContain('Limit: concentration ETH 0.55 > 0.4 (now)');
    expect(
      lines({ metric: 'leverage', operator: '>=', threshold: 3, value: null, valueState: 'NEGATIVE_EQUITY' }),
    ).toContain('Limit: leverage NEGATIVE_EQUITY >= 3 (now)');
    const { value: _v, ...noValue } = breach;
    expect(bodyLines(riskOf({ metric: 'leverage', operator: '>', threshold: 3 }, noValue))).toContain(
      'Limit: leverage n/a > 3 (now)',
    );
    expect(lines({ value: 0 })).toContain('Limit: equityUsd 0 < 0 (now)');
  });

  it('leaves the limit line out unless metric, operator and threshold are all known', () => {
    const hasLimit = (a: RiskAlert) =>
      bodyLines(dispatchOf('alerts.risk.v1', a, 'CRITICAL')).some((l) => l.startsWith('Limit:'));
    const { metric: _m, ...noMetric } = breach;
    const { operator: _o, ...noOperator } = breach;
    const { threshold: _t, ...noThreshold } = breach;
    expect([breach, noMetric, noOperator, noThreshold].map(hasLimit)).toEqual([true, false, false, false]);
  });

  it('names the policy without a version when it has none, keeps version 0, and a rule without a kind', () => {
    const { policyVersion: _v, ruleKind: _k, ...bare } = breach;
    const lines = bodyLines(dispatchOf('alerts.risk.v1', bare, 'CRITICAL'));
    expect(lines).toContain('Policy: desk-emerging');
    expect(lines).toContain('Rule: negative-equity');
    expect(bodyLines(riskOf({ policyVersion: 0 }, breach))).toContain('Policy: desk-emerging v0');
  });

  it('lists every problem of an invalid policy, and has no stop, rule, actor or reason lines', () => {
    expect(bodyLines(dispatchOf('alerts.risk.v1', invalid, 'CRITICAL'))).toEqual([
      'Scope: global',
      'Policy: global-limits v4',
      "/rules/0/ruleId 'lev' is used by an earlier rule",
      'At: 2024-08-05T12:00:30.000Z',
      'Alert: risk_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    ]);
  });
});

describe('compliance case alerts', () => {
  it('ends with when the breach was detected and the alert id', () => {
    const lines = bodyLines(dispatchOf('alerts.cases.v1', caseAlert, 'CRITICAL'));
    expect(lines[lines.length - 1]).toBe(
      'Detected: 2026-12-04T12:00:20.000Z; alert: cas_0123456789abcdef0123456789abcdef',
    );
  });

  it('leaves "unassigned" out of the SMS when someone owns the case', () => {
    expect(renderSms(dispatchOf('alerts.cases.v1', caseAlert, 'CRITICAL'))).toBe(
      'Fusion Risk CASES CRITICAL: SLA_BREACHED cs_0123456789abcdef0123456789abcdef, due 2026-12-04T12:00:00.000Z. Ref cas_01234567',
    );
  });
});

describe('webhook body', () => {
  it('carries the headline and every line as newline-separated text, with the dispatch and the alert', () => {
    const d = dispatchOf('alerts.risk.v1', invalid, 'CRITICAL');
    const body = JSON.parse(renderWebhook(d)) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('alert.risk.POLICY_INVALID');
    expect(body.timestamp).toBe(base.createdAt);
    expect(body.data).toEqual({
      dispatchId: base.dispatchId,
      alertId: base.alertId,
      kind: 'risk.POLICY_INVALID',
      subject: base.subject,
      severity: 'CRITICAL',
      escalation: base.escalation,
      text: [
        'Risk policy invalid: last valid version kept (global)',
        'Scope: global',
        'Policy: global-limits v4',
        "/rules/0/ruleId 'lev' is used by an earlier rule",
        'At: 2024-08-05T12:00:30.000Z',
        'Alert: risk_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      ].join('\n'),
      alert: invalid,
    });
  });
});
