/**
 * Type test (checked by `npx tsc --noEmit -p .`): FeedAlert must stay a union discriminated by `source`,
 * so narrowing gives each alert's own fields and a wrong access is an error.
 */
import type { FeedAlert } from '../../sdk/src/index';
import { marginAlert } from './support/http-server';

function describeAlert(a: FeedAlert): string {
  switch (a.source) {
    case 'alerts.margin.v1':
      return `${a.alert.portfolioId} ${a.alert.fromState} -> ${a.alert.toState}`;
    case 'alerts.aml.v1':
      return `${a.alert.ruleType} ${a.alert.recommendedAction}`;
    case 'alerts.prices.v1':
      return `${a.alert.kind} ${a.alert.asset}`;
    case 'alerts.operations.v1':
      return `${a.alert.kind} ${a.alert.sourceTopic}`;
    case 'alerts.risk.v1':
      return `${a.alert.kind} ${a.alert.scopeKey}`;
    case 'alerts.cases.v1':
      return `${a.alert.kind} ${a.alert.caseId} due ${a.alert.dueAt}`;
    default: {
      const unreachable: never = a; // a new source must be handled above
      return unreachable;
    }
  }
}

// Never called: it only has to compile, with each @ts-expect-error line being a real error.
export function wrongAccesses(a: FeedAlert): unknown[] {
  const seen: unknown[] = [];
  if (a.source === 'alerts.margin.v1') {
    seen.push(a.alert.toState);
    // @ts-expect-error a margin alert has no AML rule type
    seen.push(a.alert.ruleType);
  }
  if (a.source === 'alerts.aml.v1') {
    // @ts-expect-error an AML alert has no margin state
    seen.push(a.alert.toState);
  }
  if (a.source === 'alerts.cases.v1') {
    seen.push(a.alert.caseId);
    // @ts-expect-error a case alert names no portfolio
    seen.push(a.alert.portfolioId);
  }
  // @ts-expect-error not narrowed: toState is not on every alert
  seen.push(a.alert.toState);
  // @ts-expect-error not a source the feed knows
  if (a.source === 'alerts.unknown.v1') seen.push(a);
  return seen;
}

describe('FeedAlert narrowing', () => {
  it('reads the margin alert fields after narrowing on source', () => {
    expect(describeAlert(marginAlert(1))).toBe('p-1 WARNING -> MARGIN_CALL');
  });
});
