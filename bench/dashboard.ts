/**
 * The dashboard's figures. dashboard.change_to_pixel.p95_ms: from ingestPrices publishing a market.prices.v1 tick
 * to a real Chromium showing the resulting state on the desk page (BTC alternates between two levels each
 * minute, so the watched portfolio flips between WARNING and MARGIN_CALL on every tick): prices → risk → margin
 * state and view → riskApi's stream → the SDK → the DOM, through the emulators. dashboard.js_gzip_kb: the first
 * page's JavaScript, gzipped. dashboard.lighthouse.*: Lighthouse (mobile profile, its default Slow 4G throttling)
 * on the desk page served by the local stack, median of three runs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildDashboard } from '../local-stack/dashboard-build';
import { startDashboardServer } from '../local-stack/dashboard-server';
import { freePort, startEmulators } from '../local-stack/emulators';
import { startLocalStack } from '../local-stack/stack';
import { ManualClock } from '../shared/platform/clocks';
import type { BenchFigure } from './areas';
import { percentile } from './percentile';
import { seedBenchCloses } from './seed-closes';

const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const TICKS = 14;
const WARMUP_TICKS = 3;
const HIGH = 20_000;
const LOW = 13_000;
const WATCHED = 'dash-0';

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/** The gzipped size of every script the entry page loads (its module and the chunks it preloads). */
export function firstPageJsGzipBytes(distDir: string): number {
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  return refs.reduce((n, f) => n + gzipSync(readFileSync(join(distDir, f)), { level: 9 }).length, 0);
}

async function lighthouseScores(url: string): Promise<{ performance: number; accessibility: number }> {
  const { default: lighthouse } = (await import('lighthouse')) as unknown as {
    default: (
      u: string,
      o: Record<string, unknown>,
    ) => Promise<{ lhr: { categories: Record<string, { score: number }> } }>;
  };
  const { launch } = (await import('chrome-launcher')) as unknown as {
    launch: (o: Record<string, unknown>) => Promise<{ port: number; kill: () => Promise<void> | void }>;
  };
  const chrome = await launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });
  try {
    const r = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: ['performance', 'accessibility'],
    });
    return {
      performance: Math.round(r.lhr.categories.performance.score * 100),
      accessibility: Math.round(r.lhr.categories.accessibility.score * 100),
    };
  } finally {
    await chrome.kill();
  }
}

export async function runDashboardBenchmarks(): Promise<BenchFigure[]> {
  const distDir = await buildDashboard(mkdtempSync(join(tmpdir(), 'dashboard-bench-')));
  const jsKb = firstPageJsGzipBytes(distDir) / 1024;
  const emulators = await startEmulators();
  const start = Date.parse('2024-06-01T00:00:00Z');
  const clock = new ManualClock(new Date(start));
  const minuteOf = (at: Date) => Math.floor((at.getTime() - start) / 60_000);
  const price = (asset: string, at: Date) => (asset === 'BTC' ? (minuteOf(at) % 2 === 0 ? HIGH : LOW) : 1);
  const dashboardPort = await freePort();
  const stack = await startLocalStack({
    projectId: `bench-dash-${process.pid}`,
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    clock,
    prices: price,
    env: {
      PRICE_ASSETS: 'BTC,USDC',
      RISK_SHARD_COUNT: '4',
      RISK_API_ALLOWED_ORIGINS: `http://127.0.0.1:${dashboardPort}`,
      RISK_API_STREAM_POLL_MS: '200',
    },
    areas: ['views'],
  });
  const dashboard = await startDashboardServer({
    distDir,
    port: dashboardPort,
    config: {
      apiBaseUrl: stack.functionUrls.riskApi ?? '',
      auth: 'local',
      localIdentity: stack.areas.views.riskManager,
      deskId: 'default',
      staleAfterSeconds: 10 * 365 * 86_400, // the bench's ticks are dated 2024
    },
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: FLAGS.filter((f) => f !== '--headless=new'),
  });
  try {
    await seedBenchCloses(stack.store, start);
    // Health 40 at HIGH (WARNING), about −3 at LOW (LIQUIDATION) for the watched one; a desk of 20.
    for (let i = 0; i < 20; i++)
      await stack.bus.publish('portfolio.positions.v1', {
        portfolioId: `dash-${i}`,
        updatedAt: new Date(start - 3_600_000).toISOString(),
        positions: [
          { asset: 'BTC', amount: 1 + i / 20, side: 'collateral' },
          { asset: 'USDC', amount: 14_285, side: 'borrow' },
        ],
      });
    await stack.settle(500);
    await stack.tick();
    await stack.settle(500);

    const page = await browser.newPage();
    await page.goto(`${dashboard.url}/#/desk/default`);
    const stateOf = `document.querySelector('tr[data-portfolio="${WATCHED}"]')?.getAttribute('data-state') ?? ''`;
    await page.waitForFunction(`(${stateOf}) !== ''`, undefined, { timeout: 30_000 });
    await page.waitForFunction(`document.body.textContent.includes('Live')`, undefined, { timeout: 30_000 });

    let publishedAt = 0;
    stack.meter.publishListeners.push((topic) => {
      if (topic === 'market.prices.v1') publishedAt = performance.now();
    });
    const latencies: number[] = [];
    for (let t = 1; t <= TICKS; t++) {
      const before = (await page.evaluate(stateOf)) as string;
      clock.advance(60_000);
      publishedAt = 0;
      await stack.tick();
      await page.waitForFunction(`(${stateOf}) !== ${JSON.stringify(before)}`, undefined, {
        timeout: 30_000,
        polling: 'raf',
      });
      const shownAt = performance.now();
      if (t > WARMUP_TICKS && publishedAt > 0) latencies.push(shownAt - publishedAt);
      await stack.settle(300);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const scores = [];
    for (let i = 0; i < 3; i++) scores.push(await lighthouseScores(`${dashboard.url}/#/desk/default`));
    return [
      { name: 'dashboard.js_gzip_kb', value: Number(jsKb.toFixed(1)), unit: 'KB' },
      { name: 'dashboard.change_to_pixel.p50_ms', value: Math.round(percentile(sorted, 0.5)), unit: 'ms' },
      { name: 'dashboard.change_to_pixel.p95_ms', value: Math.round(percentile(sorted, 0.95)), unit: 'ms' },
      { name: 'dashboard.change_to_pixel.samples', value: sorted.length, unit: 'ticks' },
      {
        name: 'dashboard.lighthouse.performance',
        value: median(scores.map((s) => s.performance)),
        unit: `/100 (runs ${scores.map((s) => s.performance).join(', ')})`,
      },
      {
        name: 'dashboard.lighthouse.accessibility',
        value: median(scores.map((s) => s.accessibility)),
        unit: `/100 (runs ${scores.map((s) => s.accessibility).join(', ')})`,
      },
    ];
  } finally {
    await browser.close();
    await dashboard.close();
    await stack.stop();
    await emulators.stop();
  }
}

if (require.main === module) {
  void runDashboardBenchmarks().then((figures) => {
    for (const f of figures) process.stdout.write(`${f.name.padEnd(40)} ${f.value} ${f.unit}\n`);
  });
}
