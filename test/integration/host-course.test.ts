import { describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/checks/describe.js';
import { playAuto, playCommands, resolveStep } from '../../src/cli/commands/play.js';
import { loadCourse } from '../../src/course/load.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';

// The namespace half of the course on the real host kernel, in a rootless sandbox.
const course = loadCourse('lessons');
const make = () => createHostSandbox();

async function at(ref: string): Promise<Controller> {
  const s = new Controller({ course, makeSandbox: make, store: memoryProgressStore(), lang: 'en', unlockAll: true });
  await s.jump(resolveStep(course, ref, 'first'));
  return s;
}

/** Type commands at a step and return the failing checks' sentences. */
async function failuresAfter(ref: string, commands: string[]): Promise<string[]> {
  const s = await at(ref);
  try {
    for (const c of commands) await s.submit(c);
    await s.check();
    return s.checks.filter((c) => !c.ok).map((c) => describeCheck(c, 'en'));
  } finally {
    await s.close();
  }
}

describe('host sandbox: the namespace lessons', () => {
  it('every step solution passes its checks (play --auto)', async () => {
    const lines: string[] = [];
    const code = await playAuto({ course, makeSandbox: make, lang: 'en', to: 'underlay-ping', out: (l) => lines.push(l) });
    expect(lines.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(code).toBe(0);
    expect(lines.some((l) => l.startsWith('✓ underlay-ping/'))).toBe(true);
  });

  it('a link left down fails with the link named', async () => {
    const f = await failuresAfter('addresses/root-side', [
      'sudo ip addr add 10.10.10.1/24 dev v1-P',
      'sudo ip addr add 10.10.20.1/24 dev v2-P',
      'sudo ip link set v2-P up',
    ]);
    expect(f).toContain('v1-P exists in the root namespace but is DOWN');
  });

  it('a wrong prefix fails with what was found', async () => {
    const f = await failuresAfter('addresses/root-side', [
      'ip addr add 10.10.10.1/16 dev v1-P',
      'ip link set v1-P up',
      'ip addr add 10.10.20.1/24 dev v2-P',
      'ip link set v2-P up',
    ]);
    expect(f).toContain('v1-P in the root namespace has 10.10.10.1/16, expected /24');
  });

  it('a missing route fails naming the destination', async () => {
    const f = await failuresAfter('routes/ns1-route', ['ip netns exec ns1 ip route add 10.10.30.0/24 via 10.10.10.1']);
    expect(f).toContain('ns1 has no route to 10.10.20.0/24');
  });

  it('ip_forward 0 fails with the value found', async () => {
    const f = await failuresAfter('forwarding/enable-forward', ['echo 0 > /proc/sys/net/ipv4/ip_forward']);
    expect(f).toContain('net.ipv4.ip_forward is 0 in the root namespace, expected 1');
  });

  it('any command reaching the state passes: ip route instead of route add -net', async () => {
    const lines: string[] = [];
    const code = await playCommands({
      course,
      makeSandbox: make,
      lang: 'en',
      from: 'routes/ns1-route',
      to: 'routes/ns2-route',
      out: (l) => lines.push(l),
      commands: [
        'ip -n ns1 route add 10.10.20.0/24 via 10.10.10.1',
        'sudo ip netns exec ns2 ip route add 10.10.10.0/24 via 10.10.20.1 dev v2',
      ],
    });
    expect(lines).toContain('✓ routes/ns1-route');
    expect(code).toBe(0);
  });
});
