import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabClient } from '../../src/server/lab/labClient.js';
import { labRoom, run, type LabRoom } from '../helpers/lab.js';

// The lab's sessions on real sandboxes (host backend): a reconnect with the token is the same
// tutor and the same sandbox; a full class says so (socket, page, readiness probe); the
// instructor's reset rebuilds one attendee's sandbox; an idle attendee is warned, then reaped,
// and comes back at the same step with a fresh sandbox; each tutor runs under its own bounds.

describe('browser lab sessions', () => {
  let lab: LabRoom;
  let ann: LabClient;
  const key = () => lab.room.instructorKey;

  beforeAll(async () => {
    lab = await labRoom('host', { max: 2 });
    ann = await lab.attendee('Ann');
    await ann.walkTo('namespaces/add-ns');
  }, 120_000);
  afterAll(async () => {
    await lab?.close();
  });

  it('takes a reconnecting browser back to the same step and the same sandbox', async () => {
    await run(ann, 'sudo ip netns add ns1');
    ann.close();
    const again = await lab.attendee('Ann', ann.token);
    expect(again.learnerId).toBe(ann.learnerId);
    await again.until(() => again.restored && again.where !== null);
    expect(again.where?.stepId).toBe('namespaces/add-ns');
    expect(await again.screenText()).toContain('sudo ip netns add ns1');
    expect(await run(again, 'ip netns list')).toContain('ns1');
    ann = again;
  }, 60_000);

  it('runs each tutor under its own bounds (cgroup when one can be made, nice always)', () => {
    const s = lab.lab.manager.byLearner(ann.learnerId!)!;
    const stat = readFileSync(`/proc/${s.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    expect(Number(stat[16])).toBe(5); // nice
    if (lab.lab.placer.kind !== 'nice only') expect(readFileSync(`/proc/${s.pid}/cgroup`, 'utf8')).toContain(`/${ann.learnerId}`);
  });

  it('says the class is full on the socket, the page and the readiness probe, and admits again when a place frees', async () => {
    const bob = await lab.attendee('Bob');
    expect(bob.learnerId).not.toBeNull();
    let probe = await fetch(`${lab.base}/healthz/lab`);
    expect(probe.status).toBe(503);
    expect(await probe.json()).toMatchObject({ max: 2, running: 2, remaining: 0 });
    const cy = await lab.attendee('Cy');
    expect(cy.full).toBe(true);
    const page = await fetch(`${lab.base}/lab?code=${lab.room.classCode}`, { headers: { 'accept-language': 'zh-CN' } });
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain('课堂已满');
    expect(html).toContain('The class is full');
    // Ann's own browser is never turned away (her tutor holds a place)
    const mine = await fetch(`${lab.base}/lab?code=${lab.room.classCode}`, { headers: { cookie: `ipip_lab=${ann.token}` } });
    expect(mine.status).toBe(200);
    await lab.lab.manager.byLearner(bob.learnerId!)!.stop('exit');
    probe = await fetch(`${lab.base}/healthz/lab`);
    expect(probe.status).toBe(200);
    const cy2 = await lab.attendee('Cy');
    expect(cy2.full).toBe(false);
    await lab.lab.manager.byLearner(cy2.learnerId!)!.stop('exit');
  }, 90_000);

  it("resets one attendee's sandbox for the instructor, and only with the key", async () => {
    const url = `${lab.base}/api/lab/reset/${ann.learnerId}`;
    expect((await fetch(url, { method: 'POST' })).status).toBe(403);
    expect((await fetch(`${lab.base}/api/lab/reset/${'0'.repeat(32)}?key=${key()}`, { method: 'POST' })).status).toBe(404);
    const since = ann.mark();
    const r = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key()}` } });
    expect(r.status).toBe(200);
    await ann.next('reset', 60_000, since);
    expect(await run(ann, 'ip netns list; echo listed')).not.toMatch(/^ns1\b/m);
    expect(ann.where?.stepId).toBe('namespaces/add-ns');
  }, 90_000);

  it('warns an idle attendee, then frees their sandbox; they come back at the same step', async () => {
    const m = lab.lab.manager;
    const s = m.byLearner(ann.learnerId!)!;
    const idleMs = lab.lab.idleMinutes * 60_000;
    m.sweep(s.lastActive + idleMs - 60_000);
    await ann.until(() => ann.idleWarning !== null, 5000);
    expect(ann.idleWarning).toBe(60_000);
    expect(s.running).toBe(true);
    m.sweep(s.lastActive + idleMs + 1);
    await ann.until(() => ann.ended === 'reaped', 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.running).toBe(false);
    expect((await (await fetch(`${lab.base}/healthz/lab`)).json()).running).toBe(0);
    const back = await lab.attendee('Ann', ann.token);
    expect(back.learnerId).toBe(ann.learnerId);
    await back.until(() => back.ready, 60_000);
    expect(back.where?.stepId).toBe('namespaces/add-ns');
    ann = back;
  }, 90_000);

  it('tells the page when a tutor is killed (the memory ceiling, kill -9), and the attendee starts again at the same step', async () => {
    const s = lab.lab.manager.byLearner(ann.learnerId!)!;
    await ann.until(() => ann.ready && s.pid !== undefined, 60_000);
    process.kill(s.pid!, 'SIGKILL');
    await ann.until(() => ann.ended === 'failed', 20_000);
    await ann.until(() => !s.running, 10_000);
    const back = await lab.attendee('Ann', ann.token);
    await back.until(() => back.ready, 60_000);
    expect(back.where?.stepId).toBe('namespaces/add-ns');
    ann = back;
  }, 90_000);
});

// After the class above has closed: its cgroup folders share this process's name.
describe('a closed lab', () => {
  it('leaves no cgroup folder of its own behind once the server closes', async () => {
    const mine = () =>
      ['cpu', 'memory', 'pids', 'unified', ''].flatMap((c) => {
        const d = `/sys/fs/cgroup/${c}`;
        return existsSync(d) ? readdirSync(d).filter((n) => n === `ipip-lab-${process.pid}`) : [];
      });
    const other = await labRoom('host');
    const bob = await other.attendee('Bob');
    await bob.walkTo('namespaces/add-ns');
    await other.close();
    expect(mine()).toEqual([]);
  }, 120_000);
});
