// Integration tests of the `uml` backend against a real User-Mode Linux guest. They fail (never
// skip) when linux.uml is missing: CI installs user-mode-linux. Boots are kept few: most tests
// share one guest; a second proves death handling, a third (in a child process) kill -9 cleanup.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SandboxError, type Sandbox } from '../../src/sandbox/types.js';
import { batchCommand, parseBatchOutput, planQuery } from '../../src/sandbox/uml/ipBatch.js';
import { type UmlSandbox, createUmlSandbox } from '../../src/sandbox/uml/umlSandbox.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function umlInstalled(): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, 'linux.uml')));
}

/** Host processes (the kernel and its guest address-space processes) whose command line names `needle`. */
function processesMentioning(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(needle) && !l.includes('ps -eo'))
    .filter((l) => !/^\s*\d+\s+Z/.test(l)); // zombies already exited; only their parent's wait is missing
}

/** After close(): no kernel process at once; the reaper's shell finishes within a moment too. */
async function expectNoProcesses(bootDir: string): Promise<void> {
  expect(processesMentioning(bootDir).filter((l) => l.includes('linux.uml'))).toEqual([]);
  await waitFor(() => processesMentioning(bootDir).length === 0, 2_000);
  expect(processesMentioning(bootDir)).toEqual([]);
}

function listDir(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

/**
 * New entries in `dir` that could be ours: named like our files or owned by the sandbox uid, and
 * not in use by a live process (other sessions on this machine may run sandboxes meanwhile).
 */
function newEntries(dir: string, before: Set<string>, uid: number): string[] {
  const live = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return [...listDir(dir)].filter((n) => {
    if (before.has(n) || live.includes(n)) return false;
    if (/ipip-tutor-uml|vm_file/.test(n)) return true;
    try {
      return statSync(path.join(dir, n)).uid === uid;
    } catch {
      return false;
    }
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe('ip query batching (pure)', () => {
  it('batches read-only `ip -j` queries that share options; everything else runs alone', () => {
    const plan = planQuery([
      ['ip', '-j', 'link', 'show'],
      ['ip', '-j', 'addr', 'show', 'dev', 'v1-P'],
      ['ip', 'link'], // no -j
      ['ip', '-j', 'tunnel', 'show'], // ip tunnel ignores -j
      ['ip', '-j', 'netns', 'exec', 'ns1', 'ip', 'link'], // not a read verb
      ['ip', '-j', '-d', 'link', 'show'],
      ['cat', '/proc/sys/net/ipv4/ip_forward'],
      ['ip', '-j', 'route', 'show', 'table', 'x y'], // unsafe token
      ['ip', '-j', 'neigh'],
    ]);
    expect(plan.batches).toEqual([{ globals: ['-j'], indices: [1, 8, 0] }]); // link queries last
    expect(plan.singles).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('splits merged output back per command, with failures; refuses what it cannot split', () => {
    const { argv, input } = batchCommand(
      ['-j'],
      [
        ['ip', '-j', 'link', 'show'],
        ['ip', '-j', 'link', 'show', 'dev', 'nope'],
      ],
    );
    expect(argv).toEqual(['ip', '-j', '-force', '-batch', '-']);
    expect(input).toBe('link show\niptsep0\nlink show dev nope\niptsep1\n');
    const merged =
      '[{"ifname":"lo"}]\nObject "iptsep0" is unknown, try "ip help".\nCommand failed -:2\n' +
      'Device "nope" does not exist.\nCommand failed -:3\nObject "iptsep1" is unknown, try "ip help".\nCommand failed -:4\n';
    expect(parseBatchOutput(merged, 2)).toEqual([
      { stdout: '[{"ifname":"lo"}]\n', stderr: '', exitCode: 0 },
      { stdout: '', stderr: 'Device "nope" does not exist.\n', exitCode: 1 },
    ]);
    expect(parseBatchOutput(merged.slice(0, 60), 2)).toBeNull();
    expect(parseBatchOutput(merged + 'extra\n', 2)).toBeNull();
  });
});

describe('uml sandbox: installation', () => {
  it('linux.uml is installed (CI must install user-mode-linux)', () => {
    expect(umlInstalled(), 'linux.uml not found on PATH: apt-get install user-mode-linux').toBe(true);
  });
});

describe('uml sandbox: failed boots', () => {
  it('a nonexistent kernel path is a SandboxError with a fix', async () => {
    const err = await createUmlSandbox({ umlKernel: '/nonexistent/linux.uml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).message).toMatch(/\/nonexistent\/linux\.uml/);
    expect((err as SandboxError).fix).toMatch(/apt-get install user-mode-linux/);
  });

  it('a kernel that exits at once (/bin/false) is a SandboxError, no hang, nothing left behind', async () => {
    const tmpBefore = listDir(os.tmpdir());
    const phases: string[] = [];
    const started = Date.now();
    const err = await createUmlSandbox({ umlKernel: '/bin/false', onPhase: (p) => phases.push(p.phase) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).message).toMatch(/exited with code 1 before the sandbox was ready/);
    expect((err as SandboxError).fix).toMatch(/user-mode-linux/);
    expect(typeof (err as SandboxError).log).toBe('string');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(phases).toContain('starting kernel');
    expect([...listDir(os.tmpdir())].filter((n) => !tmpBefore.has(n) && n.startsWith('ipip-tutor-uml-'))).toEqual([]);
  });
});

describe('uml sandbox: one shared guest', () => {
  let sb: Sandbox;
  let bootDir = '';
  const shmBefore = listDir('/dev/shm');
  const tmpBefore = listDir(os.tmpdir());
  const phases: string[] = [];

  beforeAll(async () => {
    expect(umlInstalled(), 'linux.uml not found on PATH: apt-get install user-mode-linux').toBe(true);
    sb = await createUmlSandbox({ onPhase: (p) => phases.push(p.phase) });
    bootDir = (sb as UmlSandbox).bootDir;
  });

  afterAll(async () => {
    if (!sb) return;
    const uid = sb.info.hostUid;
    await sb.close();
    await sb.close(); // idempotent
    // Then: no kernel process of ours, no boot directory, no memory file or socket left behind.
    await expectNoProcesses(bootDir);
    expect(existsSync(bootDir)).toBe(false);
    expect(newEntries('/dev/shm', shmBefore, uid)).toEqual([]);
    expect(newEntries(os.tmpdir(), tmpBefore, uid)).toEqual([]);
    await expect(sb.run('true')).rejects.toBeInstanceOf(SandboxError);
  });

  it('reports phases and info: a real guest kernel, ipip loadable, not host root', () => {
    expect(phases).toEqual(['checking kernel', 'starting kernel', 'loading modules', 'starting agent', 'ready']);
    expect(sb.info.backend).toBe('uml');
    expect(sb.info.kernel).toMatch(/^\d+\.\d+\.\d+/);
    expect(sb.info.features).toEqual({ ipip: true, gre: true });
    expect(sb.info.hostUid).not.toBe(0);
    const owner = execFileSync('ps', ['-o', 'uid=', '-p', String((sb as UmlSandbox).pid)], { encoding: 'utf8' });
    expect(Number(owner.trim())).toBe(sb.info.hostUid);
  });

  it('runs a command line through bash: stdout, stderr, exit code', async () => {
    const r = await sb.run('echo hello; echo oops >&2; exit 3');
    expect(r).toMatchObject({ stdout: 'hello\n', stderr: 'oops\n', exitCode: 3, signal: null });
    expect(r).toMatchObject({ timedOut: false, truncated: false, interrupted: false });
    const u = await sb.run('uname -r; sudo id -u; echo $PATH; [[ -n $BASH_VERSION ]] && echo bash');
    expect(u.stdout.split('\n').slice(0, 2)).toEqual([sb.info.kernel, '0']);
    expect(u.stdout).toMatch(/^\/run\/ipip-tutor\/bin:/m);
    expect(u.stdout).toMatch(/^bash$/m);
    const missing = await sb.run('no-such-command-xyz');
    expect(missing.exitCode).toBe(127);
  });

  it('a line of plain words runs without bash, exactly as bash would run it; anything else still goes to bash', async () => {
    // the agent execs `env` itself: the environment is the one bash gives its commands
    const direct = (await sb.run('env')).stdout.trim().split('\n').sort();
    const viaBash = (await sb.run('env | sort')).stdout.trim().split('\n');
    expect(direct).toEqual(viaBash);
    expect(direct).toContain('_=/usr/bin/env');
    expect((await sb.run('true')).exitCode).toBe(0);
    expect((await sb.run('false')).exitCode).toBe(1);
    expect((await sb.run('ip -j link show lo')).stdout).toMatch(/"ifname":"lo"/);
    // bash's words for what cannot run, and bash for builtins, assignments and scripts without #!
    expect(await sb.run('no-such-command-xyz arg')).toMatchObject({
      exitCode: 127,
      stderr: '/bin/bash: line 1: no-such-command-xyz: command not found\n',
    });
    expect(await sb.run('/tmp')).toMatchObject({ exitCode: 126, stderr: '/bin/bash: line 1: /tmp: Is a directory\n' });
    expect((await sb.run('type ip')).stdout).toMatch(/^ip is \//);
    expect((await sb.run('x=1 env')).stdout).toMatch(/^x=1$/m);
    await sb.run("printf 'echo $((6*7))\\n' > /tmp/noshebang; chmod +x /tmp/noshebang");
    expect((await sb.run('/tmp/noshebang')).stdout).toBe('42\n');
  });

  it('streams output while the command runs', async () => {
    const chunks: { text: string; at: number }[] = [];
    const r = await sb.run('for i in 1 2 3; do echo $i; sleep 0.3; done', {
      onOutput: (text) => chunks.push({ text, at: Date.now() }),
    });
    const ended = Date.now();
    expect(r.stdout).toBe('1\n2\n3\n');
    expect(chunks.map((c) => c.text).join('')).toBe('1\n2\n3\n');
    expect(chunks[0]!.text).toBe('1\n');
    expect(ended - chunks[0]!.at).toBeGreaterThan(400);
  });

  it('Ctrl-C (abort) interrupts the running command, keeps its output, and the guest stays usable', async () => {
    const ac = new AbortController();
    const r = await sb.run('ping 127.0.0.1', {
      signal: ac.signal,
      onOutput: (text) => {
        if (text.includes('icmp_seq=2')) ac.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toMatch(/icmp_seq=1/);
    expect(r.stdout).toMatch(/packets transmitted/); // ping printed its summary on SIGINT
    const after = await sb.run('echo still here');
    expect(after.stdout).toBe('still here\n');
  });

  it('a command past its timeout is stopped and marked timedOut', async () => {
    const started = Date.now();
    const r = await sb.run('echo start; sleep 30', { timeoutMs: 2_000 });
    expect(r.timedOut).toBe(true);
    expect(r.stdout).toBe('start\n');
    expect(r.exitCode === null ? r.signal : 'exited').toBe('SIGINT');
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('a command that ignores SIGINT is killed after the grace period', async () => {
    const ac = new AbortController();
    const r = await sb.run("trap '' INT; echo armed; sleep 30", {
      signal: ac.signal,
      onOutput: (t) => {
        if (t.includes('armed')) ac.abort();
      },
    });
    expect(r.interrupted).toBe(true);
    expect(r.signal).toBe('SIGKILL');
  });

  it('output past the cap kills the command and sets truncated', async () => {
    const r = await sb.run('yes', { maxOutputBytes: 10_000 });
    expect(r.truncated).toBe(true);
    expect(r.stdout.startsWith('y\ny\n')).toBe(true);
    expect(r.stdout.slice(0, 10_000)).toBe('y\n'.repeat(5_000));
    expect(r.stdout.slice(10_000)).toMatch(/output cut at 10 KiB/);
  });

  it('binary and multi-byte output survive the channel', async () => {
    const r = await sb.run("printf 'a\\000b\\303\\251\\n'; head -c 50000 /dev/zero");
    expect(r.stdout.slice(0, 5)).toBe('a\u0000bé\n');
    expect(r.stdout.length).toBe(5 + 50_000);
    const utf = await sb.run("echo 'héllo wörld ✓'");
    expect(utf.stdout).toBe('héllo wörld ✓\n');
  });

  it('query runs argv commands (no shell) in parallel and returns results in order', async () => {
    const rs = await sb.query([['ip', '-j', 'link', 'show'], ['echo', '$HOME', 'a b'], ['false'], ['no-such-cmd-q']]);
    expect(rs).toHaveLength(4);
    expect(JSON.parse(rs[0]!.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ ifname: 'lo' })]));
    expect(rs[1]!.stdout).toBe('$HOME a b\n');
    expect(rs[2]!.exitCode).toBe(1);
    expect(rs[3]!.exitCode).toBe(127);
    // Batched `ip -j` queries give exactly what separate runs give.
    const q = [
      ['ip', '-j', 'link', 'show'],
      ['ip', '-j', 'addr', 'show'],
      ['ip', '-j', 'route', 'show'],
      ['ip', '-j', 'netns', 'list'],
      ['ip', '-j', 'link', 'show', 'dev', 'no-such-dev'],
      ['ip', '-j', 'neigh', 'show'],
      ['ip', '-j', 'rule', 'show'],
      ['ip', '-j', 'addr', 'show', 'dev', 'lo'],
    ];
    expect(planQuery(q).batches).toHaveLength(1);
    const batched = await sb.query(q);
    const separate = await Promise.all(q.map((argv) => sb.run(argv.join(' '))));
    expect(batched.map((r) => [r.exitCode === 0, r.stdout, r.stderr])).toEqual(separate.map((r) => [r.exitCode === 0, r.stdout, r.stderr]));
    const sleepers = Date.now();
    await sb.query([
      ['sleep', '1'],
      ['sleep', '1'],
      ['sleep', '1'],
    ]);
    expect(Date.now() - sleepers).toBeLessThan(2_500);
  });

  it("a check's state read is one ip process per namespace, and reads as separate runs do", async () => {
    const setup = await sb.run(
      'ip netns add qb1; ip link add qa type veth peer name qb netns qb1; ip addr add 10.77.1.1/24 dev qa; ip link set qa up; ' +
        'ip route add 10.77.9.0/24 via 10.77.1.2; ip route add blackhole 10.77.8.0/24; ip -n qb1 link set qb up; ' +
        'ip -n qb1 addr add 10.77.1.2/24 dev qb; ip -n qb1 route add default via 10.77.1.1 metric 7; ' +
        // the carrier comes up a moment later: read a settled state
        'for i in $(seq 50); do ip link show qa | grep -q NO-CARRIER || ip -n qb1 link show qb | grep -q NO-CARRIER || break; sleep 0.1; done',
    );
    expect(setup.stderr).toBe('');
    const q = [
      ['ip', '-j', 'netns', 'list'],
      ['ip', '-j', '-s', '-d', 'addr', 'show'],
      ['ip', '-j', 'route', 'show'],
      ['ip', '-n', 'qb1', '-j', '-s', '-d', 'addr', 'show'],
      ['ip', '-n', 'qb1', '-j', 'route', 'show'],
      ['cat', '/proc/sys/net/ipv4/ip_forward'],
      ['ip', 'netns', 'exec', 'qb1', 'cat', '/proc/sys/net/ipv4/ip_forward'],
      ['ip', 'netns', 'exec', 'nope', 'cat', '/proc/sys/net/ipv4/ip_forward'],
      ['cat', '/no/such/file'],
    ];
    const plan = planQuery(q);
    expect(plan.batches.map((b) => b.indices.length)).toEqual([3, 2]);
    expect(plan.singles).toEqual([5, 6, 7, 8]); // the agent reads these files itself (no process)
    const batched = await sb.query(q);
    const separate = await Promise.all(q.map((argv) => sb.run(argv.join(' '))));
    // counters move between two reads: compare what the checks take from them, not the numbers
    const shape = (r: { exitCode: number | null; stdout: string; stderr: string }) => [
      r.exitCode,
      r.stdout.replace(/"(bytes|packets)":\d+/g, '"$1":0'),
      r.stderr,
    ];
    expect(batched.map(shape)).toEqual(separate.map(shape));
    await sb.run('ip netns del qb1; ip link del qa 2>/dev/null; ip route del blackhole 10.77.8.0/24');
  });

  it('typed commands cannot write the host filesystem', async () => {
    const tag = `ipip-tutor-probe-${process.pid}`;
    const targets = [`/root/${tag}`, `/etc/${tag}`, path.join(repoRoot, tag)];
    for (const t of targets) {
      const r = await sb.run(`touch ${t}`);
      expect(r.exitCode, `touch ${t}`).not.toBe(0);
    }
    const redirect = await sb.run(`echo x > ${path.join(repoRoot, tag)}`);
    expect(redirect.exitCode).not.toBe(0);
    for (const t of targets) expect(existsSync(t), t).toBe(false);
    const tmp = await sb.run('echo ok > /tmp/scratch && cat /tmp/scratch');
    expect(tmp.stdout).toBe('ok\n'); // the guest's own tmpfs is writable
  });

  it('modules are authentic: ipip is not loaded until modprobe, then tunl0@NONE appears', async () => {
    const before = await sb.run('lsmod | grep ipip');
    expect(before.exitCode).toBe(1);
    expect(before.stdout).toBe('');
    expect((await sb.run('ls /lib/modules/$(uname -r)/kernel/net/ipv4/ipip.ko')).exitCode).toBe(0);
    expect((await sb.run('lsmod')).stdout).toMatch(/^veth\s/m);
    const load = await sb.run('sudo modprobe ipip');
    expect(load.exitCode, load.stderr).toBe(0);
    const after = await sb.run('lsmod | grep ipip');
    expect(after.stdout).toMatch(/^ipip\s/m);
    expect(after.stdout).toMatch(/^ip_tunnel\s.*ipip/m);
    expect(after.stdout).toMatch(/^tunnel4\s.*ipip/m);
    expect((await sb.run('ip link')).stdout).toMatch(/tunl0@NONE/);
  });

  it("runs the article's whole lab: namespaces, veth, routes, ttl=63, the tunnel (ttl=64), tcpdump", async () => {
    const setup = [
      'sudo modprobe ipip',
      'sudo ip netns add ns1',
      'sudo ip netns add ns2',
      'sudo ip link add v1 netns ns1  type veth peer name v1-P',
      'sudo ip link add v2 netns ns2  type veth peer name v2-P',
      'sudo ip addr add 10.10.10.1/24 dev v1-P',
      'sudo ip link set v1-P up',
      'sudo ip addr add 10.10.20.1/24 dev v2-P',
      'sudo ip link set v2-P up',
      'sudo ip netns exec ns1 ip addr add 10.10.10.2/24 dev v1',
      'sudo ip netns exec ns2 ip addr add 10.10.20.2/24 dev v2',
      'sudo ip netns exec ns1 ip link set v1 up',
      'sudo ip netns exec ns2 ip link set v2 up',
      'echo 1 | sudo tee /proc/sys/net/ipv4/ip_forward',
      'sudo ip netns exec ns1 route add -net 10.10.20.0 netmask 255.255.255.0 gw 10.10.10.1',
      'sudo ip netns exec ns2 route add -net 10.10.10.0 netmask 255.255.255.0 gw 10.10.20.1',
    ];
    for (const c of setup) {
      const r = await sb.run(c);
      expect(r.exitCode, `${c}\n${r.stderr}`).toBe(0);
    }
    expect((await sb.run('ip link')).stdout).toMatch(/v1-P@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP>/);
    expect((await sb.run('cat /proc/sys/net/ipv4/ip_forward')).stdout).toBe('1\n');
    expect((await sb.run('sudo ip netns exec ns1 route -n')).stdout).toMatch(/10\.10\.20\.0\s+10\.10\.10\.1\s+255\.255\.255\.0\s+UG/);
    const cross1 = await sb.run('sudo ip netns exec ns1 ping -c 1 -W 2 10.10.20.2');
    expect(cross1.stdout).toMatch(/ttl=63/);
    const cross2 = await sb.run('sudo ip netns exec ns2 ping -c 1 -W 2 10.10.10.2');
    expect(cross2.stdout).toMatch(/ttl=63/);

    const tunnel = [
      'sudo ip netns exec ns1 ip tunnel add tunl mode ipip remote 10.10.20.2 local 10.10.10.2',
      'sudo ip netns exec ns1 ip link set tunl up',
      'sudo ip netns exec ns1 ip addr add 10.10.100.10 peer 10.10.200.10 dev tunl',
      'sudo ip  netns exec ns2 ip tunnel add tunr mode ipip remote 10.10.10.2 local 10.10.20.2',
      'sudo ip netns exec ns2 ip link set tunr up',
      'sudo ip netns exec ns2 ip addr add 10.10.200.10 peer 10.10.100.10 dev tunr',
    ];
    for (const c of tunnel) {
      const r = await sb.run(c);
      expect(r.exitCode, `${c}\n${r.stderr}`).toBe(0);
    }
    expect((await sb.run('sudo ip netns exec ns1 ip link')).stdout).toMatch(/tunl@NONE: <POINTOPOINT,NOARP,UP,LOWER_UP>/);

    // tcpdump on v1-P sees the encapsulated packets while a ping goes through the tunnel. (The
    // filter keeps ARP revalidation of the earlier pings out of the two captured packets.)
    let listening!: () => void;
    const isListening = new Promise<void>((r) => (listening = r));
    const dump = sb.run('tcpdump -i v1-P -c 2 -n -v ip proto 4', {
      timeoutMs: 15_000,
      onOutput: (t) => {
        if (t.includes('listening on')) listening();
      },
    });
    await Promise.race([isListening, dump]);
    const ping = await sb.run('sudo ip netns exec ns1 ping 10.10.200.10 -c 1 -W 2');
    expect(ping.exitCode, ping.stdout + ping.stderr).toBe(0);
    expect(ping.stdout).toMatch(/ttl=64/);
    const captured = await dump;
    expect(captured.timedOut).toBe(false);
    const out = captured.stdout;
    expect(out).toMatch(/proto IPIP \(4\)/);
    expect(out).toMatch(/10\.10\.10\.2 > 10\.10\.20\.2: [\s\S]*?10\.10\.100\.10 > 10\.10\.200\.10: ICMP echo request/);
    expect(out).toMatch(/10\.10\.20\.2 > 10\.10\.10\.2: [\s\S]*?10\.10\.200\.10 > 10\.10\.100\.10: ICMP echo reply/);

    // With the lab built, batched state queries still equal separate runs.
    const q = [
      ['ip', '-j', 'link', 'show'],
      ['ip', '-j', 'addr', 'show'],
      ['ip', '-j', 'route', 'show'],
      ['ip', '-j', 'netns', 'list'],
      ['ip', '-j', 'addr', 'show', 'dev', 'v1-P'],
    ];
    const batched = await sb.query(q);
    const separate = await Promise.all(q.map((argv) => sb.run(argv.join(' '))));
    expect(batched.map((r) => [r.exitCode, r.stdout, r.stderr])).toEqual(separate.map((r) => [r.exitCode, r.stdout, r.stderr]));
    expect(JSON.parse(batched[3]!.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'ns1' })]));
  });
});

describe('uml sandbox: the guest dies', () => {
  it('a pending run rejects with "died", later calls reject at once, close cleans up', async () => {
    const sb = (await createUmlSandbox()) as UmlSandbox;
    const bootDir = sb.bootDir;
    try {
      const pending = sb.run('sleep 30');
      const halting = sb.run('halt -f');
      const [p, h] = await Promise.allSettled([pending, halting]);
      expect(p.status).toBe('rejected');
      expect(h.status).toBe('rejected');
      const err = (p as PromiseRejectedResult).reason as SandboxError;
      expect(err).toBeInstanceOf(SandboxError);
      expect(err.message).toMatch(/died/);
      expect(err.fix).toMatch(/Restart/);
      const started = Date.now();
      await expect(sb.run('echo again')).rejects.toThrow(/died/);
      await expect(sb.query([['true']])).rejects.toBeInstanceOf(SandboxError);
      expect(Date.now() - started).toBeLessThan(100);
    } finally {
      await sb.close();
    }
    await expectNoProcesses(bootDir);
    expect(existsSync(bootDir)).toBe(false);
  });
});

describe('uml sandbox: the tutor is killed with SIGKILL', () => {
  it('the reaper removes the kernel, its guest processes and its files', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'uml-kill9-test-'));
    try {
      const script = path.join(dir, 'child.mts');
      const mod = pathToFileURL(path.join(repoRoot, 'src/sandbox/uml/umlSandbox.ts')).href;
      writeFileSync(
        script,
        `import { createUmlSandbox } from ${JSON.stringify(mod)};\n` +
          `const sb = await createUmlSandbox();\n` +
          `await sb.run('sleep 0.1 & echo bg');\n` +
          `console.log('READY ' + sb.bootDir + ' ' + sb.pid);\n` +
          `setInterval(() => {}, 1000);\n`,
      );
      const child = spawn(process.execPath, ['--import', 'tsx', script], {
        cwd: repoRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const ready = await waitFor(() => /READY \S+ \d+/.test(out) || child.exitCode !== null, 45_000);
      expect(ready && /READY/.test(out), `child did not get ready:\n${out}\n${err}`).toBe(true);
      const [, bootDir, pid] = /READY (\S+) (\d+)/.exec(out)!;
      expect(processesMentioning(bootDir!).length).toBeGreaterThan(0);
      expect(existsSync(bootDir!)).toBe(true);

      child.kill('SIGKILL');
      const gone = await waitFor(() => processesMentioning(bootDir!).length === 0 && !existsSync(bootDir!), 3_000);
      expect(gone, `left: ${processesMentioning(bootDir!).join('\n')} dir=${existsSync(bootDir!)}`).toBe(true);
      let state = '';
      try {
        state = execFileSync('ps', ['-o', 'stat=', '-p', pid!], { encoding: 'utf8' }).trim();
      } catch {
        /* no such process */
      }
      expect(state === '' || state.startsWith('Z'), `kernel pid ${pid} state ${state}`).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
