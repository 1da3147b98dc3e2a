/**
 * Templates per alert kind, in plain text first: an SMS is one short line, an e-mail has a subject and a
 * readable body (an escaped HTML copy for mail clients), a webhook carries structured JSON. No PII beyond
 * what the alert itself holds (ids, amounts); contact details never appear in a message.
 */
import type {
  AmlAlert,
  CaseAlert,
  Dispatch,
  MarginAlert,
  OperationsAlert,
  PriceAlert,
  RiskAlert,
} from './types';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

// One formatter for every message: toLocaleString with options builds a new one per call, which was 5 % of the
// CPU of a notification.
const WHOLE_USD = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd = (n: number | undefined) => (n === undefined ? 'n/a' : `${WHOLE_USD.format(n)} USD`);
const score = (s: number | null) => (s === null ? 'no borrow' : s.toFixed(1));

const MARGIN_HEADLINE: Record<MarginAlert['toState'], string> = {
  LIQUIDATION: 'LIQUIDATION: collateral below the liquidation threshold',
  MARGIN_CALL: 'Margin call: add collateral or repay',
  WARNING: 'Margin warning: health is deteriorating',
  HEALTHY: 'Back to healthy',
};

const AML_HEADLINE: Record<AmlAlert['recommendedAction'], string> = {
  BLOCK: 'AML: block recommended',
  ENHANCED_DUE_DILIGENCE: 'AML: enhanced due diligence',
  MANUAL_REVIEW: 'AML: manual review',
};

function marginLines(a: MarginAlert): { headline: string; lines: string[] } {
  return {
    headline: `${MARGIN_HEADLINE[a.toState]} (${a.portfolioId})`,
    lines: [
      `Portfolio: ${a.portfolioId}`,
      `State: ${a.fromState} -> ${a.toState}`,
      `Health score: ${score(a.healthScore)} (margin call below 30, liquidation below 15)`,
      `Collateral: ${usd(a.collateralUsd)}; borrowed: ${usd(a.borrowUsd)}`,
      `As of: ${a.asOf} (tick ${a.tickId})`,
      `Event: ${a.eventId}`,
    ],
  };
}

function amlLines(a: AmlAlert): { headline: string; lines: string[] } {
  return {
    headline: `${AML_HEADLINE[a.recommendedAction]}: ${a.ruleType.replace(/_/g, ' ')} (${a.userId})`,
    lines: [
      a.summary,
      `Customer: ${a.userId}; transaction: ${a.transactionId}`,
      `Rule: ${a.ruleId} (${a.ruleType}), policy ${a.policyVersion}`,
      `Amount: ${usd(a.amountUsd)}; severity: ${a.severity}`,
      `Recommended action: ${a.recommendedAction.replace(/_/g, ' ').toLowerCase()}`,
      `Occurred: ${a.occurredAt}; alert: ${a.alertId}`,
    ],
  };
}

const PRICE_HEADLINE: Record<PriceAlert['kind'], string> = {
  NO_USABLE_PRICE: 'Prices: no usable price, nothing published',
  SOURCE_CIRCUIT_OPEN: 'Prices: a source circuit opened',
  SOURCES_DISAGREE: 'Prices: sources disagree',
  PORTFOLIO_NOT_VALUED: 'Risk: portfolio not valued, margin unmonitored',
};

function priceLines(a: PriceAlert): { headline: string; lines: string[] } {
  const notValued = a.kind === 'PORTFOLIO_NOT_VALUED';
  return {
    headline: `${PRICE_HEADLINE[a.kind]} (${notValued ? (a.portfolioId ?? '') : a.asset})`,
    lines: [
      ...(notValued ? [`Portfolio: ${a.portfolioId ?? 'n/a'}; unpriced: ${a.asset}`] : [`Asset: ${a.asset}`]),
      ...a.reasons,
      `As of: ${a.asOf} (tick ${a.tickId})`,
      `Alert: ${a.alertId}`,
    ],
  };
}

function operationsLines(a: OperationsAlert): { headline: string; lines: string[] } {
  return {
    headline: `Operations: event dated in the future refused (${a.sourceTopic})`,
    lines: [
      `Source: ${a.sourceTopic}; ${a.subjectKind} ${a.subjectId}${a.eventId ? `; event ${a.eventId}` : ''}`,
      `${a.eventTimeField} ${a.eventTime}, received ${a.receivedAt}: ${a.skewSeconds} s ahead (allowed ${a.maxSkewSeconds} s)`,
      `Kept for replay once the upstream clock is fixed (message ${a.messageId})`,
      `Alert: ${a.alertId}`,
    ],
  };
}

const RISK_HEADLINE: Record<RiskAlert['kind'], string> = {
  STOP_CHANGED: 'Kill switch changed',
  POLICY_INVALID: 'Risk policy invalid: last valid version kept',
  RISK_LIMIT_BREACHED: 'Risk limit breached',
  RISK_LIMIT_CLEARED: 'Risk limit cleared',
};

function stopSummary(a: RiskAlert): string {
  if (a.transition === 'RELEASE_REQUESTED')
    return `${a.stateBefore ?? '?'}: release to ${a.pendingTarget ?? '?'} requested, awaiting a second approver`;
  return `${a.stateBefore ?? '?'} -> ${a.stateAfter ?? '?'}`;
}

/** "leverage 4.25 > 3 (limit)", or the state when the value is not a number (negative equity). */
function limitLine(a: RiskAlert): string {
  const value = a.value === null || a.value === undefined ? (a.valueState ?? 'n/a') : String(a.value);
  const metric = a.asset ? `${a.metric} ${a.asset}` : a.metric;
  return `Limit: ${metric} ${value} ${a.operator} ${a.threshold} (${a.kind === 'RISK_LIMIT_CLEARED' ? 'no longer' : 'now'})`;
}

function riskLines(a: RiskAlert): { headline: string; lines: string[] } {
  return {
    headline: `${RISK_HEADLINE[a.kind]} (${a.scopeKey})`,
    lines: [
      `Scope: ${a.scopeKey}`,
      ...(a.kind === 'STOP_CHANGED' ? [`Stop: ${stopSummary(a)} (${a.trigger ?? 'manual'})`] : []),
      ...(a.policyId
        ? [`Policy: ${a.policyId}${a.policyVersion !== undefined ? ` v${a.policyVersion}` : ''}`]
        : []),
      ...(a.ruleId ? [`Rule: ${a.ruleId}${a.ruleKind ? ` (${a.ruleKind})` : ''}`] : []),
      ...(a.metric && a.operator && a.threshold !== undefined ? [limitLine(a)] : []),
      ...(a.kind === 'RISK_LIMIT_CLEARED' && a.since ? [`Violated since: ${a.since}`] : []),
      ...(a.actor ? [`By: ${a.actor}`] : []),
      ...(a.reason ? [`Reason: ${a.reason}`] : []),
      ...(a.problems ?? []),
      `At: ${a.at}${a.auditId ? ` (audit ${a.auditId})` : ''}`,
      `Alert: ${a.alertId}`,
    ],
  };
}

const CASE_HEADLINE: Record<CaseAlert['kind'], string> = {
  SLA_BREACHED: 'breached its service level',
  SLA_AT_RISK: 'is at risk of missing its service level',
};

/** Ids, states and times only: the customer is named nowhere (the case id leads to them in the case file). */
function caseLines(a: CaseAlert): { headline: string; lines: string[] } {
  return {
    headline: `Compliance case ${a.caseId} ${CASE_HEADLINE[a.kind]}`,
    lines: [
      `Case: ${a.caseId}`,
      `Case severity: ${a.caseSeverity}; state: ${a.caseState.replace(/_/g, ' ')}`,
      `Assignee: ${a.assignee ?? 'unassigned'}`,
      `Opened: ${a.openedAt}; due: ${a.dueAt}`,
      `Detected: ${a.detectedAt}; alert: ${a.alertId}`,
    ],
  };
}

function content(d: Dispatch): { headline: string; lines: string[] } {
  if (d.source === 'alerts.margin.v1') return marginLines(d.alert as MarginAlert);
  if (d.source === 'alerts.prices.v1') return priceLines(d.alert as PriceAlert);
  if (d.source === 'alerts.operations.v1') return operationsLines(d.alert as OperationsAlert);
  if (d.source === 'alerts.risk.v1') return riskLines(d.alert as RiskAlert);
  if (d.source === 'alerts.cases.v1') return caseLines(d.alert as CaseAlert);
  return amlLines(d.alert as AmlAlert);
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const FOOTER = 'Fusion Risk — manage your notification preferences in the app.';

/**
 * The layout every e-mail shares, with a tag per field. A batch of e-mails goes to SendGrid as one request: this
 * layout once, each recipient's fields as substitutions. Tags are `{{name}}` (the SendGrid client's wrappers).
 */
export const EMAIL_LAYOUT = {
  text: `{{headline}}\n\n{{lines}}\n\n${FOOTER}`,
  html: `<h2>{{headline_html}}</h2><ul>{{lines_html}}</ul><p>${FOOTER}</p>`,
} as const;

/** One e-mail's subject and the values of EMAIL_LAYOUT's tags (the HTML ones escaped). */
export interface EmailFields {
  subject: string;
  fields: { headline: string; lines: string; headline_html: string; lines_html: string };
}

export function emailFields(d: Dispatch): EmailFields {
  const { headline, lines } = content(d);
  return {
    subject: `[${d.severity}] ${headline}`,
    fields: {
      headline,
      lines: lines.join('\n'),
      headline_html: escapeHtml(headline),
      lines_html: lines.map((l) => `<li>${escapeHtml(l)}</li>`).join(''),
    },
  };
}

/** Each `{{tag}}` of the layout replaced by its value, literally and once (values are never re-scanned). */
export function fillLayout(layout: string, fields: Readonly<Record<string, string>>): string {
  return layout.replace(/\{\{(\w+)\}\}/g, (tag, name: string) => fields[name] ?? tag);
}

export function renderEmail(d: Dispatch): RenderedEmail {
  const { subject, fields } = emailFields(d);
  return {
    subject,
    text: fillLayout(EMAIL_LAYOUT.text, fields),
    html: fillLayout(EMAIL_LAYOUT.html, fields),
  };
}

/** One line, short enough for a couple of SMS segments. */
export function renderSms(d: Dispatch): string {
  if (d.source === 'alerts.margin.v1') {
    const a = d.alert as MarginAlert;
    return `Fusion Risk ${d.severity}: ${a.portfolioId} ${a.fromState}->${a.toState}, health ${score(a.healthScore)}. Ref ${a.eventId.slice(0, 11)}`;
  }
  if (d.source === 'alerts.prices.v1') {
    const a = d.alert as PriceAlert;
    const what = a.kind === 'PORTFOLIO_NOT_VALUED' ? `${a.portfolioId ?? ''} (unpriced ${a.asset})` : a.asset;
    return `Fusion Risk PRICES ${d.severity}: ${a.kind} ${what}, ${a.tickId}.`;
  }
  if (d.source === 'alerts.operations.v1') {
    const a = d.alert as OperationsAlert;
    return `Fusion Risk OPS ${d.severity}: ${a.kind} on ${a.sourceTopic}, ${a.subjectKind} ${a.subjectId}. Ref ${a.alertId.slice(0, 12)}`;
  }
  if (d.source === 'alerts.risk.v1') {
    const a = d.alert as RiskAlert;
    const what = a.kind === 'STOP_CHANGED' ? ` ${stopSummary(a)}` : '';
    return `Fusion Risk CONTROLS ${d.severity}: ${a.kind} ${a.scopeKey}${what}. Ref ${a.alertId.slice(0, 13)}`;
  }
  if (d.source === 'alerts.cases.v1') {
    const a = d.alert as CaseAlert;
    const unassigned = a.assignee ? '' : ', unassigned';
    return `Fusion Risk CASES ${d.severity}: ${a.kind} ${a.caseId}, due ${a.dueAt}${unassigned}. Ref ${a.alertId.slice(0, 12)}`;
  }
  const a = d.alert as AmlAlert;
  return `Fusion Risk AML ${d.severity}: ${a.ruleType} on ${a.userId}, ${a.recommendedAction}. Ref ${a.alertId.slice(0, 12)}`;
}

/** The webhook body: an event type, the plain-text rendering and the alert itself. */
export function renderWebhook(d: Dispatch): string {
  const { headline, lines } = content(d);
  return JSON.stringify({
    type: `alert.${d.kind}`,
    timestamp: d.createdAt,
    data: {
      dispatchId: d.dispatchId,
      alertId: d.alertId,
      kind: d.kind,
      subject: d.subject,
      severity: d.severity,
      escalation: d.escalation,
      text: [headline, ...lines].join('\n'),
      alert: d.alert,
    },
  });
}
