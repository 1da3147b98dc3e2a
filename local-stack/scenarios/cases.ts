/**
 * Compliance officers at work on the AML part's alerts, through complianceCases over HTTP as their screen does:
 * the platform screens one more transaction synchronously (screenTransaction) and publishes it on the stream too
 * (counted once); the officer clears the velocity customer's case as a false positive; the structuring customer's
 * case goes to a suspicious activity report, proposed by the officer and approved by the MLRO (four eyes);
 * watchCases runs as Cloud Scheduler would. report() shows the queue, the decisions and the report's trail verified
 * against the warehouse mirror.
 */
import type { LocalStack } from '../stack';
import { AML_USERS } from './aml';
import type { ScenarioPart } from './types';
import type { ManualClock } from '../../shared/platform/clocks';
import { AML_COLLECTIONS, type WindowDoc } from '../../shared/use-cases/aml-evaluation';
import type { AmlTransaction } from '../../shared/domain/aml/window';

type Json = Record<string, unknown>;

interface Played {
  screened?: { transactionId: string; decision: string; counted: boolean; countedInWindow: number };
  cleared?: { caseId: string; state: string; outcome: string | null };
  reported?: {
    caseId: string;
    proposed: string;
    approved: string;
    outcome: string | null;
    decidedBy: string[];
  };
  problems: string[];
}

const played: Played = { problems: [] };

async function api(
  url: string,
  who: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer local:${who}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

async function caseOf(url: string, who: string, userId: string): Promise<Json | undefined> {
  const q = await api(url, who, 'GET', '/cases?limit=200');
  return (q.body.cases as Json[] | undefined)?.find((c) => c.subjectId === userId);
}

async function act(url: string, who: string, caseId: string, action: Json): Promise<Json> {
  const current = await api(url, who, 'GET', `/cases/${caseId}`);
  const res = await api(url, who, 'POST', `/cases/${caseId}/actions`, {
    ...action,
    expectedVersion: current.body.version,
  });
  if (res.status !== 200)
    played.problems.push(`${String(action.action)} on ${caseId}: ${res.status} ${String(res.body.code)}`);
  return res.body;
}

export const casesScenario: ScenarioPart = {
  name: 'compliance cases (complianceCases, screenTransaction)',
  async play(stack: LocalStack, clock: ManualClock) {
    const url = stack.functionUrls.complianceCases;
    const screen = stack.functionUrls.screenTransaction;
    if (!url || !screen) return; // areas not wired
    const { officer, seniorOfficer } = stack.areas.cases;

    // The lending platform asks before executing a withdrawal, then publishes it on the stream as usual.
    const tx: AmlTransaction = {
      transactionId: 'scn-cases-withdrawal-1',
      userId: AML_USERS.ordinary,
      accountOpenedAt: '2019-01-10T09:00:00Z',
      type: 'WITHDRAWAL',
      channel: 'ACH',
      amount: '1800',
      currency: 'USD',
      amountUsd: 1800,
      customerCountry: 'US',
      occurredAt: new Date(clock.now().getTime() - 60_000).toISOString(),
    };
    const res = await fetch(screen, {
      method: 'POST',
      headers: {
        authorization: 'Bearer local:lending-platform@fusion-risk.local',
        'content-type': 'application/json',
      },
      body: JSON.stringify(tx),
    });
    const answer = (await res.json()) as Json;
    await stack.bus.publish('compliance.transactions.v1', tx);
    await stack.settle(500);
    const window = await stack.store.get<WindowDoc>(AML_COLLECTIONS.windows, AML_USERS.ordinary);
    played.screened = {
      transactionId: tx.transactionId,
      decision: String(answer.decision),
      counted: answer.counted === true,
      countedInWindow: window?.entries.filter((e) => e.i === tx.transactionId).length ?? 0,
    };

    // A false positive: the velocity customer's transfers were payroll.
    const velocity = await caseOf(url, officer, AML_USERS.velocity);
    if (velocity) {
      const caseId = String(velocity.caseId);
      await act(url, officer, caseId, { action: 'claim' });
      await act(url, officer, caseId, { action: 'note', text: 'Transfers match the monthly payroll file.' });
      const closed = await act(url, officer, caseId, {
        action: 'decide',
        outcome: 'cleared_false_positive',
        reasonCode: 'PAYROLL_PATTERN',
      });
      played.cleared = { caseId, state: String(closed.state), outcome: (closed.outcome as string) ?? null };
    } else played.problems.push(`no case for ${AML_USERS.velocity}`);

    // A report: structuring just under the reporting threshold; the MLRO approves the officer's proposal.
    const structuring = await caseOf(url, officer, AML_USERS.structuring);
    if (structuring) {
      const caseId = String(structuring.caseId);
      await act(url, officer, caseId, { action: 'claim' });
      await act(url, officer, caseId, { action: 'start' });
      const proposed = await act(url, officer, caseId, {
        action: 'decide',
        outcome: 'sar_filed',
        reasonCode: 'STRUCTURING_BELOW_CTR',
      });
      const approved = await act(url, seniorOfficer, caseId, {
        action: 'approve',
        reasonCode: 'SAR_APPROVED',
      });
      played.reported = {
        caseId,
        proposed: String(proposed.state),
        approved: String(approved.state),
        outcome: (approved.outcome as string) ?? null,
        decidedBy: [officer, seniorOfficer],
      };
    } else played.problems.push(`no case for ${AML_USERS.structuring}`);

    // Cloud Scheduler's minute: deadlines, and any trail events still queued for the warehouse.
    const watch = stack.functionUrls.watchCases;
    if (watch) await fetch(watch, { method: 'POST' });
    await stack.settle(500);
  },
  async report(stack: LocalStack) {
    const url = stack.functionUrls.complianceCases;
    if (!url) return { lines: [], ok: true };
    const { officer, auditor } = stack.areas.cases;
    const queue = await api(url, officer, 'GET', '/cases?limit=200');
    const open = (queue.body.cases as Json[] | undefined) ?? [];
    const lines = [
      `  queue: ${open.length} open case(s)` +
        (open.length
          ? ` — ${open.map((c) => `${String(c.subjectId)} ${String(c.severity)} ${String(c.state)} (SLA ${String(c.sla)})`).join('; ')}`
          : ''),
    ];
    const s = played.screened;
    if (s)
      lines.push(
        `  screenTransaction ${s.transactionId}: ${s.decision}; also published on the stream → counted ${s.countedInWindow} time(s)`,
      );
    const c = played.cleared;
    if (c) lines.push(`  ${AML_USERS.velocity}: ${c.state}, ${c.outcome ?? '-'} (PAYROLL_PATTERN)`);
    const r = played.reported;
    let verified = false;
    if (r) {
      lines.push(
        `  ${AML_USERS.structuring}: proposed → ${r.proposed}; approved by the MLRO → ${r.approved}, ${r.outcome ?? '-'}`,
      );
      const v = await api(url, auditor, 'GET', `/cases/${r.caseId}/verify`);
      verified = v.body.ok === true;
      lines.push(
        `  trail of ${r.caseId}: ${String(v.body.events)} events, ${String(v.body.mirrored)} mirrored in compliance.case_events, ` +
          `${verified ? 'verified' : `NOT verified: ${JSON.stringify(v.body.problems)}`}`,
      );
    }
    if (played.problems.length) lines.push(`  problems: ${played.problems.join('; ')}`);
    const ok =
      s?.decision === 'allow' &&
      s.countedInWindow === 1 &&
      c?.outcome === 'cleared_false_positive' &&
      r?.proposed === 'pending_second_approval' &&
      r.outcome === 'sar_filed' &&
      verified &&
      open.some((x) => x.subjectId === AML_USERS.sanctions) &&
      played.problems.length === 0;
    return { lines, ok };
  },
};
