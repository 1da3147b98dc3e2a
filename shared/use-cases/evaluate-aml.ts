/**
 * evaluateAml: one compliance transaction through the AML policy.
 *
 * Exactly-once counting: one Firestore transaction reads the user's window document and the transaction's
 * evaluation record. If the record exists, this is a redelivery (or a concurrent twin that lost the race) and
 * nothing is counted again. Otherwise the rules run on the window as read, the transaction joins the window
 * (pruned to the policy's longest window) and the evaluation record is created with the alerts it produced,
 * all in the same commit. Concurrent invocations for one user contend on the window document, so Firestore
 * serialises them and no count is lost.
 *
 * Delivery is outbox-style: the evaluation record lists its alerts and whether they were delivered. Each
 * alert is written create-if-absent to the document store and published on alerts.aml.v1, then inserted into
 * compliance.aml_alerts (row id = alertId), and the record is marked delivered. Alerts go out before the
 * warehouse row, so a streaming outage does not hold them back; a failed insert marks the record published
 * and throws, Pub/Sub redelivers, and the redelivery writes the rows without publishing again. Any other
 * failure is finished the same way with the same alert ids (consumers dedupe on alertId).
 *
 * Both paths share this: the compliance.transactions.v1 subscription (path 'stream') and the synchronous check
 * screenTransaction (path 'screen'). Whichever sees a transaction id first evaluates and counts it and records the
 * decision; the other finds the record and answers the same decision without counting again. Every evaluation is
 * also a row of compliance.transactions (recordkeeping), and each alert joins its customer's compliance case; a
 * screening hit's case keeps the screened name envelope-encrypted (encrypted before the commit, so the record is
 * all delivery needs).
 *
 * The transaction's occurredAt orders and prunes the window, so one later than now plus the allowed skew is
 * refused before anything is read or written (event-time-guard.ts): dead-lettered, operators alerted.
 */
import type { AmlTransaction } from '../domain/aml/window';
import { outcomeOf, recordEvaluation, type AmlDeps, type AmlOutcome } from './aml-evaluation';
import { deliverEvaluation } from './aml-delivery';

export {
  AML_COLLECTIONS,
  type AmlDeps,
  type AmlOutcome,
  type EvaluationDoc,
  type WindowDoc,
} from './aml-evaluation';

export async function evaluateAml(
  deps: AmlDeps,
  tx: AmlTransaction,
  delivery: { messageId?: string } = {},
): Promise<AmlOutcome> {
  const { evaluated, record } = await recordEvaluation(deps, tx, 'stream', delivery);
  const outcome = outcomeOf(evaluated, record);
  if (record.delivered) return outcome;
  await deliverEvaluation(deps, record);
  return { ...outcome, delivered: outcome.alertIds, pending: false };
}

export { deliverEvaluation, deliverPendingEvaluations, type DeliveryDeps } from './aml-delivery';
