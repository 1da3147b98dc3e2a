/**
 * The compliance officers' page (#/cases, #/cases/<caseId>), loaded on demand: the queue with its filters, paging,
 * claims and bulk close; a case with its linked concerns, notes and history, personal data on request (the API
 * records the view), and the actions the officer's roles and the case's state allow. Every refusal is shown in
 * the page's alert region with the API's code; a stale edit (409 CONFLICT) is never retried: the officer reloads
 * the case and decides again on what it is now.
 */
import { AuthenticationError } from '../../sdk/src/errors.js';
import type { CaseBulkResult, CaseSummary, CaseToolMe, CaseView } from '../../sdk/src/generated/api-types.js';
import {
  approvalNote,
  CASE_STATE_LABELS,
  DEFAULT_FILTERS,
  dueText,
  FOUR_EYES,
  isOfficer,
  offeredActions,
  OUTCOME_LABELS,
  outcomeLabel,
  OUTCOMES,
  queueQuery,
  reasonCodeProblem,
  SEVERITIES,
  shortCaseId,
  slaDisplay,
  type Outcome,
  type QueueFilters,
  type SlaState,
} from './case-rules.js';
import { CasesApiError, CasesClient } from './cases-client.js';
import { h } from './dom.js';
import { formatTime } from './format.js';
import { caseHref, CASES_HREF } from './router.js';
import { severityBadge } from './state-badge.js';

export type CasesRoute = { page: 'cases' } | { page: 'case'; caseId: string };

export interface CasesPageOptions {
  baseUrl: string;
  token: () => string;
  /** A refused token: the app signs out. */
  onAuthError: (error: AuthenticationError) => void;
}

const PAGE_SIZE = 25;

const present = <T>(...xs: (T | null)[]): T[] => xs.filter((x): x is T => x !== null);

function slaBadge(sla: SlaState): HTMLElement {
  const d = slaDisplay(sla);
  return h(
    'span',
    { class: 'badge', 'data-sla': sla, style: `background:${d.background};color:${d.text}` },
    h('span', { 'aria-hidden': 'true' }, d.marker),
    ' ',
    d.label,
  );
}

function stateText(state: CaseSummary['state']): HTMLElement {
  return h('span', { class: 'case-state', 'data-case-state': state }, CASE_STATE_LABELS[state]);
}

function due(dueAt: string, closed: boolean): HTMLElement {
  return h(
    'span',
    { class: 'due' },
    closed ? null : h('span', { class: 'due-in' }, dueText(dueAt, Date.now())),
    h('time', { datetime: dueAt }, formatTime(dueAt)),
  );
}

/** A reason code field with its rule, checked before anything is sent; returns the field and a check. */
function reasonField(id: string, label: string) {
  const problem = h('p', { class: 'error field-problem', id: `${id}-problem` });
  problem.hidden = true;
  const input = h('input', {
    id,
    name: id,
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    maxlength: 64,
    'aria-describedby': `${id}-hint`,
  });
  const field = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    input,
    h('p', { class: 'hint', id: `${id}-hint` }, 'UPPER_SNAKE_CASE, e.g. SANCTIONED_EXCHANGE'),
    problem,
  );
  /** The code, or null after showing why it is refused (focus on the field). */
  const check = (): string | null => {
    const code = input.value.trim();
    const why = reasonCodeProblem(code);
    problem.textContent = why ?? '';
    problem.hidden = why === null;
    if (why === null) {
      input.removeAttribute('aria-invalid');
      input.setAttribute('aria-describedby', `${id}-hint`);
      return code;
    }
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${id}-hint ${id}-problem`);
    input.focus();
    return null;
  };
  return { field, input, check };
}

export class CasesPage {
  private readonly client: CasesClient;
  private me: CaseToolMe | undefined;
  private filters: QueueFilters = { ...DEFAULT_FILTERS };
  /** The cursors of the pages before this one (for "Previous page") and this page's. */
  private cursors: (string | null)[] = [];
  private cursor: string | null = null;
  private root = h('div', { class: 'page cases' });
  private alert = h('div', { class: 'alert', role: 'alert' });
  private status = h('p', { class: 'status', role: 'status' });

  constructor(private readonly o: CasesPageOptions) {
    this.client = new CasesClient(o.baseUrl, o.token);
  }

  /** The page for a route: the queue or one case (errors thrown: the app shows them). */
  async render(route: CasesRoute): Promise<HTMLElement> {
    this.me ??= await this.client.me();
    if (route.page === 'cases') return this.queuePage();
    return this.casePage(route.caseId, false);
  }

  // ---- shared ----

  private fresh(kind: string): HTMLElement {
    this.root = h('div', { class: `page ${kind}` });
    this.alert = h('div', { class: 'alert', role: 'alert', id: 'cases-alert' });
    this.status = h('p', { class: 'status', role: 'status', id: 'cases-status' });
    return this.root;
  }

  /** Shows a refusal in the alert region; a conflict offers Reload (never a silent retry). */
  private showError(error: unknown, reload?: () => void): void {
    if (error instanceof AuthenticationError) return this.o.onAuthError(error);
    this.status.textContent = '';
    if (error instanceof CasesApiError && error.isConflict) {
      const button = h('button', { type: 'button', class: 'reload', onclick: () => reload?.() }, 'Reload');
      this.alert.replaceChildren(
        ...present<Node>(
          h(
            'p',
            { class: 'error', 'data-code': 'CONFLICT' },
            'This case changed since you opened it: someone acted on it in the meantime and nothing of yours was saved. ',
            'Reload it to see the current version, then act again.',
          ),
          reload ? button : null,
        ),
      );
      if (reload) button.focus();
      return;
    }
    const code = error instanceof CasesApiError ? error.code : 'ERROR';
    const text = error instanceof Error ? error.message : String(error);
    const problems = error instanceof CasesApiError ? error.problems.filter((p) => p !== text) : [];
    this.alert.replaceChildren(
      ...present<Node>(
        h('p', { class: 'error', 'data-code': code }, `${text} (${code})`),
        problems.length ? h('ul', { class: 'error' }, ...problems.map((p) => h('li', {}, p))) : null,
      ),
    );
  }

  private clearMessages(): void {
    this.alert.replaceChildren();
    this.status.textContent = '';
  }

  /** Runs a request with the button disabled meanwhile; errors go to the alert region. */
  private async busy(button: HTMLButtonElement | null, work: () => Promise<void>, reload?: () => void) {
    if (button) button.disabled = true;
    this.root.setAttribute('aria-busy', 'true');
    try {
      await work();
    } catch (error) {
      this.showError(error, reload);
    } finally {
      if (button) button.disabled = false;
      this.root.removeAttribute('aria-busy');
    }
  }

  private whoAmI(): HTMLElement {
    const me = this.me as CaseToolMe;
    return h(
      'p',
      { class: 'note', 'data-me': me.id },
      `Signed in as ${me.id} (${me.roles.map((r) => r.replace('_', ' ')).join(', ')})`,
      isOfficer(me) ? '' : ': you can read cases and their history; only officers act on them.',
    );
  }

  // ---- the queue ----

  private async queuePage(bulkResults?: CaseBulkResult): Promise<HTMLElement> {
    const page = await this.client.queue(queueQuery(this.filters, this.cursor, PAGE_SIZE));
    const root = this.fresh('cases');
    const officer = isOfficer(this.me as CaseToolMe);
    root.append(
      ...present<Node>(
        h('h1', { tabindex: -1 }, 'Compliance cases'),
        this.whoAmI(),
        this.alert,
        this.status,
        this.filterForm(),
        h(
          'section',
          { class: 'tile wide', 'aria-labelledby': 'queue-title' },
          h('h2', { id: 'queue-title' }, 'Queue, most urgent first'),
          page.cases.length === 0
            ? h('p', { 'data-empty': 'queue' }, 'No case matches these filters.')
            : this.queueTable(page.cases, officer),
          this.pager(page.nextCursor),
          h('p', { class: 'as-of' }, 'As of ', h('time', { datetime: page.asOf }, formatTime(page.asOf))),
        ),
        officer && page.cases.length ? this.bulkForm(page.cases) : null,
        bulkResults ? this.bulkResultsView(bulkResults) : null,
      ),
    );
    return root;
  }

  private async reloadQueue(focus?: string, bulkResults?: CaseBulkResult, message?: string): Promise<void> {
    const old = this.root;
    const page = await this.queuePage(bulkResults);
    old.replaceWith(page);
    if (message) this.status.textContent = message;
    if (focus) page.querySelector<HTMLElement>(focus)?.focus();
  }

  private filterForm(): HTMLElement {
    const f = this.filters;
    const select = (id: string, label: string, value: string, options: [string, string][]) =>
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, label),
        h(
          'select',
          { id, name: id },
          ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
        ),
      );
    const form = h(
      'form',
      {
        class: 'filters',
        'aria-label': 'Queue filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          const value = (id: string) => (form.querySelector(`#${id}`) as HTMLSelectElement).value;
          this.filters = {
            status: value('f-status') as QueueFilters['status'],
            assignee: value('f-assignee') as QueueFilters['assignee'],
            severity: value('f-severity') as QueueFilters['severity'],
            sla: value('f-sla') as QueueFilters['sla'],
          };
          this.cursors = [];
          this.cursor = null;
          void this.busy(null, () => this.reloadQueue('#queue-title'));
        },
      },
      select('f-status', 'Status', f.status, [
        ['', 'Undecided (open, investigating, pending)'],
        ['open', 'Open'],
        ['investigating', 'Investigating'],
        ['pending_second_approval', 'Pending second approval'],
        ['closed', 'Closed (last 7 days)'],
        ['all', 'All'],
      ]),
      select('f-assignee', 'Assignee', f.assignee, [
        ['all', 'Anyone'],
        ['mine', 'Mine'],
        ['unassigned', 'Unassigned'],
      ]),
      select('f-severity', 'Severity', f.severity, [
        ['', 'Any'],
        ...SEVERITIES.map((s): [string, string] => [s, s]),
      ]),
      select('f-sla', 'SLA', f.sla, [
        ['', 'Any'],
        ['breached', 'Breached'],
        ['at_risk', 'At risk'],
        ['ok', 'On time'],
      ]),
      h('button', { type: 'submit' }, 'Apply filters'),
    );
    return form;
  }

  private queueTable(cases: CaseSummary[], officer: boolean): HTMLElement {
    const all = h('input', {
      type: 'checkbox',
      id: 'select-all',
      'aria-label': 'Select every case on this page',
      onchange: (e: Event) => {
        const on = (e.target as HTMLInputElement).checked;
        for (const box of this.root.querySelectorAll<HTMLInputElement>('input[data-select]'))
          box.checked = on;
      },
    });
    const headers = [
      'Case',
      'Customer',
      'Severity',
      'State',
      'Assignee',
      'SLA',
      'Due',
      'Rules',
      ...(officer ? ['Action'] : []),
    ];
    return h(
      'table',
      { class: 'cases-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          officer ? h('th', { scope: 'col' }, all) : null,
          ...headers.map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, ...cases.map((c) => this.queueRow(c, officer))),
    );
  }

  private queueRow(c: CaseSummary, officer: boolean): HTMLElement {
    const me = this.me as CaseToolMe;
    const claim = offeredActions(me, c).has('claim')
      ? h(
          'button',
          {
            type: 'button',
            'data-claim': c.caseId,
            'aria-label': `Claim case ${shortCaseId(c.caseId)}`,
            onclick: (e: Event) =>
              void this.busy(
                e.currentTarget as HTMLButtonElement,
                async () => {
                  await this.client.act(c.caseId, { action: 'claim', expectedVersion: c.version });
                  await this.reloadQueue(
                    `a[data-case-link="${c.caseId}"]`,
                    undefined,
                    `Claimed case ${shortCaseId(c.caseId)}.`,
                  );
                },
                () => void this.busy(null, () => this.reloadQueue('#queue-title')),
              ),
          },
          'Claim',
        )
      : null;
    return h(
      'tr',
      { 'data-case': c.caseId, 'data-sla': c.sla, 'data-state': c.state },
      officer
        ? h(
            'td',
            {},
            h('input', {
              type: 'checkbox',
              'data-select': c.caseId,
              'data-version': c.version,
              'aria-label': `Select case ${shortCaseId(c.caseId)}`,
              disabled: c.state === 'closed' || c.state === 'pending_second_approval',
            }),
          )
        : null,
      h(
        'th',
        { scope: 'row' },
        h(
          'a',
          { href: caseHref(c.caseId), 'data-case-link': c.caseId, title: c.caseId },
          shortCaseId(c.caseId),
        ),
      ),
      h('td', {}, c.subjectId),
      h('td', {}, severityBadge(c.severity)),
      h('td', {}, stateText(c.state), c.outcome ? ` (${OUTCOME_LABELS[c.outcome]})` : ''),
      h('td', { 'data-assignee': c.assignee ?? '' }, c.assignee ?? h('em', {}, 'unassigned')),
      h('td', {}, slaBadge(c.sla)),
      h('td', {}, due(c.dueAt, c.state === 'closed')),
      h('td', {}, c.rules.join(', ') || '—'),
      officer ? h('td', {}, claim) : null,
    );
  }

  private pager(nextCursor: string | null): HTMLElement | null {
    if (!nextCursor && this.cursors.length === 0) return null;
    const go = (cursor: string | null, back: boolean) =>
      void this.busy(null, async () => {
        if (back) this.cursor = this.cursors.pop() ?? null;
        else {
          this.cursors.push(this.cursor);
          this.cursor = cursor;
        }
        await this.reloadQueue('#queue-title');
      });
    return h(
      'nav',
      { class: 'pager', 'aria-label': 'Queue pages' },
      this.cursors.length
        ? h('button', { type: 'button', onclick: () => go(null, true) }, 'Previous page')
        : null,
      nextCursor ? h('button', { type: 'button', onclick: () => go(nextCursor, false) }, 'Next page') : null,
    );
  }

  private bulkForm(cases: CaseSummary[]): HTMLElement {
    const reason = reasonField('bulk-reason', 'Reason code');
    const problem = h('p', { class: 'error', id: 'bulk-problem' });
    problem.hidden = true;
    const form = h(
      'form',
      {
        class: 'tile wide bulk',
        'aria-labelledby': 'bulk-title',
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          const chosen = [...this.root.querySelectorAll<HTMLInputElement>('input[data-select]:checked')].map(
            (box) => ({ caseId: box.dataset.select as string, expectedVersion: Number(box.dataset.version) }),
          );
          problem.hidden = chosen.length > 0;
          problem.textContent = chosen.length ? '' : 'Select at least one case in the queue first.';
          if (!chosen.length) return;
          const code = reason.check();
          if (code === null) return;
          void this.busy((e as SubmitEvent).submitter as HTMLButtonElement | null, async () => {
            const result = await this.client.bulk({
              action: 'close',
              outcome: 'cleared_false_positive',
              reasonCode: code,
              cases: chosen,
            });
            this.clearMessages();
            await this.reloadQueue(
              '#bulk-results-title',
              result,
              `${result.succeeded} of ${result.results.length} cases done.`,
            );
          });
        },
      },
      h('h2', { id: 'bulk-title' }, 'Close selected as false positive'),
      h(
        'p',
        { class: 'note' },
        'Each selected case is closed on its own, against the version shown here; one that changed meanwhile is refused, the others go through.',
      ),
      reason.field,
      problem,
      h('button', { type: 'submit' }, 'Close selected as false positive'),
    );
    void cases;
    return form;
  }

  private bulkResultsView(r: CaseBulkResult): HTMLElement {
    return h(
      'section',
      { class: 'tile wide', 'aria-labelledby': 'bulk-results-title' },
      h(
        'h2',
        { id: 'bulk-results-title', tabindex: -1 },
        `Bulk close: ${r.succeeded} of ${r.results.length} done`,
      ),
      h(
        'ul',
        { class: 'bulk-results' },
        ...r.results.map((x) =>
          h(
            'li',
            { 'data-result': x.caseId, 'data-status': x.status },
            h('a', { href: caseHref(x.caseId) }, shortCaseId(x.caseId)),
            ': ',
            x.case
              ? x.case.state === 'pending_second_approval'
                ? 'proposed, pending second approval (four eyes)'
                : `${CASE_STATE_LABELS[x.case.state]}${x.case.outcome ? ` (${OUTCOME_LABELS[x.case.outcome]})` : ''}`
              : h(
                  'span',
                  { class: 'error' },
                  `refused: ${x.error?.error ?? x.status} (${x.error?.code ?? x.status})`,
                ),
          ),
        ),
      ),
    );
  }

  // ---- one case ----

  private async casePage(caseId: string, personal: boolean, message?: string): Promise<HTMLElement> {
    const c = await this.client.getCase(caseId, personal);
    const me = this.me as CaseToolMe;
    const root = this.fresh('case');
    root.dataset.case = c.caseId;
    root.dataset.version = String(c.version);
    root.append(
      ...present<Node>(
        h('p', {}, h('a', { href: CASES_HREF }, '← Back to the queue')),
        h('h1', { tabindex: -1 }, `Case ${c.caseId}`),
        this.whoAmI(),
        this.alert,
        this.status,
        h('div', { class: 'tiles' }, this.summaryTile(c), this.personalTile(c, me)),
        isOfficer(me) ? this.actionsTile(c, me) : null,
        this.linkedTile(c),
        this.notesTile(c),
        this.historyTile(c),
      ),
    );
    if (message) this.status.textContent = message;
    return root;
  }

  /** Re-reads the case (its current version) in place; focus on `focus` or the heading. */
  private async reloadCase(caseId: string, personal = false, message?: string, focus = 'h1'): Promise<void> {
    const old = this.root;
    const page = await this.casePage(caseId, personal, message);
    old.replaceWith(page);
    page.querySelector<HTMLElement>(focus)?.focus();
  }

  private summaryTile(c: CaseView): HTMLElement {
    const row = (term: string, ...value: (Node | string)[]) => [h('dt', {}, term), h('dd', {}, ...value)];
    return h(
      'section',
      { class: 'tile', 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, 'Summary'),
      h(
        'dl',
        { class: 'case-facts' },
        ...row('Customer', c.subjectId),
        ...row('State', stateText(c.state)),
        ...row('Severity', severityBadge(c.severity)),
        ...row('SLA', slaBadge(c.sla)),
        ...row('Due', due(c.dueAt, c.state === 'closed')),
        ...row('Assignee', c.assignee ?? 'unassigned'),
        ...row('Rules', c.rules.join(', ') || '—'),
        ...row('Opened', h('time', { datetime: c.openedAt }, formatTime(c.openedAt))),
        ...(c.pending
          ? row(
              'Proposed decision',
              `${outcomeLabel(c.pending.outcome)} (${c.pending.reasonCode}), by ${c.pending.proposedBy} at `,
              h('time', { datetime: c.pending.proposedAt }, formatTime(c.pending.proposedAt)),
            )
          : []),
        ...(c.outcome
          ? row('Outcome', `${OUTCOME_LABELS[c.outcome]}${c.reasonCode ? ` (${c.reasonCode})` : ''}`)
          : []),
        ...(c.decidedBy.length ? row('Decided by', c.decidedBy.join(' and ')) : []),
        ...row('Version', String(c.version)),
      ),
    );
  }

  private personalTile(c: CaseView, me: CaseToolMe): HTMLElement {
    const shown = c.personalData === 'shown';
    const has = c.linked.some((l) => l.hasPersonalData) || c.notes.length > 0;
    let body: (HTMLElement | null)[];
    if (!has) body = [h('p', {}, 'This case holds no personal data (no screened name, no note).')];
    else if (!me.seesPersonalData)
      body = [h('p', {}, 'Personal data (screened names, note texts) is hidden: your role may not see it.')];
    else if (shown)
      body = [
        h(
          'p',
          { 'data-personal': 'shown' },
          'Personal data is shown below. This view was recorded on the case’s trail with your name.',
        ),
        h(
          'button',
          { type: 'button', onclick: () => void this.busy(null, () => this.reloadCase(c.caseId, false)) },
          'Hide personal data',
        ),
      ];
    else
      body = [
        h(
          'p',
          { 'data-personal': 'hidden', id: 'personal-why' },
          'Screened names and note texts are hidden. Showing them is recorded on the case’s trail (who, when, which fields).',
        ),
        h(
          'button',
          {
            type: 'button',
            'aria-describedby': 'personal-why',
            onclick: (e: Event) =>
              void this.busy(e.currentTarget as HTMLButtonElement, () =>
                this.reloadCase(
                  c.caseId,
                  true,
                  'Personal data shown; the view was recorded.',
                  '#linked-title',
                ),
              ),
          },
          'Show personal data',
        ),
      ];
    return h(
      'section',
      { class: 'tile', 'aria-labelledby': 'personal-title' },
      h('h2', { id: 'personal-title' }, 'Personal data'),
      ...body,
    );
  }

  private actionsTile(c: CaseView, me: CaseToolMe): HTMLElement {
    const offered = offeredActions(me, c);
    const reload = () => void this.busy(null, () => this.reloadCase(c.caseId));
    const send = (
      button: HTMLButtonElement | null,
      body: Parameters<CasesClient['act']>[1],
      done: (s: CaseSummary) => string,
    ) =>
      void this.busy(
        button,
        async () => {
          const s = await this.client.act(c.caseId, body);
          await this.reloadCase(c.caseId, false, done(s), '#cases-status');
        },
        reload,
      );
    const v = c.version;
    const parts: (HTMLElement | null)[] = [];

    const quick: HTMLElement[] = [];
    if (offered.has('claim'))
      quick.push(
        h(
          'button',
          {
            type: 'button',
            onclick: (e: Event) =>
              send(
                e.currentTarget as HTMLButtonElement,
                { action: 'claim', expectedVersion: v },
                () => 'Claimed.',
              ),
          },
          'Claim',
        ),
      );
    if (offered.has('start'))
      quick.push(
        h(
          'button',
          {
            type: 'button',
            onclick: (e: Event) =>
              send(
                e.currentTarget as HTMLButtonElement,
                { action: 'start', expectedVersion: v },
                () => 'Investigation started.',
              ),
          },
          'Start investigating',
        ),
      );
    if (quick.length) parts.push(h('div', { class: 'buttons' }, ...quick));

    if (offered.has('assign')) {
      const select = h(
        'select',
        { id: 'assign-to', name: 'assign-to' },
        h('option', { value: '', selected: c.assignee === null }, 'Unassigned'),
        ...me.officers.map((o) => h('option', { value: o, selected: o === c.assignee }, o)),
      );
      parts.push(
        h(
          'form',
          {
            class: 'inline-form',
            'aria-label': 'Assign',
            onsubmit: (e: Event) => {
              e.preventDefault();
              const to = select.value || null;
              send(
                (e as SubmitEvent).submitter as HTMLButtonElement | null,
                { action: 'assign', to, expectedVersion: v },
                () => (to ? `Assigned to ${to}.` : 'Unassigned.'),
              );
            },
          },
          h('label', { for: 'assign-to' }, 'Assign to'),
          select,
          h('button', { type: 'submit' }, 'Assign'),
        ),
      );
    }

    if (offered.has('decide')) {
      const outcome = h(
        'select',
        { id: 'decide-outcome', name: 'decide-outcome', 'aria-describedby': 'decide-four-eyes' },
        ...OUTCOMES.map((o) =>
          h(
            'option',
            { value: o },
            `${OUTCOME_LABELS[o]}${FOUR_EYES.has(o) ? ' — needs a second approval' : ''}`,
          ),
        ),
      );
      const reason = reasonField('decide-reason', 'Reason code');
      parts.push(
        h(
          'form',
          {
            class: 'decision',
            'aria-labelledby': 'decide-title',
            novalidate: true,
            onsubmit: (e: Event) => {
              e.preventDefault();
              const code = reason.check();
              if (code === null) return;
              const chosen = outcome.value as Outcome;
              send(
                (e as SubmitEvent).submitter as HTMLButtonElement | null,
                { action: 'decide', outcome: chosen, reasonCode: code, expectedVersion: v },
                (s) =>
                  s.state === 'pending_second_approval'
                    ? 'Decision proposed: pending second approval by another senior officer.'
                    : `Closed: ${OUTCOME_LABELS[chosen]}.`,
              );
            },
          },
          h('h3', { id: 'decide-title' }, 'Decision'),
          h('div', { class: 'field' }, h('label', { for: 'decide-outcome' }, 'Outcome'), outcome),
          h(
            'p',
            { class: 'hint', id: 'decide-four-eyes' },
            'A confirmed sanctions match, a blocked customer or a filed report needs a second, senior officer (never you) before the case closes.',
          ),
          reason.field,
          h('button', { type: 'submit' }, 'Record decision'),
        ),
      );
    }

    const waiting = approvalNote(me, c);
    if (waiting) parts.push(h('p', { class: 'note', 'data-approval': 'waiting' }, waiting));
    if (offered.has('approve')) {
      const reason = reasonField('approval-reason', 'Reason code for your approval or rejection');
      const decide = (kind: 'approve' | 'reject') => (e: Event) => {
        const code = reason.check();
        if (code === null) return;
        send(
          e.currentTarget as HTMLButtonElement,
          { action: kind, reasonCode: code, expectedVersion: v },
          () =>
            kind === 'approve'
              ? 'Approved: the case is closed.'
              : 'Rejected: the case is back in investigation.',
        );
      };
      parts.push(
        h(
          'div',
          { class: 'decision', role: 'group', 'aria-labelledby': 'approval-title' },
          h('h3', { id: 'approval-title' }, 'Second approval'),
          h(
            'p',
            {},
            `${c.pending?.proposedBy ?? ''} proposed: ${c.pending ? outcomeLabel(c.pending.outcome) : ''} (${c.pending?.reasonCode ?? ''}).`,
          ),
          reason.field,
          h(
            'div',
            { class: 'buttons' },
            h('button', { type: 'button', onclick: decide('approve') }, 'Approve'),
            h('button', { type: 'button', onclick: decide('reject') }, 'Reject'),
          ),
        ),
      );
    }

    if (offered.has('reopen')) {
      const reason = reasonField('reopen-reason', 'Reason code to reopen');
      parts.push(
        h(
          'form',
          {
            class: 'decision',
            'aria-label': 'Reopen',
            novalidate: true,
            onsubmit: (e: Event) => {
              e.preventDefault();
              const code = reason.check();
              if (code === null) return;
              send(
                (e as SubmitEvent).submitter as HTMLButtonElement | null,
                { action: 'reopen', reasonCode: code, expectedVersion: v },
                () => 'Reopened: the case is back in investigation.',
              );
            },
          },
          reason.field,
          h('button', { type: 'submit' }, 'Reopen'),
        ),
      );
    }

    if (offered.has('note')) {
      const text = h('textarea', { id: 'note-text', name: 'note-text', rows: 3, maxlength: 4000 });
      const problem = h('p', { class: 'error', id: 'note-problem' });
      problem.hidden = true;
      parts.push(
        h(
          'form',
          {
            class: 'decision',
            'aria-labelledby': 'note-title',
            novalidate: true,
            onsubmit: (e: Event) => {
              e.preventDefault();
              const value = text.value.trim();
              problem.hidden = value !== '';
              problem.textContent = value ? '' : 'Write the note first.';
              if (!value) return text.focus();
              send(
                (e as SubmitEvent).submitter as HTMLButtonElement | null,
                { action: 'note', text: value, expectedVersion: v },
                () => 'Note added.',
              );
            },
          },
          h('h3', { id: 'note-title' }, 'Add a note'),
          h('label', { for: 'note-text' }, 'Note (kept encrypted; shown only with personal data)'),
          text,
          problem,
          h('button', { type: 'submit' }, 'Add note'),
        ),
      );
    }

    return h(
      'section',
      { class: 'tile wide actions', 'aria-labelledby': 'actions-title' },
      h('h2', { id: 'actions-title' }, 'Actions'),
      parts.length ? null : h('p', {}, 'Nothing to do on this case.'),
      ...parts,
    );
  }

  private linkedTile(c: CaseView): HTMLElement {
    const shown = c.personalData === 'shown';
    return h(
      'section',
      { class: 'tile wide', 'aria-labelledby': 'linked-title' },
      h('h2', { id: 'linked-title', tabindex: -1 }, `Linked concerns (${c.linked.length})`),
      h(
        'table',
        { class: 'linked' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['Kind', 'Concern', 'Severity', 'Rule', 'Transaction', 'Summary', 'Screened name', 'At'].map(
              (t) => h('th', { scope: 'col' }, t),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...c.linked.map((l) =>
            h(
              'tr',
              { 'data-link': l.id },
              h('td', {}, l.kind.replace('_', ' ')),
              h('th', { scope: 'row' }, l.id),
              h('td', {}, severityBadge(l.severity)),
              h('td', {}, l.ruleId ?? '—'),
              h('td', {}, l.transactionId ?? '—'),
              h('td', { class: 'summary' }, l.summary ?? '—'),
              h(
                'td',
                { 'data-screened-name': l.screenedName ?? '' },
                l.screenedName ?? (l.hasPersonalData ? h('em', {}, shown ? 'not available' : 'hidden') : '—'),
              ),
              h('td', {}, h('time', { datetime: l.at }, formatTime(l.at))),
            ),
          ),
        ),
      ),
    );
  }

  private notesTile(c: CaseView): HTMLElement {
    return h(
      'section',
      { class: 'tile wide', 'aria-labelledby': 'notes-title' },
      h('h2', { id: 'notes-title' }, `Notes (${c.notes.length})`),
      c.notes.length === 0
        ? h('p', {}, 'No notes yet.')
        : h(
            'ol',
            { class: 'notes' },
            ...c.notes.map((n) =>
              h(
                'li',
                { 'data-note': n.seq },
                h(
                  'span',
                  { class: 'meta' },
                  `${n.author}, `,
                  h('time', { datetime: n.at }, formatTime(n.at)),
                ),
                h('span', { class: 'note-text' }, n.text ?? h('em', {}, 'hidden (personal data)')),
              ),
            ),
          ),
    );
  }

  private historyTile(c: CaseView): HTMLElement {
    return h(
      'section',
      { class: 'tile wide', 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'History (from the trail)'),
      h(
        'table',
        { class: 'history' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['#', 'When', 'Who', 'What', 'Reason code'].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          ...c.history.map((e) =>
            h(
              'tr',
              { 'data-event': e.seq, 'data-action': e.action },
              h('td', { class: 'num' }, e.seq),
              h('td', {}, h('time', { datetime: e.at }, formatTime(e.at))),
              h('td', {}, e.actor),
              h('td', {}, e.action.replace(/_/g, ' ')),
              h('td', {}, e.reasonCode ?? '—'),
            ),
          ),
        ),
      ),
    );
  }
}
