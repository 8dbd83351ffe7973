import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/checks/describe.js';
import type { CheckResult } from '../../src/checks/evaluate.js';
import { loadCourse } from '../../src/course/load.js';
import { emptyProgress } from '../../src/course/progress.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import type { EngineEvent } from '../../src/engine/events.js';
import type { Fault } from '../../src/kernel/simulate.js';
import { createUmlSandbox } from '../../src/sandbox/uml/umlSandbox.js';
import { requireUml } from '../helpers/tutor.js';

// Feedback from real kernel state (a UML guest): where a failing ping dies, a goal that held on
// entry completes only on the learner's own pings, a recognised mistake is undone by solve.
const course = loadCourse('test/fixtures/course-feedback');

function at(step: string, evaluateOnEntry = true): Controller {
  return new Controller({
    course,
    makeSandbox: () => createUmlSandbox(),
    store: memoryProgressStore({ ...emptyProgress(), current: { lesson: 'l1', step } }),
    lang: 'en',
    evaluateOnEntry,
  });
}

const faultOf = (results: CheckResult[], id: string): Fault | 'silent' | undefined => results.find((r) => r.check.id === id)?.diagnosis;

describe('where the packet dies (uml)', () => {
  let c: Controller;
  beforeAll(async () => {
    requireUml();
    c = at('ping', false);
    await c.start();
    expect(c.getView().failure).toBeNull();
  }, 90_000);
  afterAll(async () => {
    await c?.close();
  });

  const diagnose = async (breakIt: string, undo: string) => {
    await c.box!.run(breakIt);
    try {
      return await c.check();
    } finally {
      await c.box!.run(undo);
    }
  };

  it('the working setup: both pings pass, no diagnosis', async () => {
    const r = await c.check();
    expect(r.map((x) => x.ok)).toEqual([true, true]);
  });

  it('the route typed in the root namespace instead of ns1 (it hijacks 10.10.20.0/24 there)', async () => {
    const r = await diagnose(
      'route add -net 10.10.20.0 netmask 255.255.255.0 gw 10.10.10.1',
      'route del -net 10.10.20.0 netmask 255.255.255.0 gw 10.10.10.1',
    );
    expect(faultOf(r, 'there')).toMatchObject({ code: 'gateway_local', ns: 'root', route: '10.10.20.0/24 via 10.10.10.1 dev v1-P' });
    expect(
      describeCheck(
        r.find((x) => x.check.id === 'there')!,
        'en',
      ),
    ).toMatch(
      /ns1 cannot reach 10\.10\.20\.2: the packet is lost in the root namespace: the route 10\.10\.20\.0\/24 via 10\.10\.10\.1 dev v1-P names 10\.10\.10\.1 as gateway/,
    );
  });

  it('a wrong route in ns2: the reply is lost on its way back, in ns2', async () => {
    const r = await diagnose(
      'ip netns exec ns2 ip route replace 10.10.10.0/24 via 10.10.20.9',
      'ip netns exec ns2 ip route replace 10.10.10.0/24 via 10.10.20.1',
    );
    expect(faultOf(r, 'there')).toMatchObject({ code: 'no_neighbour', ns: 'ns2', direction: 'reply', params: { nextHop: '10.10.20.9' } });
  });

  it('ip_forward off in the root namespace', async () => {
    const r = await diagnose('echo 0 > /proc/sys/net/ipv4/ip_forward', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
    expect(faultOf(r, 'there')).toMatchObject({ code: 'no_forward', ns: 'root', fix: ['echo 1 > /proc/sys/net/ipv4/ip_forward'] });
    expect(faultOf(r, 'back')).toMatchObject({ code: 'no_forward', ns: 'root' });
  });

  it('a DOWN link: which one, and the command that brings it up', async () => {
    const r = await diagnose('ip link set v2-P down', 'ip link set v2-P up');
    expect(faultOf(r, 'there')).toMatchObject({ code: 'link_down', ns: 'root', dev: 'v2-P', fix: ['ip link set v2-P up'] });
  });

  it('tcpdump in the sandbox prints each packet as it comes (line-buffered on the pipe), as on a terminal', async () => {
    // Killed without a chance to flush: only what it already wrote survives.
    const r = await c.box!.run(
      'timeout -s KILL 4 tcpdump -nn -i v1-P icmp 2>/dev/null & sleep 1.5; ip netns exec ns1 ping -c1 10.10.20.2 >/dev/null; wait',
    );
    expect(r.stdout).toMatch(/10\.10\.10\.2 > 10\.10\.20\.2: ICMP echo request/);
  }, 30_000);

  it('a ping the state already dooms is not sent: the check does not wait for a reply that cannot come', async () => {
    await c.box!.run('echo 0 > /proc/sys/net/ipv4/ip_forward');
    try {
      const { checkState } = await import('../../src/checks/checkState.js');
      const o = await checkState(c.box!, c.current.step.checks);
      expect(o.results.every((x) => !x.ok)).toBe(true);
      // (a sent ping would wait its full second, -W1, for the reply)
      expect(Object.values(o.snapshot.pings).map((p) => p.predicted)).toEqual([true, true]);
    } finally {
      await c.box!.run('echo 1 > /proc/sys/net/ipv4/ip_forward');
    }
  });
});

describe('a swapped tunnel (uml)', () => {
  it('names the tunnel and says its remote is an address of ns1 itself', async () => {
    requireUml();
    const c = at('quiz', false);
    try {
      await c.start();
      await c.box!.run('ip netns exec ns1 ip tunnel change tunl mode ipip remote 10.10.10.2 local 10.10.20.2');
      const { checkState } = await import('../../src/checks/checkState.js');
      const { results } = await checkState(c.box!, course.lessons[0]!.def.steps[3]!.checks);
      expect(results[0]!.diagnosis).toMatchObject({ code: 'tunnel_remote_local', ns: 'ns1', dev: 'tunl' });
    } finally {
      await c.close();
    }
  }, 120_000);
});

describe('evidence from the learner, and solve (uml)', () => {
  it("a goal that holds on entry completes only on the learner's own pings: `ls` does not, a ping from each side does", async () => {
    requireUml();
    const c = at('ping');
    try {
      await c.start();
      expect(c.checks.every((x) => x.ok)).toBe(true); // the goal already holds
      await c.submit('ls /');
      expect(c.stepPassed).toBe(false);
      await c.submit('ip netns exec ns1 ping -c1 10.10.20.2');
      expect(c.stepPassed).toBe(false); // ns2 has not pinged yet
      await c.submit('ip netns exec ns2 ping -c1 10.10.10.2');
      expect(c.stepPassed).toBe(true);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('a recognised mistake is explained with its repair, and solve undoes it before the solution', async () => {
    requireUml();
    const c = at('cable');
    const events: EngineEvent[] = [];
    c.subscribe((e) => events.push(e));
    try {
      await c.start();
      await c.submit('ip link add v3 type veth peer name v3-P');
      expect(c.getView().mistake).toMatchObject({ id: 'no-netns', repair: ['ip link set v3 netns ns1'] });
      // the solution alone would fail here with "File exists"
      await c.solve();
      expect(c.stepPassed).toBe(true);
      const ran = events.flatMap((e) => (e.type === 'command' ? [e.run.command] : []));
      expect(ran.slice(-1)).toEqual(['ip link set v3 netns ns1']);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('a state the solution cannot repair: solve says so, and the next solve restarts the step and solves it', async () => {
    requireUml();
    const c = at('cable');
    const notes: string[] = [];
    c.subscribe((e) => e.type === 'note' && notes.push(e.msg.key));
    try {
      await c.start();
      // v3 taken by something else in ns1: not a declared mistake
      await c.submit('ip netns exec ns1 ip link add v3 type dummy');
      await c.solve();
      expect(c.stepPassed).toBe(false);
      expect(notes).toContain('ui_solve_cannot_repair');
      await c.solve();
      expect(notes).toContain('ui_restarted');
      expect(c.stepPassed).toBe(true);
    } finally {
      await c.close();
    }
  }, 180_000);
});
