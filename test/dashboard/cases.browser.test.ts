/**
 * The compliance officers' page in a real Chromium against the real complianceCases function (Firestore emulator,
 * DuckDB), its cases opened by the real AML path: the queue with SLA labels, a claim, personal data hidden until
 * asked for (and the view recorded), a report proposed by one officer — who is offered no approval — and approved
 * by a senior officer in another session; a stale edit answered with the conflict message and a Reload (never a
 * silent retry); an auditor offered no action; a bulk close; and the screenshots the README shows.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startDashboardServer } from '../../local-stack/dashboard-server';
import { launchChromium } from './support/browser';
import { AUDITOR, CasesStack, OFFICER, OTHER_OFFICER, SCREENED, SENIOR } from './support/cases-stack';

const DOCS = join(__dirname, '..', '..', 'dashboard', 'docs');
const HOUR = 3_600_000;
const short = (caseId: string) => `${caseId.slice(0, 11)}…`;

/** A fresh browser context signed in through the local form as `identity`, on `hash`. */
async function signInAs(browser: Browser, url: string, identity: string, hash: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:')) outside.push(r.url());
  });
  await page.goto(`${url}/${hash}`);
  await page.locator('#identity').fill(identity);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator(`[data-me="${identity}"]`).waitFor({ timeout: 15_000 });
  expect(outside).toEqual([]);
  return page;
}

const caseState = (page: Page) =>
  page.locator('.page.case [data-case-state]').first().getAttribute('data-case-state');

describe('compliance officers’ page in Chromium', () => {
  const stack = new CasesStack();
  let browser: Browser;
  const pages: Page[] = [];
  let main: string; // the case worked through to a second approval
  let breached: string;
  let atRisk: string;
  let stale: string;
  const bulk: string[] = [];

  beforeAll(async () => {
    const [, b] = await Promise.all([stack.start('dash-cases'), launchChromium()]);
    browser = b;
    // Sanctions hits are CRITICAL: 4 h to a decision, at risk after 3 h.
    main = (await stack.openCase('cases-main')).caseId;
    breached = (await stack.openCase('cases-late')).caseId;
    await stack.age(breached, 5 * HOUR);
    atRisk = (await stack.openCase('cases-soon')).caseId;
    await stack.age(atRisk, 3.5 * HOUR);
    stale = (await stack.openCase('cases-stale')).caseId;
    bulk.push((await stack.openCase('cases-bulk-1')).caseId, (await stack.openCase('cases-bulk-2')).caseId);
  });

  afterAll(async () => {
    await browser?.close();
    await stack.stop();
  });

  const open = async (identity: string, hash: string) => {
    const page = await signInAs(browser, stack.dashboard.url, identity, hash);
    pages.push(page);
    return page;
  };

  let officer: Page;

  it('shows the queue most urgent first with SLA labels in text and colour, and claims a case', async () => {
    officer = await open(OFFICER, '#/cases');
    await officer.locator('tr[data-case]').first().waitFor();
    expect(await officer.locator('#cases-link').isVisible()).toBe(true);
    expect(await officer.locator('#cases-link').getAttribute('aria-current')).toBe('page');
    const ids = await officer
      .locator('tr[data-case]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-case')));
    expect(ids.slice(0, 2)).toEqual([breached, atRisk]);
    const sla = async (caseId: string) => {
      const badge = officer.locator(`tr[data-case="${caseId}"] [data-sla]`);
      return [
        (await badge.textContent())?.trim(),
        await officer.evaluate(
          `getComputedStyle(document.querySelector('tr[data-case="${caseId}"] [data-sla]')).backgroundColor`,
        ),
      ];
    };
    expect(await sla(breached)).toEqual(['✖ breached', 'rgb(160, 0, 0)']);
    expect(await sla(atRisk)).toEqual(['▲ at risk', 'rgb(242, 194, 48)']);
    expect(await sla(main)).toEqual(['● on time', 'rgb(27, 127, 59)']);
    expect(await officer.locator(`tr[data-case="${breached}"]`).textContent()).toMatch(/overdue by 1 h/);
    expect(await officer.locator(`tr[data-case="${main}"]`).textContent()).toContain('sanctions.ofac-sdn');
    await officer.screenshot({ path: join(DOCS, 'cases-queue.png'), fullPage: true });

    // The SLA filter asks the API for breached cases only.
    await officer.locator('#f-sla').selectOption('breached');
    await officer.getByRole('button', { name: 'Apply filters' }).click();
    await officer.waitForFunction(
      `document.querySelectorAll('tr[data-case]').length === 1 && !!document.querySelector('tr[data-case="${breached}"]')`,
    );
    await officer.locator('#f-sla').selectOption('');
    await officer.getByRole('button', { name: 'Apply filters' }).click();
    await officer.locator(`tr[data-case="${main}"]`).waitFor();

    // Claim with the keyboard.
    await officer.getByRole('button', { name: `Claim case ${short(main)}` }).focus();
    await officer.keyboard.press('Enter');
    await officer.locator('#cases-status', { hasText: `Claimed case ${short(main)}` }).waitFor();
    expect(
      await officer.locator(`tr[data-case="${main}"] [data-assignee]`).getAttribute('data-assignee'),
    ).toBe(OFFICER);
    expect(await officer.locator(`[data-claim="${main}"]`).count()).toBe(0);
    // "Mine" now lists exactly that case.
    await officer.locator('#f-assignee').selectOption('mine');
    await officer.getByRole('button', { name: 'Apply filters' }).click();
    await officer.waitForFunction(`document.querySelectorAll('tr[data-case]').length === 1`);
    expect(await officer.locator('tr[data-case]').getAttribute('data-case')).toBe(main);
  });

  it('hides personal data until asked for, says the view is recorded, and records it', async () => {
    await officer.locator(`a[data-case-link="${main}"]`).click();
    await officer.locator('h1', { hasText: `Case ${main}` }).waitFor();
    expect(await officer.evaluate('document.activeElement?.tagName')).toBe('H1');
    expect(await officer.locator('[data-personal="hidden"]').textContent()).toMatch(
      /recorded on the case’s trail/,
    );
    expect(await officer.locator('main').textContent()).not.toContain(SCREENED);
    expect(await officer.locator('[data-screened-name]').first().textContent()).toBe('hidden');

    await officer.getByRole('button', { name: 'Show personal data' }).click();
    await officer.locator('[data-personal="shown"]').waitFor();
    expect(await officer.locator('[data-screened-name]').first().textContent()).toBe(SCREENED);
    await officer.getByRole('button', { name: 'Hide personal data' }).click();
    await officer.locator('[data-personal="hidden"]').waitFor();
    expect(await officer.locator('main').textContent()).not.toContain(SCREENED);
    // The view is on the trail, with who saw it.
    expect(await officer.locator('[data-action="personal_data_viewed"]').textContent()).toContain(OFFICER);
  });

  it('checks the reason code before sending, proposes a report, and offers the proposer no approval', async () => {
    const version = (await stack.caseDoc(main))?.version;
    await officer.locator('#decide-outcome').selectOption('sar_filed');
    await officer.locator('#decide-reason').fill('sanctioned exchange');
    await officer.locator('#decide-reason').press('Enter');
    await officer.locator('#decide-reason-problem', { hasText: 'UPPER_SNAKE_CASE' }).waitFor();
    expect(await officer.locator('#decide-reason').getAttribute('aria-invalid')).toBe('true');
    expect(await officer.evaluate('document.activeElement?.id')).toBe('decide-reason');
    expect((await stack.caseDoc(main))?.version).toBe(version); // nothing was sent

    await officer.locator('#decide-reason').fill('SANCTIONED_EXCHANGE');
    await officer.locator('#decide-reason').press('Enter');
    await officer.locator('#cases-status', { hasText: 'pending second approval' }).waitFor();
    expect(await caseState(officer)).toBe('pending_second_approval');
    expect(await officer.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    expect(await officer.locator('[data-approval="waiting"]').textContent()).toMatch(
      /You proposed this decision/,
    );
    expect(await officer.locator('main').textContent()).toContain(
      'suspicious activity report filed (SANCTIONED_EXCHANGE)',
    );
    await officer.screenshot({ path: join(DOCS, 'case-view.png'), fullPage: true });
  });

  it('lets a senior officer in another session approve it: closed', async () => {
    const senior = await open(SENIOR, `#/cases/${main}`);
    await senior.locator('h1', { hasText: `Case ${main}` }).waitFor();
    expect(await caseState(senior)).toBe('pending_second_approval');
    await senior.getByRole('button', { name: 'Approve' }).click();
    await senior.locator('#approval-reason-problem', { hasText: 'A reason code is required' }).waitFor();
    await senior.locator('#approval-reason').fill('AGREED');
    await senior.getByRole('button', { name: 'Approve' }).click();
    await senior.locator('#cases-status', { hasText: 'Approved' }).waitFor();
    expect(await caseState(senior)).toBe('closed');
    expect(await senior.locator('main').textContent()).toMatch(
      /Decided by.*ann@bank\.test and sue@bank\.test/,
    );
    expect((await stack.caseDoc(main))?.status).toMatchObject({
      outcome: 'sar_filed',
      decidedBy: [OFFICER, SENIOR],
    });
  });

  it('answers a stale edit with the conflict message and a Reload, never a silent retry', async () => {
    const a = await open(OFFICER, `#/cases/${stale}`);
    const b = await open(OTHER_OFFICER, `#/cases/${stale}`);
    await a.locator('h1', { hasText: `Case ${stale}` }).waitFor();
    await b.locator('h1', { hasText: `Case ${stale}` }).waitFor();
    const opened = (await stack.caseDoc(stale))?.version as number;

    await a.getByRole('button', { name: 'Claim' }).click();
    await a.locator('#cases-status', { hasText: 'Claimed' }).waitFor();
    await b.getByRole('button', { name: 'Start investigating' }).click();
    const alert = b.getByRole('alert').filter({ hasText: 'This case changed since you opened it' });
    await alert.waitFor();
    const reload = b.getByRole('button', { name: 'Reload' });
    expect(await b.evaluate('document.activeElement?.textContent')).toBe('Reload');
    await new Promise((r) => setTimeout(r, 500)); // a retry would have landed by now
    const now = await stack.caseDoc(stale);
    expect(now?.version).toBe(opened + 1);
    expect(now?.state).toBe('open');
    expect(now?.status.assignee).toBe(OFFICER);

    await reload.click();
    await b.waitForFunction(`document.querySelector('.page.case')?.dataset.version === '${opened + 1}'`);
    expect(await b.getByRole('alert').textContent()).toBe('');
    expect(await b.locator('main').textContent()).toContain(`Assignee${OFFICER}`);
  });

  it('offers an auditor no action and no personal data', async () => {
    const auditor = await open(AUDITOR, `#/cases/${stale}`);
    await auditor.locator('h1', { hasText: `Case ${stale}` }).waitFor();
    expect(await auditor.locator('main button').count()).toBe(0);
    expect(await auditor.locator('#actions-title').count()).toBe(0);
    expect(await auditor.locator('main').textContent()).toMatch(/your role may not see it/);
    await auditor.locator('a', { hasText: 'Back to the queue' }).click();
    await auditor.locator('tr[data-case]').first().waitFor();
    expect(
      await auditor
        .locator('main button, main input[type="checkbox"]')
        .evaluateAll((els) => els.map((e) => e.textContent)),
    ).toEqual(['Apply filters']);
  });

  it('closes selected cases as false positives in bulk, with a result per case', async () => {
    await officer.locator('#cases-link').click();
    await officer.locator('#f-assignee').selectOption('unassigned');
    await officer.getByRole('button', { name: 'Apply filters' }).click();
    await officer.locator(`tr[data-case="${bulk[1]}"]`).waitFor();
    for (const id of bulk) await officer.locator(`input[data-select="${id}"]`).check();
    await officer.locator('#bulk-reason').fill('duplicate');
    await officer.getByRole('button', { name: 'Close selected as false positive' }).click();
    await officer.locator('#bulk-reason-problem', { hasText: 'UPPER_SNAKE_CASE' }).waitFor();
    await officer.locator('#bulk-reason').fill('DUPLICATE_ALERT');
    await officer.getByRole('button', { name: 'Close selected as false positive' }).click();
    await officer.locator('#bulk-results-title', { hasText: '2 of 2 done' }).waitFor();
    for (const id of bulk) {
      expect(await officer.locator(`[data-result="${id}"]`).textContent()).toContain(
        'closed (cleared: false positive)',
      );
      expect(await officer.locator(`tr[data-case="${id}"]`).count()).toBe(0);
      expect((await stack.caseDoc(id))?.state).toBe('closed');
    }
  });

  it('offers no officers’ page without casesApiUrl', async () => {
    const plain = await startDashboardServer({
      distDir: stack.distDir,
      config: { apiBaseUrl: 'http://127.0.0.1:9/riskApi', auth: 'local', deskId: 'default' },
    });
    try {
      const page = await browser.newPage();
      await page.goto(`${plain.url}/#/cases`);
      await page.locator('#identity').fill(OFFICER);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('h1', { hasText: /Desk default|Could not load/ }).waitFor();
      expect(await page.locator('#cases-link').isHidden()).toBe(true);
      await page.close();
    } finally {
      await plain.close();
    }
  });
});
