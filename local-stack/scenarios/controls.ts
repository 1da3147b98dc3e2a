/**
 * The risk controls part of the bundled scenario. prepare() stores a tighter policy for the levered lending desk
 * through riskAdmin (the built-in default stays in force for everybody: its global breaker, negative equity hard),
 * opens three of the desk's portfolios the way the lending platform does (position updates naming the desk) and
 * seeds the risk desk's on-call rota, so alerts.risk.v1 reaches someone. During the replay evaluateRiskLimits
 * judges every tick: the desk's portfolios are warned from the first day (health below 100), cross the leverage
 * cap together on the first leg down (2020-03-08) — three hard events at once, so the desk's breaker trips and the
 * desk is HALTED before Black Thursday itself. play() is the desk's recovery through the real functions: checkRisk
 * denies a borrow and a withdrawal while halted (STOPPED); one admin asks to loosen to REDUCING, cannot approve her
 * own request (409 SAME_PERSON), a second admin approves; checkRisk approves a repay and still denies a borrow;
 * the repay is carried by a position update (the desk's worst book is back within limits: violations cleared);
 * a two-person release to ACTIVE, and a borrow that fits is approved. The clock stays where the replay left it.
 * report() reads risk.risk_violations and risk.emergency_stops, the alerts seen on alerts.risk.v1 and the e-mails
 * the risk desk received at the local SendGrid.
 */
import type { Message, Subscription } from '@google-cloud/pubsub';
import type { RiskPolicy, PolicyScope } from '../../shared/domain/controls/policy';
import type { PreTradeRequest } from '../../shared/domain/controls/pre-trade';
import type { Position } from '../../shared/domain/risk/margin';
import {
  NOTIFICATION_COLLECTIONS as N,
  RISK_DESK_TEAM,
  type RecipientDoc,
  type RiskAlert,
} from '../../shared/domain/notifications/types';
import type { ManualClock } from '../../shared/platform/clocks';
import type { CheckRiskResponse } from '../../shared/use-cases/check-risk';
import { LOCAL_LENDING_PLATFORM, LOCAL_RISK_ADMINS } from '../areas/controls';
import type { LocalStack } from '../stack';
import type { ScenarioPart } from './types';

export const CONTROLS_DESK = 'levered-lending';
const SCOPE: PolicyScope = { level: 'desk', deskId: CONTROLS_DESK };
const SCOPE_KEY = `desk:${CONTROLS_DESK}`;

/** The desk's policy for the week of Black Thursday: tighter than the default, its own breaker. */
export const DESK_POLICY: RiskPolicy = {
  policyId: 'levered-lending-black-thursday',
  version: 1,
  description:
    'Levered lending desk, week of Black Thursday: leverage capped at 1.25 (collateral at least 180 % of the borrow), a warning below 200 %, the desk halted after 3 hard events in 60 s.',
  scope: SCOPE,
  enabled: true,
  effectiveFrom: '2020-03-05T00:00:00Z',
  breaker: { hardEvents: 3, windowSeconds: 60 },
  rules: [
    { ruleId: 'coverage-warning', metric: 'healthScore', operator: '<', threshold: 100, kind: 'soft' },
    { ruleId: 'leverage-cap', metric: 'leverage', operator: '>', threshold: 1.25, kind: 'hard' },
  ],
};

const pos = (asset: string, amount: number, side: Position['side']): Position => ({ asset, amount, side });

/**
 * Within the cap until 2020-03-07 (leverage 1.07–1.19), above it from 2020-03-08 on (1.33–1.52) and to the end of
 * the replay, equity positive throughout (so the default's negative-equity rule never adds to the global breaker).
 */
export const DESK_PORTFOLIOS: { portfolioId: string; positions: Position[] }[] = [
  { portfolioId: 'levered-btc-01', positions: [pos('BTC', 2, 'collateral'), pos('USDC', 9_200, 'borrow')] },
  {
    portfolioId: 'levered-eth-01',
    positions: [pos('ETH', 60, 'collateral'), pos('USDC', 4_000, 'collateral'), pos('USDT', 9_600, 'borrow')],
  },
  {
    portfolioId: 'levered-multi-01',
    positions: [
      pos('BTC', 1, 'collateral'),
      pos('ETH', 20, 'collateral'),
      pos('USDC', 6_000, 'collateral'),
      pos('USDT', 10_700, 'borrow'),
    ],
  },
];

/** The book that repays in REDUCING, and what it repays and later borrows. */
const RECOVERY = { portfolioId: 'levered-btc-01', repayUsdc: 4_000, borrowUsdc: 500 };

const RISK_DESK_ONCALL: RecipientDoc = {
  recipientId: 'risk-desk-oncall',
  displayName: 'Risk desk on call',
  principal: 'oncall@risk-desk.example',
  contacts: { email: 'oncall@risk-desk.example' },
  preferences: { channels: ['email'], minSeverity: 'WARNING', quietHours: null },
};
const DESK_HEAD: RecipientDoc = {
  recipientId: 'levered-desk-head',
  displayName: 'Lena (levered lending desk)',
  principal: 'lena@levered-desk.example',
  contacts: { email: 'lena@levered-desk.example' },
  preferences: { channels: ['email'], minSeverity: 'WARNING', quietHours: null },
};

const WATCH = 'scenario-controls-risk-alerts';
const [ADMIN_1, ADMIN_2] = LOCAL_RISK_ADMINS;

interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

interface Played {
  policy?: Answer;
  alerts: RiskAlert[];
  watching?: Subscription;
  halted: { req: PreTradeRequest; res?: CheckRiskResponse }[];
  toReducing: { request?: Answer; selfApproval?: Answer; approval?: Answer };
  reducing: { req: PreTradeRequest; res?: CheckRiskResponse }[];
  toActive: { request?: Answer; approval?: Answer };
  active: { req: PreTradeRequest; res?: CheckRiskResponse }[];
  error?: string;
}

let played: Played = fresh();

function fresh(): Played {
  return { alerts: [], halted: [], toReducing: {}, reducing: [], toActive: {}, active: [] };
}

async function call<T>(
  url: string | undefined,
  who: string,
  body: unknown,
  method = 'POST',
): Promise<Answer<T>> {
  const res = await fetch(url ?? '', {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer local:${who}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, body: (await res.json()) as T };
}

const admin = (stack: LocalStack, path: string, who: string, body: unknown, method = 'POST') =>
  call<Record<string, unknown>>(`${stack.functionUrls.riskAdmin ?? ''}${path}`, who, body, method);

/** checkRisk as the lending platform calls it; the answer (200 for an approval and a denial alike). */
async function check(stack: LocalStack, req: PreTradeRequest): Promise<CheckRiskResponse> {
  const a = await call<CheckRiskResponse>(stack.functionUrls.checkRisk, LOCAL_LENDING_PLATFORM, req);
  if (a.status !== 200) throw new Error(`checkRisk answered ${a.status}: ${JSON.stringify(a.body)}`);
  return a.body;
}

/** A stop changed through riskAdmin reaches checkRisk within one stop poll (200 ms); wait a few of them. */
const propagation = () => new Promise((r) => setTimeout(r, 1000));

async function prepare(stack: LocalStack, clock: ManualClock): Promise<void> {
  played = fresh();
  // Who is told: the risk desk's on-call rota (alerts.risk.v1) and the desk's head (her portfolios' margin alerts).
  for (const r of [RISK_DESK_ONCALL, DESK_HEAD]) await stack.store.set(N.recipients, r.recipientId, r);
  await stack.store.set(N.teams, RISK_DESK_TEAM, {
    teamId: RISK_DESK_TEAM,
    recipientIds: [RISK_DESK_ONCALL.recipientId],
  });
  for (const p of DESK_PORTFOLIOS)
    await stack.store.set(N.portfolioOwners, p.portfolioId, {
      portfolioId: p.portfolioId,
      recipientIds: [DESK_HEAD.recipientId],
    });
  const [sub] = await stack.pubsub
    .topic('alerts.risk.v1')
    .createSubscription(WATCH)
    .catch(async (err: { code?: number }) => {
      if (err.code !== 6) throw err;
      return [stack.pubsub.subscription(WATCH)] as [Subscription];
    });
  played.watching = sub;
  const seen = new Set<string>();
  sub.on('message', (m: Message) => {
    const alert = JSON.parse(m.data.toString('utf8')) as RiskAlert;
    // Pub/Sub may deliver twice: an alert is counted once.
    if (!seen.has(alert.alertId)) played.alerts.push(alert);
    seen.add(alert.alertId);
    m.ack();
  });
  // A new policy: no version yet (0).
  played.policy = await admin(
    stack,
    `/policies/${DESK_POLICY.policyId}`,
    ADMIN_1,
    {
      policy: DESK_POLICY,
      expectedVersion: 0,
      reason: 'Crypto selling off: tighter leverage for the levered lending desk this week',
    },
    'PUT',
  );
  // The desk's books, opened before the replay like the demo portfolios (the scenario's opening time).
  const opened = new Date(clock.now().getTime() - 86_400_000).toISOString();
  for (const p of DESK_PORTFOLIOS)
    await stack.bus.publish('portfolio.positions.v1', { ...p, deskId: CONTROLS_DESK, updatedAt: opened });
}

async function play(stack: LocalStack, clock: ManualClock): Promise<void> {
  try {
    await stack.settle(500);
    const id = RECOVERY.portfolioId;
    const req = (step: string, action: PreTradeRequest['action'], asset: string, amount: number) => ({
      requestId: `scn-controls-${step}`,
      portfolioId: id,
      action,
      asset,
      amount,
    });
    // HALTED by the breaker since 2020-03-08: nothing that adds risk passes.
    for (const r of [
      req('halted-borrow', 'borrow', 'USDC', 1_000),
      req('halted-withdraw', 'withdraw', 'BTC', 0.25),
    ])
      played.halted.push({ req: r, res: await check(stack, r) });

    // Loosening to REDUCING takes two admins; the one who asked may not approve.
    const reducing = { scope: SCOPE, reason: 'Let the desk repay and post collateral' };
    played.toReducing.request = await admin(stack, '/stops/release-requests', ADMIN_1, {
      ...reducing,
      target: 'REDUCING',
    });
    played.toReducing.selfApproval = await admin(stack, '/stops/release-approvals', ADMIN_1, reducing);
    played.toReducing.approval = await admin(stack, '/stops/release-approvals', ADMIN_2, {
      scope: SCOPE,
      reason: 'Agreed: repayments only until the books are back within limits',
    });
    await propagation();
    for (const r of [
      req('reducing-repay', 'repay', 'USDC', RECOVERY.repayUsdc),
      req('reducing-borrow', 'borrow', 'USDC', RECOVERY.borrowUsdc),
    ])
      played.reducing.push({ req: r, res: await check(stack, r) });

    // The lending platform executes the repay: its position update carries it (and tells checkRisk so).
    const book = DESK_PORTFOLIOS.find((p) => p.portfolioId === id)?.positions ?? [];
    await stack.bus.publish('portfolio.positions.v1', {
      portfolioId: id,
      deskId: CONTROLS_DESK,
      updatedAt: clock.now().toISOString(),
      positions: book.map((p) =>
        p.side === 'borrow' && p.asset === 'USDC' ? { ...p, amount: p.amount - RECOVERY.repayUsdc } : p,
      ),
      appliedRequestIds: ['scn-controls-reducing-repay'],
    });
    await stack.settle(500);

    // Re-enabling: two admins again, each with a reason.
    const active = {
      scope: SCOPE,
      reason: 'Worst book repaid and within limits; hard rules still block the rest',
    };
    played.toActive.request = await admin(stack, '/stops/release-requests', ADMIN_1, {
      ...active,
      target: 'ACTIVE',
    });
    played.toActive.approval = await admin(stack, '/stops/release-approvals', ADMIN_2, {
      scope: SCOPE,
      reason: 'Approved: desk back to normal trading',
    });
    await propagation();
    const r = req('active-borrow', 'borrow', 'USDC', RECOVERY.borrowUsdc);
    played.active.push({ req: r, res: await check(stack, r) });
  } catch (err) {
    played.error = (err as Error).message;
  }
}

interface ViolationRow {
  [key: string]: unknown;
  portfolio_id: string;
  desk_id: string;
  transition: string;
  rule_kind: string;
  rule_id: string;
  policy_id: string;
  metric: string;
  operator: string;
  threshold: number;
  value: number | null;
  value_state: string | null;
  as_of: string;
}

interface StopRow {
  [key: string]: unknown;
  scope_key: string;
  transition: string;
  state_before: string;
  state_after: string;
  pending_target: string | null;
  trigger: string;
  actor: string;
  changed_at: string;
  version: number;
}

const iso = (t: unknown) => (t instanceof Date ? t.toISOString() : String(t));
const num = (x: unknown) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(2));
const decision = (x: { req: PreTradeRequest; res?: CheckRiskResponse }) =>
  `${x.req.action} ${x.req.amount} ${x.req.asset} → ${x.res?.decision ?? 'no answer'}${
    x.res?.reasons.length ? ` ${x.res.reasons.map((r) => r.code).join(',')}` : ''
  } (stop ${x.res?.stop.state ?? '?'})`;
const isLimit = (a: RiskAlert) => a.kind === 'RISK_LIMIT_BREACHED' || a.kind === 'RISK_LIMIT_CLEARED';

async function report(stack: LocalStack): Promise<{ lines: string[]; ok: boolean }> {
  const violations = await stack.warehouse.query<ViolationRow>(
    `SELECT portfolio_id, desk_id, transition, rule_kind, rule_id, policy_id, metric, operator, threshold, value,
            value_state, as_of
       FROM risk.risk_violations ORDER BY as_of, portfolio_id, rule_id`,
  );
  // Every violation is alerted before its row is written; the alerts may still be on their way to us.
  const deadline = Date.now() + 10_000;
  while (played.alerts.filter(isLimit).length < violations.length && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  await played.watching?.close();
  const stops = await stack.warehouse.query<StopRow>(
    `SELECT scope_key, transition, state_before, state_after, pending_target, trigger, actor, changed_at, version
       FROM risk.emergency_stops ORDER BY changed_at, scope_key, version`,
  );
  const lines: string[] = [];
  const p = played.policy;
  lines.push(
    `  policy stored through riskAdmin: ${DESK_POLICY.policyId} v${String(p?.body.version ?? '?')} on ${SCOPE_KEY} by ${String(p?.body.updatedBy ?? ADMIN_1)} → ${p?.status ?? 'not sent'}`,
    `    ${DESK_POLICY.rules.map((r) => `${r.metric} ${r.operator} ${r.threshold} ${r.kind}`).join(', ')}, breaker ${DESK_POLICY.breaker?.hardEvents} hard events in ${DESK_POLICY.breaker?.windowSeconds} s; the built-in default v1 stays in force for every desk`,
  );

  // Violations: counted over every desk, listed for this one.
  const count = (kind: string, transition: string) =>
    violations.filter((v) => v.rule_kind === kind && v.transition === transition).length;
  const kinds = ['soft', 'hard', 'emergency'].filter((k) => violations.some((v) => v.rule_kind === k));
  const limitAlerts = played.alerts.filter(isLimit).length;
  lines.push(
    `  ${violations.length} violations alerted (risk.risk_violations: ${violations.length}, alerts.risk.v1 RISK_LIMIT_*: ${limitAlerts}): ` +
      kinds.map((k) => `${k} ${count(k, 'STARTED')} started / ${count(k, 'CLEARED')} cleared`).join(', '),
  );
  const value = (v: ViolationRow) => (v.value === null ? (v.value_state ?? 'n/a') : num(v.value));
  for (const v of violations.filter((x) => x.desk_id === CONTROLS_DESK))
    lines.push(
      `    ${iso(v.as_of).slice(0, 10)}  ${v.portfolio_id.padEnd(17)} ${v.transition.padEnd(8)} ${v.rule_kind.padEnd(5)} ${v.rule_id.padEnd(17)} ${
        v.transition === 'CLEARED'
          ? `${v.metric} no longer ${v.operator} ${v.threshold} (last ${value(v)})`
          : `${v.metric} ${value(v)} ${v.operator} ${v.threshold}`
      }`,
    );
  const others = violations.filter((x) => x.desk_id !== CONTROLS_DESK);
  if (others.length)
    lines.push(
      `    other desks (default policy): ${others.map((v) => `${iso(v.as_of).slice(0, 10)} ${v.portfolio_id} ${v.rule_id} ${v.transition.toLowerCase()}`).join('; ')}`,
    );

  // The breaker's trip, and what else was stopped.
  const trip = stops.find(
    (s) => s.scope_key === SCOPE_KEY && s.transition === 'ENGAGED' && s.trigger === 'breaker',
  );
  const otherEngaged = stops.filter((s) => s.scope_key !== SCOPE_KEY && s.transition === 'ENGAGED');
  lines.push(
    trip
      ? `  breaker tripped at ${iso(trip.changed_at)} on ${trip.scope_key}: ${trip.state_before} → ${trip.state_after} (trigger ${trip.trigger}, ${DESK_POLICY.breaker?.hardEvents} hard events within ${DESK_POLICY.breaker?.windowSeconds} s); other scopes stopped: ${otherEngaged.length ? otherEngaged.map((s) => s.scope_key).join(', ') : 'none'}`
      : `  breaker did not trip on ${SCOPE_KEY}`,
  );
  const stopped = (x: { res?: CheckRiskResponse }, state: string) =>
    x.res?.decision === 'DENY' &&
    x.res.reasons.some((r) => r.code === 'STOPPED') &&
    x.res.stop.state === state;
  lines.push(
    `  checkRisk while HALTED on ${RECOVERY.portfolioId}: ${played.halted.map(decision).join('; ')}`,
  );
  const t = played.toReducing;
  lines.push(
    `  release to REDUCING: requested by ${ADMIN_1} → ${t.request?.status ?? '-'}; self-approval → ${t.selfApproval?.status ?? '-'} ${String(t.selfApproval?.body.code ?? '')}; approved by ${ADMIN_2} → ${t.approval?.status ?? '-'} ${stateOf(t.approval)}`,
  );
  lines.push(`  checkRisk in REDUCING: ${played.reducing.map(decision).join('; ')}`);
  const cleared = violations.filter(
    (v) => v.portfolio_id === RECOVERY.portfolioId && v.transition === 'CLEARED',
  );
  lines.push(
    `  repay carried by the next position update: ${RECOVERY.portfolioId} ${
      cleared.length
        ? `back within limits (${cleared.map((v) => v.rule_id).join(', ')} cleared)`
        : 'still in violation'
    }`,
  );
  const a = played.toActive;
  lines.push(
    `  two-person re-enable of ${SCOPE_KEY}: requested by ${ADMIN_1} → ${a.request?.status ?? '-'}, then approved by ${ADMIN_2} → ${a.approval?.status ?? '-'} ${stateOf(a.approval)}`,
  );
  const after = played.active[0];
  lines.push(
    `  checkRisk after re-enable: ${played.active.map(decision).join('; ')}${
      after?.res?.post
        ? `, post-trade health ${num(after.res.post.healthScore)}, leverage ${num(after.res.post.leverage)}`
        : ''
    }`,
  );
  lines.push(
    `  stop transitions of ${SCOPE_KEY} (risk.emergency_stops): ${
      stops
        .filter((s) => s.scope_key === SCOPE_KEY)
        .map((s) =>
          s.transition === 'RELEASE_REQUESTED'
            ? `release to ${s.pending_target} requested`
            : `${s.state_after} (${s.trigger === 'breaker' ? 'breaker' : s.actor})`,
        )
        .join(' → ') || 'none'
    }`,
  );
  // The risk desk's on-call rota, told through notifications (alerts.risk.v1 → fanOutNotifications → SendGrid).
  const mails = stack.areas.notifications.sendgrid?.emails.filter((e) =>
    e.to.includes(RISK_DESK_ONCALL.contacts.email ?? ''),
  );
  const stopAlerts = played.alerts.filter((x) => x.kind === 'STOP_CHANGED').length;
  lines.push(
    `  risk desk told: ${mails?.length ?? 0} e-mail(s) to ${RISK_DESK_ONCALL.displayName} (alerts.risk.v1: ${played.alerts.length}, of which STOP_CHANGED ${stopAlerts})`,
  );
  const subjects = [...new Set((mails ?? []).map((m) => m.subject.replace(/ \(.*$/, '')))].slice(0, 3);
  if (subjects.length) lines.push(`    e.g. ${subjects.join(' | ')}`);
  if (played.error) lines.push(`  stopped early: ${played.error}`);

  const deskHard = violations.filter(
    (v) => v.desk_id === CONTROLS_DESK && v.rule_kind === 'hard' && v.transition === 'STARTED',
  ).length;
  const ok =
    !played.error &&
    p?.status === 200 &&
    deskHard >= (DESK_POLICY.breaker?.hardEvents ?? 3) &&
    limitAlerts === violations.length &&
    trip !== undefined &&
    otherEngaged.length === 0 &&
    played.halted.length > 0 &&
    played.halted.every((x) => stopped(x, 'HALTED')) &&
    t.request?.status === 200 &&
    t.selfApproval?.status === 409 &&
    t.selfApproval.body.code === 'SAME_PERSON' &&
    t.approval?.status === 200 &&
    stateOf(t.approval) === 'REDUCING' &&
    played.reducing[0]?.res?.decision === 'APPROVE' &&
    played.reducing[0].res.stop.state === 'REDUCING' &&
    stopped(played.reducing[1] ?? {}, 'REDUCING') &&
    cleared.some((v) => v.rule_kind === 'hard') &&
    a.request?.status === 200 &&
    a.approval?.status === 200 &&
    stateOf(a.approval) === 'ACTIVE' &&
    after?.res?.decision === 'APPROVE' &&
    after.res.stop.state === 'ACTIVE' &&
    (mails?.length ?? 0) > 0;
  return { lines, ok };
}

function stateOf(a: Answer | undefined): string {
  const stop = a?.body.stop as { state?: string } | undefined;
  return stop?.state ?? '';
}

export const controlsScenario: ScenarioPart = { name: 'risk controls', prepare, play, report };
