import { execFileSync, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { captureFootprint, captureHostNet, diffHostNet, newFiles, ProcessTracker, readProc, type Reader } from '../helpers/hostState.js';

// The evidence is only worth something if it can fail: these prove the helpers see each kind
// of leftover the README promises never happens. Every change below happens inside a namespace
// this test makes (unshare), never in the machine's own.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the evidence helpers can fail', () => {
  it('captureHostNet/diffHostNet see a link, an address, a route and ip_forward change', async () => {
    // Given: a throw-away user+net namespace of our own, read through nsenter
    const holder = spawn('unshare', ['--user', '--map-root-user', '--net', 'sleep', '60'], { stdio: 'ignore' });
    try {
      await sleep(200);
      const pid = holder.pid!;
      const inNs: Reader = (argv) =>
        execFileSync('nsenter', [`--target=${pid}`, '--user', '--net', '--preserve-credentials', '--', ...argv], { encoding: 'utf8' });
      const before = captureHostNet(inNs);
      expect(diffHostNet(before, captureHostNet(inNs))).toEqual([]);
      // When: the kinds of change a lesson makes are made there
      inNs(['ip', 'link', 'add', 'dummy0', 'type', 'veth', 'peer', 'name', 'dummy1']); // this kernel has no dummy driver
      inNs(['ip', 'addr', 'add', '10.99.0.1/24', 'dev', 'dummy0']);
      inNs(['ip', 'link', 'set', 'dummy0', 'up']);
      inNs(['ip', 'link', 'set', 'lo', 'up']);
      inNs(['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
      const d = diffHostNet(before, captureHostNet(inNs)).join('\n');
      // Then: each is reported
      expect(d).toMatch(/link added: dummy0/);
      expect(d).toMatch(/10\.99\.0\.1\/24/);
      expect(d).toMatch(/route added: .*10\.99\.0\.0\/24/);
      expect(d).toMatch(/link changed: lo/);
      expect(d).toMatch(/ip_forward: 0 -> 1/);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('ProcessTracker still knows a process that escaped its parent (reparented to init)', async () => {
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; sleep 0.3'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const t = new ProcessTracker(sh.pid!).start(5);
    let out = '';
    sh.stdout!.on('data', (d) => (out += d));
    await new Promise((r) => sh.on('exit', r));
    const orphan = Number(out.trim());
    try {
      const left = await t.waitGone(300);
      expect(left.map((p) => p.pid)).toContain(orphan);
      expect(readProc(orphan)?.comm).toBe('sleep');
    } finally {
      process.kill(orphan, 'SIGKILL');
      t.stop();
    }
  });

  it('captureFootprint/newFiles see a tutor-named file left in /tmp', () => {
    const before = captureFootprint();
    const f = `/tmp/ipip-tutor-selftest-${process.pid}`;
    writeFileSync(f, 'x');
    try {
      expect(newFiles(before, captureFootprint())).toContain(f);
    } finally {
      rmSync(f, { force: true });
    }
  });
});
