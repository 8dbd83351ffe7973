import { afterAll, describe, expect, it } from 'vitest';
import { sandboxFactory } from '../../src/sandbox/factory.js';
import type { LearnerDetail } from '../../src/server/classroom/hub.js';
import { startClassroom, type Classroom } from '../../src/server/classroom/server.js';
import { baseOf, course, getClass, tmpState, tutorAt, until, type Tutor } from '../helpers/classroom.js';

// The instructor's laptop restarts the server in the middle of the class. The learner's tutor
// (a real engine on a real sandbox) keeps working while the server is gone, reconnects by
// itself, and the class loses nothing: progress made offline, commands, the raised hand, the
// broadcast already shown (not shown twice), the class code and the instructor key.

let room: Classroom | null = null;
let tutor: Tutor | null = null;

afterAll(async () => {
  await tutor?.close();
  await room?.close();
}, 60_000);

const notes = (t: Tutor) => t.controller.getView().log.flatMap((i) => (i.kind === 'note' ? [i.msg.key] : []));

async function detail(r: Classroom, id: string): Promise<LearnerDetail> {
  const res = await fetch(`${baseOf(r.joinUrl)}/api/learners/${id}`, { headers: { authorization: `Bearer ${r.instructorKey}` } });
  return (await res.json()) as LearnerDetail;
}

describe('a restart of the classroom server mid-class', () => {
  it('loses nothing, and the tutor reconnects by itself', async () => {
    const c = await course();
    const stateDir = tmpState();
    room = await startClassroom({ host: '127.0.0.1', port: 0, stateDir, course: c });
    const first = room;
    const port = Number(new URL(first.joinUrl).port);
    const factory = await sandboxFactory('auto');
    tutor = tutorAt({
      course: c,
      makeSandbox: () => factory.make(),
      joinUrl: first.joinUrl,
      name: 'Dana',
      at: { lesson: 'namespaces', step: 'add-ns' },
    });
    const t = tutor;
    await t.controller.start();
    await t.controller.submit('sudo ip netns add ns1');
    await until(
      'Dana half done',
      async () => (await getClass(baseOf(first.joinUrl), first.instructorKey)).learners[0]?.failing?.id === 'ns2',
    );
    t.controller.raiseHand();
    const sent = await fetch(`${baseOf(first.joinUrl)}/api/broadcast`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.instructorKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'before the restart' }),
    });
    expect(sent.status).toBe(200);
    await until('the broadcast', () => t.controller.getView().log.some((i) => i.kind === 'broadcast'));
    await until('the hand', async () => (await getClass(baseOf(first.joinUrl), first.instructorKey)).hands.length === 1);

    // The server goes away; the learner goes on.
    await first.close();
    room = null;
    await until('the tutor to notice', () => !t.reporter.connected);
    await t.controller.submit('sudo ip netns add ns2');
    expect(t.controller.stepPassed).toBe(true);
    expect(await t.controller.next()).toBe(true);
    expect(t.controller.current.step.id).toBe('fresh-stack');
    expect(notes(t)).toContain('class_offline');

    // Back on the same port with the same state directory.
    room = await startClassroom({ host: '127.0.0.1', port, stateDir, course: c });
    const second = room;
    expect(second.joinUrl).toBe(first.joinUrl);
    expect(second.instructorKey).toBe(first.instructorKey);
    const base = baseOf(second.joinUrl);
    const back = await until('Dana back and re-synced', async () => {
      const s = await getClass(base, second.instructorKey);
      const d = s.learners[0];
      return d?.online && d.stepId === 'fresh-stack' ? s : null;
    });
    expect(back.learners).toHaveLength(1);
    expect(back.learners[0]).toMatchObject({ name: 'Dana', lessonId: 'namespaces', stepId: 'fresh-stack', hand: true, status: 'help' });
    expect(back.hands.map((h) => h.name)).toEqual(['Dana']);
    const d = await detail(second, t.learnerId);
    expect(d.commands.map((x) => x.command)).toEqual(['sudo ip netns add ns1', 'sudo ip netns add ns2']);
    // the step finished while the server was down is in the class's record
    expect(d.events.some((e) => e.body.kind === 'completed' && e.body.stepId === 'add-ns')).toBe(true);
    expect(notes(t)).toContain('class_back');
    expect(t.controller.getView().log.filter((i) => i.kind === 'broadcast')).toHaveLength(1);
  }, 120_000);
});
