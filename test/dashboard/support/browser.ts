/** A real Chromium driven by playwright-core; the test fails (never skips) when it is not installed. */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { MANAGER } from './risk-stack';

export const CHROMIUM = '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Opens the dashboard and signs in through its form (token local:<identity>). */
export async function openSignedIn(browser: Browser, url: string, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('http://127.0.0.1:')) outside.push(r.url());
  });
  await page.goto(`${url}/${hash}`);
  const identity = page.locator('#identity');
  await identity.waitFor();
  expect(await identity.inputValue()).toBe(MANAGER);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15_000 });
  expect(page.url()).not.toContain('local:');
  expect(outside).toEqual([]);
  return page;
}
