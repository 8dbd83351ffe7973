import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseJoinUrl } from '../../src/server/classroom/protocol.js';
import { startClassroom, type Classroom, type LabContext } from '../../src/server/classroom/server.js';
import { sameSecret } from '../../src/server/classroom/secrets.js';
import { baseOf, course, getClass, launchChromium, requireDashboard, tmpState, until } from '../helpers/classroom.js';

// The contract with the browser lab (issue 15): startClassroom takes a plugin that registers its
// routes before the server listens, with the class code, the instructor key and a loopback join
// URL. The join page then offers "learn in this browser"; a lab attendee's tutor says `lab: true`
// in its hello; its tile has a "reset sandbox" button that POSTs /api/lab/reset/:learnerId with
// the instructor key (the endpoint is the lab's; here a stand-in records the call).

let room: Classroom | null = null;
afterAll(async () => {
  await room?.close();
});

describe('the lab plugin hook', () => {
  it('registers routes, links the lab from the join page, and gets reset requests from the dashboard', async () => {
    requireDashboard();
    let ctx: LabContext | null = null;
    const resets: string[] = [];
    room = await startClassroom({
      host: '127.0.0.1',
      port: 0,
      stateDir: tmpState(),
      course: await course(),
      lab: async (app, c) => {
        ctx = c;
        app.get('/lab', async (req, reply) => {
          const code = (req.query as { code?: string }).code;
          return sameSecret(code, c.classCode) ? reply.type('text/plain').send('the lab') : reply.code(403).send();
        });
        app.post<{ Params: { id: string } }>('/api/lab/reset/:id', async (req, reply) => {
          if (!sameSecret(req.headers.authorization?.replace(/^Bearer /, ''), c.instructorKey)) return reply.code(403).send();
          resets.push(req.params.id);
          return { reset: req.params.id };
        });
      },
    });
    const r = room;
    expect(ctx).not.toBeNull();
    const c = ctx!;
    expect(c.classCode).toBe(r.classCode);
    expect(c.instructorKey).toBe(r.instructorKey);
    expect(c.joinUrl).toBe(r.localJoinUrl);
    expect(new URL(c.joinUrl).hostname).toBe('127.0.0.1');
    const base = baseOf(r.joinUrl);

    const join = await (await fetch(r.joinUrl)).text();
    expect(join).toContain(`<a class="lab" href="/lab?code=${r.classCode}">learn in this browser</a>`);
    expect(await (await fetch(`${base}/lab?code=${r.classCode}`)).text()).toBe('the lab');

    // a lab attendee's tutor, over loopback, with the same protocol as a remote learner
    const id = 'c'.repeat(32);
    const ws = new WebSocket(parseJoinUrl(c.joinUrl)!.wsUrl);
    await new Promise((res) => ws.once('open', res));
    ws.send(
      JSON.stringify({ t: 'hello', v: 1, learnerId: id, name: 'Lab guest', private: false, lab: true, lang: 'en', lastBroadcast: 0 }),
    );
    await until('the lab learner', async () => (await getClass(base, r.instructorKey)).learners.find((l) => l.id === id)?.lab);

    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(r.dashboardUrl);
      const reset = page.locator(`.tile[data-id="${id}"] .reset`);
      await reset.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await page.locator(`.tile[data-id="${id}"] .badges`).textContent()).toBe('lab');
      await reset.click();
      await until('the reset request', () => resets.length === 1);
      expect(resets).toEqual([id]);
    } finally {
      await browser.close();
      ws.close();
    }
  }, 60_000);

  it('without a lab the join page offers none', async () => {
    const plain = await startClassroom({ host: '127.0.0.1', port: 0, stateDir: tmpState(), course: await course() });
    try {
      expect(await (await fetch(plain.joinUrl)).text()).not.toContain('learn in this browser');
      expect((await fetch(`${baseOf(plain.joinUrl)}/lab?code=${plain.classCode}`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
