/**
 * Summary views (shared/contracts/warehouse-views.json): plain grouped views over one table, rendered for BigQuery
 * (what Terraform deploys) and DuckDB (the local warehouse) from one declaration, checked against the table at load.
 */
import {
  SUMMARY_VIEWS,
  bigQuerySummaryViewSql,
  checkSummaryView,
  duckDbSummaryViewSql,
  duckDbViewDdl,
  summaryView,
  type SummaryViewDefinition,
} from '../../../shared/contracts/warehouse-views';

const CASES = 'compliance.case_summary';

describe('summary views', () => {
  it('declare compliance.case_summary over compliance.case_events, one row per case', () => {
    expect(SUMMARY_VIEWS.map((v) => v.name)).toContain(CASES);
    expect(summaryView(CASES)).toMatchObject({ source: 'compliance.case_events', groupBy: ['case_id'] });
    expect(() => summaryView('compliance.nope')).toThrow('unknown summary view compliance.nope');
  });

  it('render for BigQuery: conditional measures as CASE WHEN, MAX_BY as is, identifiers quoted (`at` is reserved)', () => {
    expect(bigQuerySummaryViewSql(summaryView(CASES), 'demo-project')).toBe(
      [
        'SELECT',
        '  `case_id`,',
        '  MAX(`subject_id`) AS `subject_id`,',
        '  MIN(`at`) AS `opened_at`,',
        "  MIN(CASE WHEN `actor` <> 'system' AND `action` <> 'personal_data_viewed' THEN `at` END) AS `first_touch_at`,",
        "  MAX(CASE WHEN `case_state` = 'closed' THEN `at` END) AS `decided_at`,",
        '  MAX(`at`) AS `last_event_at`,',
        '  MAX_BY(`case_state`, `seq`) AS `state`,',
        '  MAX_BY(`case_outcome`, `seq`) AS `outcome`,',
        '  MAX_BY(`case_severity`, `seq`) AS `severity`,',
        '  MAX_BY(`case_due_at`, `seq`) AS `due_at`,',
        '  MAX_BY(`case_rules`, `seq`) AS `rules`,',
        '  COUNT(*) AS `events`',
        'FROM `demo-project.compliance.case_events`',
        'GROUP BY `case_id`',
      ].join('\n'),
    );
  });

  it('render for DuckDB: the same, with arg_max_null so a NULL latest value stays NULL as in BigQuery', () => {
    expect(duckDbSummaryViewSql(summaryView(CASES))).toBe(
      [
        'SELECT',
        '  "case_id",',
        '  MAX("subject_id") AS "subject_id",',
        '  MIN("at") AS "opened_at",',
        `  MIN(CASE WHEN "actor" <> 'system' AND "action" <> 'personal_data_viewed' THEN "at" END) AS "first_touch_at",`,
        `  MAX(CASE WHEN "case_state" = 'closed' THEN "at" END) AS "decided_at",`,
        '  MAX("at") AS "last_event_at",',
        '  arg_max_null("case_state", "seq") AS "state",',
        '  arg_max_null("case_outcome", "seq") AS "outcome",',
        '  arg_max_null("case_severity", "seq") AS "severity",',
        '  arg_max_null("case_due_at", "seq") AS "due_at",',
        '  arg_max_null("case_rules", "seq") AS "rules",',
        '  COUNT(*) AS "events"',
        'FROM compliance.case_events',
        'GROUP BY "case_id"',
      ].join('\n'),
    );
    expect(duckDbViewDdl()).toContain(
      `CREATE OR REPLACE VIEW ${CASES} AS\n${duckDbSummaryViewSql(summaryView(CASES))}`,
    );
  });

  const base = (): SummaryViewDefinition =>
    JSON.parse(JSON.stringify(summaryView(CASES))) as SummaryViewDefinition;

  it.each<[string, (v: SummaryViewDefinition) => void, string]>([
    [
      'a value that could close the quote',
      (v) => (v.measures[2].where![0].value = "system' OR '1'='1"),
      'must match',
    ],
    [
      'a condition on a column the source lacks',
      (v) => (v.measures[2].where![0].column = 'officer'),
      'officer is not a column',
    ],
    [
      'a measure over a column the source lacks',
      (v) => (v.measures[0].column = 'subject_name'),
      'subject_name is not a column',
    ],
    [
      'MAX_BY by a column the source lacks',
      (v) => (v.measures[5].by = 'sequence'),
      'sequence is not a column',
    ],
    ['a group column the source lacks', (v) => (v.groupBy = ['case']), 'case is not a column'],
    ['an operator other than = and <>', (v) => (v.measures[3].where![0].op = 'LIKE' as '='), 'operator LIKE'],
    [
      'a condition on a non-text column',
      (v) => (v.measures[3].where![0].column = 'seq'),
      'not a STRING column',
    ],
    ['an output column declared twice', (v) => (v.measures[1].as = 'subject_id'), 'declared twice'],
    [
      'a source that is not a table',
      (v) => (v.source = 'compliance.nope' as never),
      'is not a warehouse table',
    ],
    ['a view outside its source dataset', (v) => (v.name = 'risk.case_summary'), 'dataset of its source'],
    [
      'an unknown aggregate',
      (v) => (v.measures[0].fn = 'STRING_AGG' as 'MAX'),
      'unknown aggregate STRING_AGG',
    ],
  ])('fail loudly at load on %s', (_what, edit, message) => {
    const v = base();
    edit(v);
    expect(() => checkSummaryView(v)).toThrow(message);
  });
});
