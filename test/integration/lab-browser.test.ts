import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, requireDashboard, until } from '../helpers/classroom.js';
import { labRoom, type LabRoom } from '../helpers/lab.js';
import { REPO } from '../helpers/tutor.js';

// The browser lab in Debian's chromium: an attendee opens the join URL, starts the lab, works
// through to the namespaces step in the terminal (xterm.js), types `sudo ip netns add ns1`, sees
// the check pass and the step complete; reloads and is back at the same step with the same
// sandbox; the instructor's dashboard shows them. Screenshots go to .test-artifacts/.

const SHOTS = join(REPO, '.test-artifacts');
let lab: LabRoom;
let browser: Browser;
let page: Page;

const where = (name: string) => page.locator('#where').getAttribute(`data-${name}`);
const screen = () => page.locator('.xterm-rows').innerText();
const flat = (s: string) => s.replace(/\s+/g, '');
async function shows(text: string, ms = 30_000): Promise<void> {
  await until(`the terminal to show "${text}"`, async () => flat(await screen()).includes(flat(text)), ms).catch(async (e: Error) => {
    const w = await page.locator('#where').evaluate((el) => JSON.stringify((el as HTMLElement).dataset));
    throw new Error(`${e.message}\n--- where: ${w}\n--- terminal ---\n${await screen()}`);
  });
}

/** Through the course in the browser: Enter on reading steps, Ctrl-S then Enter on quizzes. */
async function walkTo(key: string): Promise<void> {
  for (;;) {
    await until('a step', async () => (await where('step')) !== null, 60_000);
    const step = await where('step');
    if (step === key) return;
    if ((await where('reading')) !== 'true') {
      await until('the goal', async () => (await where('kind')) === 'checks' || (await where('kind')) === 'completed', 30_000);
      for (let i = 0; (await where('kind')) !== 'completed'; i++) {
        if (i > 5) throw new Error(`the quiz ${step} did not complete`);
        await page.keyboard.press('Control+s');
        await until('completed', async () => (await where('kind')) === 'completed', 3000).catch(() => {});
      }
    }
    await page.keyboard.press('Enter');
    await until(`a step after ${step}`, async () => (await where('step')) !== step, 30_000);
  }
}

describe('the browser lab in chromium', () => {
  beforeAll(async () => {
    requireDashboard();
    mkdirSync(SHOTS, { recursive: true });
    // As a CI harness sets it (and an instructor's shell may): the attendees' tutors draw their
    // live area anyway, since ink would freeze it for a CI log.
    process.env.CI = 'true';
    lab = await labRoom('host');
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await lab?.close();
  });

  it('from the join URL to a completed step, through a reload, onto the dashboard', async () => {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && !/status of 404/.test(m.text()) && errors.push(m.text()));
    // a browser asks for /favicon.ico by itself; any other missing resource is a bug
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && errors.push(`${r.status()} ${r.url()}`));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(lab.room.joinUrl);
    await page.locator('a.lab').click();
    await page.locator('#name').fill('Dana');
    await page.locator('#go').click();
    await until('the sandbox', async () => (await where('kind')) !== null, 60_000);
    await page.locator('#terminal').click();
    await walkTo('namespaces/add-ns');
    await until('the goal', async () => (await where('kind')) === 'checks', 30_000);

    await page.keyboard.type('sudo ip netns add ns1');
    await page.keyboard.press('Enter');
    await shows('✓ namespace ns1 exists');
    await page.keyboard.type('sudo ip netns add ns2');
    await page.keyboard.press('Enter');
    await shows('step complete: Create ns1 and ns2');
    await until('completed', async () => (await where('kind')) === 'completed');
    await page.screenshot({ path: join(SHOTS, 'lab-step-complete.png') });

    await page.reload();
    await until('the same step', async () => (await where('step')) === 'namespaces/add-ns', 30_000);
    await shows('step complete: Create ns1 and ns2');
    await page.locator('#terminal').click();
    await page.keyboard.type('ip netns list | sort | tr "\\n" " "; echo listed');
    await page.keyboard.press('Enter');
    await shows('ns1 ns2 listed');
    await page.screenshot({ path: join(SHOTS, 'lab-after-reload.png') });

    const dash = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await dash.goto(lab.room.dashboardUrl);
    const tile = dash.locator('.tile', { hasText: 'Dana' });
    await until('Dana on the dashboard', async () => (await tile.count()) === 1, 20_000);
    await until('her step', async () => (await tile.textContent())?.includes('Create ns1 and ns2'), 20_000);
    await dash.screenshot({ path: join(SHOTS, 'lab-dashboard.png') });
    expect(errors).toEqual([]);
  }, 240_000);
});
