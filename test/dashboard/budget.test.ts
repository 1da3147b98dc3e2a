/**
 * The first page's JavaScript budget: what the browser must fetch before the desk can show (the entry script
 * and every chunk it imports statically or preloads), gzipped, at most 100 KB. Lazy chunks (uPlot for the
 * portfolio page, Google sign-in) are not on the first page.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDashboard } from './support/build-dashboard';

const BUDGET_BYTES = 100 * 1024;

/** The JS files a page loads before running: module scripts, modulepreloads, and their static imports. */
function firstPageScripts(outDir: string): string[] {
  const html = readFileSync(join(outDir, 'index.html'), 'utf8');
  const queue = [
    ...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="\.\/([^"]+\.js)"/g),
  ].map((m) => m[1]);
  const seen = new Set<string>();
  while (queue.length) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(outDir, file), 'utf8');
    // Static imports between chunks (`import{a}from"./x.js"`, `import"./x.js"`), not import("./x.js").
    for (const m of code.matchAll(/\bimport\s*(?:[\w${},\s*]+from\s*)?["']\.\/([^"']+\.js)["']/g))
      queue.push(join(file, '..', m[1]));
  }
  return [...seen];
}

describe('dashboard JS budget', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await buildDashboard();
  });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('keeps the first page at most 100 KB of gzipped JS, with uPlot out of it', () => {
    const files = firstPageScripts(outDir);
    expect(files.length).toBeGreaterThan(0);
    const sizes = files.map((f) => ({ f, gz: gzipSync(readFileSync(join(outDir, f)), { level: 9 }).length }));
    const total = sizes.reduce((s, x) => s + x.gz, 0);
    process.stdout.write(
      `dashboard first-page JS: ${(total / 1024).toFixed(1)} KB gzipped (${sizes.map((s) => `${s.f} ${s.gz} B`).join(', ')})\n`,
    );
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
    const firstPage = files.map((f) => readFileSync(join(outDir, f), 'utf8')).join('\n');
    expect(firstPage).not.toMatch(/uPlot/);
  });
});
