/**
 * In a real Chromium against riskApi fed by the real risk path: the gauge's zone and the state label at exact
 * threshold values (50/30/15), a portfolio held in MARGIN_CALL by hysteresis at a score of 31, no debt, the
 * desk's keyboard path, and the screenshots the README shows.
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openSignedIn } from './support/browser';
import { BLUR, DESK_ROWS, FOCUSED_HREF, FOCUSED_TAG, FOCUS_STYLE, setHash } from './support/in-page';
import { held, owed, portfolio, RiskStack, tickAt } from './support/risk-stack';

const DOCS = join(__dirname, '..', '..', 'dashboard', 'docs');

const BOOKS = [
  portfolio('edge-50', [held('BTC', 1.5), owed('USDC', 100_000)]), // score exactly 50
  portfolio('edge-30', [held('BTC', 1.3), owed('USDC', 100_000)]), // exactly 30
  portfolio('edge-15', [held('USDC', 115_000), owed('BTC', 1)]), // exactly 15
  portfolio('held-31', [held('BTC', 1.31), owed('USDC', 100_000)]), // 17.9 first, then 31
  portfolio('deep-5', [held('BTC', 1.05), owed('USDC', 100_000)]),
  portfolio('no-debt', [held('BTC', 1)]),
];

describe('dashboard gauge and desk in Chromium', () => {
  const stack = new RiskStack();
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const [, b] = await Promise.all([stack.start('dash-gauge'), launchChromium()]);
    browser = b;
    const now = Date.now();
    // held-31 falls into MARGIN_CALL first; back at 31 it is above 30 but not past 30 + the recovery band.
    await stack.runRisk([BOOKS[3]], tickAt(now - 180_000), { BTC: 90_000, ETH: 4_000, USDC: 1 });
    await stack.runRisk(BOOKS, tickAt(now - 60_000), { BTC: 100_000, ETH: 4_000, USDC: 1 });
    await stack.settle();
    page = await openSignedIn(browser, stack.dashboard.url);
    await page.locator('table.portfolios').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await stack.stop();
  });

  it('lists the desk riskiest first, each state as a label and a colour, with the counts', async () => {
    const rows = await page.evaluate<string[][]>(DESK_ROWS);
    expect(rows).toEqual([
      ['deep-5', '✖ LIQUIDATION', 'rgb(92, 0, 17)'],
      ['edge-15', '◆ MARGIN_CALL', 'rgb(198, 40, 40)'],
      ['held-31', '◆ MARGIN_CALL', 'rgb(198, 40, 40)'],
      ['edge-30', '▲ WARNING', 'rgb(242, 194, 48)'],
      ['edge-50', '● HEALTHY', 'rgb(27, 127, 59)'],
      ['no-debt', '● HEALTHY', 'rgb(27, 127, 59)'],
    ]);
    const scores = await page.locator('tr[data-portfolio] td:nth-child(3)').allTextContents();
    expect(scores).toEqual(['5.0', '15.0', '31.0', '30.0', '50.0', 'No debt']);
    const counts = await page.locator('[data-count] strong').allTextContents();
    expect(counts).toEqual(['1', '2', '1', '2']); // LIQUIDATION, MARGIN_CALL, WARNING, HEALTHY
    expect(await page.locator('.as-of[data-as-of]').count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(DOCS, 'desk.png'), fullPage: true });
  });

  it.each([
    ['edge-50', '50.0', 'HEALTHY', 'HEALTHY', 'score ≥ 50'],
    ['edge-30', '30.0', 'WARNING', 'WARNING', '30 ≤ score < 50'],
    ['edge-15', '15.0', 'MARGIN_CALL', 'MARGIN_CALL', '15 ≤ score < 30'],
    ['held-31', '31.0', 'WARNING', 'MARGIN_CALL', '30 ≤ score < 50'],
    ['deep-5', '5.0', 'LIQUIDATION', 'LIQUIDATION', 'score < 15'],
  ])('shows %s at %s in the %s zone, labelled %s', async (id, shown, zone, label, range) => {
    await page.evaluate(setHash(`#/portfolio/${id}`));
    const gauge = page.locator(`[data-portfolio="${id}"] figure.gauge`);
    await gauge.waitFor();
    expect(await gauge.getAttribute('data-zone')).toBe(zone);
    expect(await gauge.locator('.score').textContent()).toBe(shown);
    expect(await gauge.locator('.badge').textContent()).toBe(
      `${label === 'HEALTHY' ? '●' : label === 'WARNING' ? '▲' : label === 'MARGIN_CALL' ? '◆' : '✖'} ${label}`,
    );
    expect(await gauge.locator('.zone-text').textContent()).toContain(`${zone} zone (${range})`);
    expect(Number(await gauge.locator('.needle').getAttribute('data-needle'))).toBe(Number(shown));
    const heldText = gauge.locator('.held');
    if (id === 'held-31')
      expect(await heldText.textContent()).toContain(
        'Held in MARGIN_CALL by hysteresis until the score reaches 32',
      );
    else expect(await heldText.count()).toBe(0);
    expect(await page.locator('[data-tile] .as-of[data-as-of]').count()).toBe(5);
  });

  it('shows a portfolio without debt as "No debt", without a needle', async () => {
    await page.evaluate(setHash('#/portfolio/no-debt'));
    const gauge = page.locator('[data-portfolio="no-debt"] figure.gauge');
    await gauge.waitFor();
    expect(await gauge.locator('.score').textContent()).toBe('No debt');
    expect(await gauge.locator('.needle').count()).toBe(0);
    expect(await gauge.getAttribute('data-zone')).toBe('NONE');
  });

  it('shows liquidation prices with their distance and direction, VaR/ES and the 24 h chart', async () => {
    await page.evaluate(setHash('#/portfolio/edge-15'));
    await page.locator('[data-portfolio="edge-15"] [data-tile="liquidation"] tr[data-asset="BTC"]').waitFor();
    // 115 000 USDC against 1 BTC owed, score exactly 15: BTC is at its liquidation price, any rise liquidates.
    expect(
      await page.locator('[data-tile="liquidation"] tr[data-asset="BTC"] td:last-child').textContent(),
    ).toBe('< 0.1 % rise');
    await page.evaluate(setHash('#/portfolio/held-31'));
    await page.locator('[data-portfolio="held-31"] .uplot canvas').waitFor();
    expect(
      await page.locator('[data-tile="liquidation"] tr[data-asset="BTC"] td:last-child').textContent(),
    ).toMatch(/^\d+\.\d % fall$/);
    const varRows = await page.locator('[data-tile="var"] tbody tr').count();
    expect(varRows).toBeGreaterThanOrEqual(12);
    expect(await page.locator('[data-tile="var"] caption').textContent()).toMatch(
      /365 days.*estimator.*horizon/,
    );
    await page.screenshot({ path: join(DOCS, 'portfolio.png'), fullPage: true });
  });

  it('reaches a portfolio with the keyboard: Tab to its link, focus visible, Enter opens it', async () => {
    await page.evaluate(setHash('#/desk/default'));
    await page.locator('table.portfolios').waitFor();
    await page.evaluate(BLUR);
    let focused = '';
    for (let i = 0; i < 40 && !focused.startsWith('#/portfolio/'); i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate<string>(FOCUSED_HREF);
    }
    expect(focused).toBe('#/portfolio/deep-5');
    const outline = await page.evaluate<{ style: string; width: number; visible: boolean }>(FOCUS_STYLE);
    expect(outline).toEqual({ style: 'solid', width: 3, visible: true });
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Portfolio deep-5' }).waitFor();
    expect(new URL(page.url()).hash).toBe('#/portfolio/deep-5');
    expect(await page.evaluate<string>(FOCUSED_TAG)).toBe('H1');
  });
});
