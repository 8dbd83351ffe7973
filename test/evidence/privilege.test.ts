import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';
import { hostShims } from '../../src/sandbox/hostShims.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { captureHostNet, describeProcs, diffHostNet, processTable, type HostNetState, type ProcInfo } from '../helpers/hostState.js';
import { requireUml, runTutor, spawnTutor, waitExit } from '../helpers/tutor.js';

// README: typed commands never hold host root power and never change the machine's network.
// Proven from the host's side: files, the host's network state, and the uids of real processes.

const isRoot = process.getuid?.() === 0;

function testerIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('tester:'));
  if (!line) throw new Error('user `tester` does not exist: create it with `useradd -m tester` (CI does)');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}

/** The commands a lesson uses to change a network, made harmless by being run only inside sandboxes. */
const NET_CHANGES = [
  'ip link add evid0 type veth peer name evid1',
  'ip addr add 10.99.0.1/24 dev evid0',
  'ip link set evid0 up',
  'ip route add 10.98.0.0/16 via 10.99.0.2',
  'echo 1 > /proc/sys/net/ipv4/ip_forward',
  'ip netns add evidns',
];

function rootOwnedProbe(): string {
  // A root-owned, world-readable file in a world-visible place: the sandbox can see it, but may not change it.
  const f = `/var/tmp/ipip-evidence-rootfile-${process.pid}`;
  writeFileSync(f, 'original\n');
  chmodSync(f, 0o644);
  return f;
}

/** Both backends: files and network. */
function containmentCases(backend: 'host' | 'uml', make: () => Promise<Sandbox>) {
  let sb: Sandbox;
  let probe: string;
  let net: HostNetState;
  beforeAll(async () => {
    if (backend === 'uml') requireUml();
    expect(isRoot, 'these tests run as root (as CI does): they must show root power does not leak').toBe(true);
    probe = rootOwnedProbe();
    net = captureHostNet();
    sb = await make();
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(probe, { force: true });
    for (const f of ['/root/ipip-tutor-probe', '/etc/ipip-tutor-probe', '/work/ipip-probe']) rmSync(f, { force: true });
  });

  it('typed commands run as in-sandbox root, mapped to a non-root host uid', async () => {
    const r = await sb.run('id -u');
    expect(r.stdout.trim()).toBe('0');
    expect(sb.info.hostUid).not.toBe(0);
  });

  it('cannot create files in root-owned host directories (/root, /etc)', async () => {
    const etc = await sb.run('touch /etc/ipip-tutor-probe');
    expect(etc.exitCode).not.toBe(0);
    expect(etc.stderr).toMatch(/Permission denied|Read-only file system/);
    // /root: the host backend gives the sandbox a private, empty /root (its $HOME); either way the host's stays untouched
    await sb.run('touch /root/ipip-tutor-probe');
    expect(existsSync('/etc/ipip-tutor-probe')).toBe(false);
    expect(existsSync('/root/ipip-tutor-probe')).toBe(false);
  });

  it('cannot change a root-owned host file it can read', async () => {
    const read = await sb.run(`cat ${probe}`);
    expect(read.stdout).toBe('original\n'); // the very file is visible...
    const w = await sb.run(`echo changed >> ${probe}; echo changed > ${probe}; rm -f ${probe}; chmod 666 ${probe}`);
    expect(w.exitCode).not.toBe(0);
    expect(readFileSync(probe, 'utf8')).toBe('original\n'); // ...but unchanged
  });

  it("changes a lesson makes succeed inside but leave the host's network as it was", async () => {
    for (const cmd of NET_CHANGES) {
      const r = await sb.run(cmd);
      expect(r.exitCode, `inside the sandbox \`${cmd}\` failed: ${r.stderr}`).toBe(0);
    }
    const inside = await sb.run('cat /proc/sys/net/ipv4/ip_forward; ip -br addr show evid0; ip route show 10.98.0.0/16; ip netns list');
    expect(inside.stdout).toMatch(/^1\n/);
    expect(inside.stdout).toMatch(/10\.99\.0\.1\/24/);
    expect(diffHostNet(net, captureHostNet())).toEqual([]);
  });

  if (backend === 'uml') {
    it('the guest sees the host filesystem read-only (touch /work/ipip-probe fails)', async () => {
      const r = await sb.run('touch /work/ipip-probe');
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/Read-only file system|Permission denied/);
      expect(existsSync('/work/ipip-probe')).toBe(false);
    });

    it('linux.uml and every guest process run as non-root on the host', async () => {
      const mine = processTable().filter((p) => p.cmdline.includes(`umid=ipip-tutor-${process.pid}-`));
      expect(mine.length, 'no linux.uml process of this test found').toBeGreaterThan(0);
      expect(mine.filter((p) => p.uid === 0).map((p) => `${p.pid} ${p.cmdline.slice(0, 80)}`)).toEqual([]);
      expect(new Set(mine.map((p) => p.uid))).toEqual(new Set([sb.info.hostUid]));
    });
  }
}

describe('host backend: containment', () => {
  containmentCases('host', () => createHostSandbox({ shims: hostShims() }));
});

describe('uml backend: containment', () => {
  containmentCases('uml', async () => (await import('../../src/sandbox/uml/umlSandbox.js')).createUmlSandbox());
});

describe('host backend: who typed commands run as, seen from the host', () => {
  /**
   * Runs the real CLI replaying one typed command that renames itself with a unique marker and
   * sleeps; finds that process from the host and returns its host uid.
   */
  async function uidOfTypedCommand(env: Record<string, string | undefined>): Promise<{ uid: number; tree: ProcInfo[] }> {
    const marker = `ipip-evidence-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const dir = join('/var/tmp', `${marker}.cmds`);
    writeFileSync(dir, `exec -a ${marker} sleep 20\n`);
    chmodSync(dir, 0o644);
    const run = spawnTutor(['play', '--commands', dir, '--backend', 'host', '--from', 'namespaces/add-ns', '--to', 'namespaces/add-ns'], {
      env,
    });
    try {
      const p = await run.waitProcess((q) => q.cmdline.startsWith(marker), 30_000);
      const tree = [...run.tracker.seen.values()];
      return { uid: p.uid, tree };
    } finally {
      process.kill(run.pid, 'SIGTERM');
      await waitExit(run, 15_000);
      expect(await run.tracker.waitGone(5_000)).toEqual([]);
      run.dispose();
      rmSync(dir, { force: true });
    }
  }

  it('started as root without SUDO_UID: the command runs as nobody (65534)', async () => {
    expect(isRoot).toBe(true);
    const { uid } = await uidOfTypedCommand({ SUDO_UID: undefined, SUDO_GID: undefined, SUDO_USER: undefined });
    expect(uid).toBe(65534);
  }, 60_000);

  it('started as root with SUDO_UID=<tester>: the command runs as tester', async () => {
    const t = testerIds();
    const { uid, tree } = await uidOfTypedCommand({ SUDO_UID: String(t.uid), SUDO_GID: String(t.gid), SUDO_USER: 'tester' });
    expect(uid).toBe(t.uid);
    // only the tutor itself (and its helpers before the drop) are root; nothing inside the sandbox is
    const sandboxSide = tree.filter((p) => /^(unshare|nsenter)$/.test(p.comm) || p.cmdline.includes('IPIP_TUTOR_READY'));
    expect(sandboxSide.length).toBeGreaterThan(0);
    expect(sandboxSide.filter((p) => p.uid === 0).map((p) => `${p.pid} ${p.comm} ${p.cmdline.slice(0, 80)}`)).toEqual([]);
  }, 60_000);

  it('started as tester: play --auto --to namespaces passes and no process of its tree is root', async () => {
    const t = testerIds();
    requireRunnableBy(t.uid);
    const r = await runTutor(['play', '--auto', '--backend', 'host', '--to', 'namespaces'], {
      prefix: ['setpriv', `--reuid=${t.uid}`, `--regid=${t.gid}`, '--clear-groups', '--'],
      env: { HOME: '/home/tester', USER: 'tester', LOGNAME: 'tester', SUDO_UID: undefined, SUDO_GID: undefined },
      timeoutMs: 60_000,
    });
    r.run.dispose();
    expect(r.exit.code, `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`).toBe(0);
    const tree = [...r.run.tracker.seen.values()];
    expect(tree.some((p) => p.comm === 'unshare')).toBe(true);
    // setpriv itself is root for an instant before it execs node as tester: only that image is allowed
    const rootOnes = tree.filter((p) => p.uid === 0 && p.comm !== 'setpriv');
    expect(rootOnes, describeProcs(rootOnes)).toEqual([]);
  }, 60_000);
});

function requireRunnableBy(uid: number): void {
  try {
    execFileSync('setpriv', [
      `--reuid=${uid}`,
      `--regid=${uid}`,
      '--clear-groups',
      '--',
      'test',
      '-r',
      join(process.cwd(), 'package.json'),
    ]);
  } catch {
    throw new Error(`uid ${uid} cannot read ${process.cwd()}: the repository must be world-readable for this test`);
  }
}
