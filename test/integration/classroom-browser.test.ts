import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import type { Browser, Locator, Page } from 'playwright-core';
import React from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Course } from '../../src/course/load.js';
import { sandboxFactory } from '../../src/sandbox/factory.js';
import { parseJoinUrl } from '../../src/server/classroom/protocol.js';
import { startClassroom, type Classroom } from '../../src/server/classroom/server.js';
import { App } from '../../src/ui/App.js';
import { baseOf, course, getClass, launchChromium, requireDashboard, tmpState, tutorAt, until, type Tutor } from '../helpers/classroom.js';
import { REPO } from '../helpers/tutor.js';

// A workshop in miniature, end to end: a real classroom server, Debian's chromium on its
// dashboard, and three real tutors (real engine, real sandbox of this machine's backend)
// reporting to it. Ann works in the ink REPL, Bob gets stuck, Cy shares progress only.
// Screenshots of the dashboard go to .test-artifacts/ (looked at by a person, not asserted).

const SHOTS = join(REPO, '.test-artifacts');
let room: Classroom;
let browser: Browser;
let page: Page;
let c: Course;
const tutors: Tutor[] = [];
let ann: Tutor;
let bob: Tutor;
let cy: Tutor;
let repl: ReturnType<typeof render>;
const frame = () => repl.lastFrame() ?? '';
const tile = (t: Tutor) => page.locator(`.tile[data-id="${t.learnerId}"]`);

// playwright-core has no test runner's expect: these poll the page until it shows the thing.
const see = {
  text: (l: Locator, text: string, ms = 10_000) => until(`text "${text}"`, async () => (await l.first().textContent()) === text, ms),
  texts: (l: Locator, texts: string[]) =>
    until(`texts ${texts.join(', ')}`, async () => JSON.stringify(await l.allTextContents()) === JSON.stringify(texts)),
  has: (l: Locator, text: string, ms = 10_000) => until(`"${text}"`, async () => (await l.first().textContent())?.includes(text), ms),
  attr: (l: Locator, name: string, value: string, ms = 10_000) =>
    until(`${name}=${value}`, async () => (await l.getAttribute(name)) === value, ms),
  count: (l: Locator, n: number) => until(`${n} elements`, async () => (await l.count()) === n),
  hidden: (l: Locator) => until('hidden', () => l.isHidden()),
};

/** The REPL shows this text (compared without whitespace: the log wraps long lines anywhere). */
async function replShows(text: string, ms = 20_000): Promise<void> {
  const flat = (s: string) => s.replace(/\s+/g, '');
  await until(`the REPL to show "${text}"`, () => flat(frame()).includes(flat(text)), ms).catch((e: Error) => {
    throw new Error(`${e.message}\n--- screen ---\n${frame().split('\n').slice(-30).join('\n')}`);
  });
}

beforeAll(async () => {
  requireDashboard();
  mkdirSync(SHOTS, { recursive: true });
  c = await course();
  room = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    stateDir: tmpState(),
    title: 'Tunnels <b>Tuesday</b>',
    course: c,
    stuckMs: 4000,
  });
  const factory = await sandboxFactory('auto');
  const make = () => factory.make();
  ann = tutorAt({ course: c, makeSandbox: make, joinUrl: room.joinUrl, name: 'Ann', at: { lesson: 'namespaces', step: 'add-ns' } });
  bob = tutorAt({ course: c, makeSandbox: make, joinUrl: room.joinUrl, name: 'Bob', at: { lesson: 'namespaces', step: 'add-ns' } });
  cy = tutorAt({
    course: c,
    makeSandbox: make,
    joinUrl: room.joinUrl,
    name: '陈晨',
    at: { lesson: 'namespaces', step: 'fresh-stack' },
    private: true,
    lang: 'zh',
  });
  tutors.push(ann, bob, cy);
  repl = render(React.createElement(App, { controller: ann.controller, inClass: true, size: { columns: 100, rows: 40 }, color: false }));
  // One sandbox at a time: each uml kernel boots faster alone on two cores.
  for (const t of tutors) await t.controller.start();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(room.dashboardUrl);
}, 180_000);

afterAll(async () => {
  repl?.unmount();
  await Promise.all(tutors.map((t) => t.close().catch(() => {})));
  await browser?.close();
  await room?.close();
}, 60_000);

describe('the classroom dashboard, in chromium, with real tutors', () => {
  it('every learner gets a tile; the REPL said in one line what it shares', async () => {
    await replShows('joined "Tunnels <b>Tuesday</b>": the instructor sees your progress, checks and hints, and a read-only copy');
    for (const t of tutors) await tile(t).waitFor({ timeout: 20_000 });
    await see.text(tile(ann).locator('.name'), 'Ann');
    await see.text(tile(cy).locator('.name'), '陈晨');
    await see.text(tile(cy).locator('.badges'), 'private');
    await see.text(page.locator('h1'), 'Tunnels <b>Tuesday</b>');
    await see.text(page.locator('.join-url'), `ipip-tutor --join ${room.joinUrl}`);
    // the key left the address bar as soon as the page had it
    expect(page.url()).not.toContain(room.instructorKey);
  });

  it('progress, a failing check with its reason, a learner stuck on it, a raised hand', async () => {
    // Ann, in the REPL: half the step, then her hand goes up (Ctrl-Y).
    repl.stdin.write('sudo ip netns add ns1\r');
    await until('Ann half done', () =>
      tile(ann)
        .locator('.reason')
        .textContent()
        .then((t) => t?.includes('namespace ns2 does not exist yet')),
    );
    repl.stdin.write('\x19');
    await replShows('you asked for help: the instructor sees your hand');
    await see.attr(tile(ann), 'data-status', 'help', 10_000);
    await see.texts(page.locator('.hands li .who'), ['Ann']);

    // Bob types a namespace of the wrong name and stays on the same failing check.
    await bob.controller.submit('sudo ip netns add nsx');
    await until('Bob failing', () =>
      tile(bob)
        .locator('.reason')
        .textContent()
        .then((t) => t?.includes('namespace ns1 does not exist yet')),
    );
    await see.attr(tile(bob), 'data-status', 'stuck', 15_000);
    await see.text(tile(bob).locator('.status'), 'stuck 0 min');
    const api = await getClass(baseOf(room.joinUrl), room.instructorKey);
    const b = api.learners.find((l) => l.name === 'Bob')!;
    expect(b).toMatchObject({ status: 'stuck', lessonId: 'namespaces', stepId: 'add-ns', failing: { id: 'ns1' } });

    // The class at a glance: everyone's step, and the check most of them fail.
    await see.has(page.locator('.failing'), 'namespace ns1 does not exist yet');
    await see.has(page.locator('.at-step li').first(), '2.2');

    // Ann finishes the step: her bar moves.
    const before = await tile(ann).locator('.count').textContent();
    repl.stdin.write('sudo ip netns add ns2\r');
    await until('Ann done with add-ns', async () => (await tile(ann).locator('.count').textContent()) !== before);
    await see.hidden(tile(ann).locator('.reason'));
    await page.screenshot({ path: join(SHOTS, 'classroom-dashboard.png') });
  });

  it("a tile opens the learner's screen, kernel map and last commands; a private learner's stay home", async () => {
    await tile(bob).click();
    const overlay = page.locator('.overlay');
    await see.text(overlay.locator('h2'), 'Bob');
    await see.has(overlay.locator('pre.screen'), '$ sudo ip netns add nsx', 10_000);
    await see.has(overlay.locator('pre.screen'), 'namespace ns1 does not exist yet');
    await see.has(overlay.locator('pre.map'), 'nsx', 10_000);
    await see.has(overlay.locator('.commands'), '$ sudo ip netns add nsx');
    await page.screenshot({ path: join(SHOTS, 'classroom-learner.png') });
    await page.keyboard.press('Escape');
    await see.count(overlay, 0);

    await tile(cy).click();
    await see.text(page.locator('.overlay p.dim').first(), 'This learner shares progress only (--private).');
    await see.text(page.locator('.overlay pre.screen'), 'Nothing yet.');
    await page.locator('.overlay .close').click();
    const d = (await (
      await fetch(`${baseOf(room.joinUrl)}/api/learners/${cy.learnerId}`, { headers: { authorization: `Bearer ${room.instructorKey}` } })
    ).json()) as { screen: string[]; map: string[]; commands: unknown[] };
    expect(d).toMatchObject({ screen: [], map: [], commands: [] });
  });

  it('the instructor resolves a raised hand and the learner is told', async () => {
    await page.locator('.hands .resolve').click();
    await replShows('the instructor marked your help request resolved');
    await see.count(page.locator('.panel-hands li'), 0);
    expect(ann.controller.getView().hand).toBe(false);
  });

  it('the pace gate holds a learner at the gate, live, and the tutors say so', async () => {
    await page.selectOption('#gate', 'namespaces');
    await replShows('the instructor opened the class up to lesson 2');
    await until('Cy to get the gate', () => cy.controller.getView().gate === 1);
    await cy.controller.solve();
    expect(cy.controller.stepPassed).toBe(true);
    expect(await cy.controller.next()).toBe(false);
    expect(cy.controller.current.lesson.id).toBe('namespaces');
    const notes = cy.controller
      .getView()
      .log.filter((i) => i.kind === 'note')
      .map((i) => (i.kind === 'note' ? i.msg.key : ''));
    expect(notes).toContain('class_gate_set');
    expect(notes.at(-1)).toBe('ui_gate_held');
    // opened again: Cy goes on
    await page.selectOption('#gate', '');
    await until('the gate to open', () => cy.controller.getView().gate === null);
    expect(await cy.controller.next()).toBe(true);
    expect(cy.controller.current.lesson.id).toBe('veth');
    await until('Cy on veth', async () => (await tile(cy).locator('.where').textContent())?.startsWith('Lesson 3'));
  });

  it("a broadcast reaches a learner's REPL", async () => {
    await page.fill('#broadcast', 'Break: back at 11:00 <script>x</script>');
    await page.click('.broadcast button');
    await see.text(page.locator('.sent'), 'sent to 3 learners');
    await replShows('from the instructor: Break: back at 11:00 <script>x</script>');
    await until('Cy got it', () => cy.controller.getView().log.some((i) => i.kind === 'broadcast' && i.text.startsWith('Break')));
  });

  it("a learner's markup is shown as text and never runs", async () => {
    const j = parseJoinUrl(room.joinUrl)!;
    const ws = new WebSocket(j.wsUrl);
    await new Promise((r) => ws.once('open', r));
    const evil = '<img src=x onerror="window.__xss=1">';
    ws.send(JSON.stringify({ t: 'hello', v: 1, learnerId: 'e'.repeat(32), name: evil, private: false, lang: 'en', lastBroadcast: 0 }));
    const state = {
      lessonId: 'intro',
      stepId: 's',
      lesson: 0,
      step: 0,
      lessonTitle: '<b>t</b>',
      stepTitle: '<svg onload="window.__xss=2">',
      completed: 0,
      total: 70,
      onStepMs: 0,
      passed: false,
      failing: { id: 'x', ok: false, reason: '<script>window.__xss=3</script>' },
      mistake: null,
      hand: false,
      courseDone: false,
      backend: null,
    };
    await new Promise((r) => setTimeout(r, 200));
    ws.send(JSON.stringify({ t: 'state', state }));
    ws.send(JSON.stringify({ t: 'screen', lines: ['<iframe src="javascript:window.__xss=4">'] }));
    const t = page.locator(`.tile[data-id="${'e'.repeat(32)}"]`);
    await see.text(t.locator('.name'), evil, 10_000);
    await see.text(t.locator('.reason'), 'Failing: <script>window.__xss=3</script>');
    await t.click();
    await see.text(page.locator('.overlay pre.screen'), '<iframe src="javascript:window.__xss=4">');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img, svg, iframe, .tile script').count()).toBe(0);
    await page.keyboard.press('Escape');
    ws.close();
  });

  it('the dashboard exports the class as CSV and JSON', async () => {
    const csvHref = (await page.locator('#export-csv').getAttribute('href'))!;
    const csv = await page.evaluate((h) => fetch(h).then((r) => r.text()), csvHref);
    expect(csv.split('\r\n')[0]).toBe(
      'name,status,lab,lessonId,stepId,completed,total,hints,solved,skipped,done,mistakes,commands,failingCheck,failingReason,joinedAt,lastSeen',
    );
    expect(csv).toMatch(/^"Bob","stuck","false","namespaces","add-ns",/m);
    expect(csv).toContain('"陈晨"');
    const jsonHref = (await page.locator('#export-json').getAttribute('href'))!;
    const data = (await page.evaluate((h) => fetch(h).then((r) => r.json()), jsonHref)) as {
      learners: { name: string; solved: number; commands: number }[];
    };
    expect(data.learners.find((l) => l.name === '陈晨')).toMatchObject({ done: 1, solved: 0, commands: 0 });
    expect(data.learners.find((l) => l.name === 'Ann')!.commands).toBe(2);
  });

  it('without the key the dashboard, its socket and the API stay shut', async () => {
    const base = baseOf(room.joinUrl);
    const other = await browser.newPage();
    await other.goto(`${base}/dashboard?key=wrong`);
    await see.text(other.locator('h1'), 'Forbidden');
    expect((await fetch(`${base}/api/class`)).status).toBe(403);
    expect((await fetch(`${base}/api/class?key=${room.classCode}`)).status).toBe(403);
    await other.close();
  });
});
