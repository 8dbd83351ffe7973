import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/sandbox/confine.js';
import { REPO, requireTool, requireUml } from '../helpers/tutor.js';

// README "What the sandbox guarantees": nothing typed inside either backend can write outside
// it, the learner's home is not even visible, and a fork bomb, a memory hog or a tmpfs filler
// is bounded. Proven from the host's side, with the sandbox started as root (as CI is) and as
// the ordinary user `tester` (a learner's real situation), for both backends.

const isRoot = process.getuid?.() === 0;

interface Learner {
  name: 'root' | 'tester';
  uid: number;
  gid: number;
  home: string;
  /** argv prefix that runs the child as this learner */
  prefix: string[];
  /** the uid typed commands run as on the host */
  sandboxUid: number;
}

function learners(): Learner[] {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('tester:'));
  if (!line) throw new Error('user `tester` does not exist: create it with `useradd -m tester` (CI does)');
  const [, , uid, gid, , home] = line.split(':');
  const t = { uid: Number(uid), gid: Number(gid), home: home! };
  return [
    { name: 'root', uid: 0, gid: 0, home: '/root', prefix: [], sandboxUid: 65534 },
    {
      name: 'tester',
      ...t,
      prefix: ['setpriv', `--reuid=${t.uid}`, `--regid=${t.gid}`, '--clear-groups', '--', 'env', `HOME=${t.home}`, 'USER=tester'],
      sandboxUid: t.uid,
    },
  ];
}

interface ChildResult {
  uid: number;
  hostUid: number;
  hostDir: string | null;
  hostDirFiles: { name: string; uid: number }[];
  results: { cmd: string; exitCode: number | null; stdout: string; stderr: string; timedOut: boolean }[];
  restarted: string | null;
}

/** Run confineChild.ts as `who`, with SUDO_* cleared (root drops to nobody, as documented). */
function runChild(
  who: Learner,
  spec: { backend: string; commands: { cmd: string; timeoutMs?: number }[]; restart?: boolean },
): Promise<ChildResult> {
  const argv = [...who.prefix, process.execPath, '--import', 'tsx', join(REPO, 'test/helpers/confineChild.ts'), JSON.stringify(spec)];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('SUDO_')) env[k] = v;
  if (who.name === 'root') env.HOME = '/root';
  return new Promise((resolve, reject) =>
    execFile(argv[0]!, argv.slice(1), { cwd: REPO, env, timeout: 150_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildResult);
      } catch {
        reject(new Error(`confineChild as ${who.name} failed (${err?.message}):\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      }
    }),
  );
}

const sha = (p: string) => (existsSync(p) ? createHash('sha256').update(readFileSync(p)).digest('hex') : null);

/** Every name carrying `marker` in the places a sandbox must not reach. */
function leftovers(marker: string, home: string): string[] {
  const out: string[] = [];
  for (const d of [home, '/var/tmp', '/dev/shm', '/tmp']) {
    try {
      for (const n of readdirSync(d)) if (n.includes(marker)) out.push(join(d, n));
    } catch {
      /* not there */
    }
  }
  return out;
}

/** Typed commands that try every way out that the issue lists; `H` is the learner's real home. */
function escapes(backend: string, H: string, id: string): string[] {
  const owned = `/var/tmp/ipip-probe-${id}-owned`;
  const c = [
    `touch ${H}/ipip-probe-${id}-new`,
    `echo pwned >> ${H}/.ipip-probe-${id}rc; echo pwned >> ${H}/.profile`,
    `touch /var/tmp/ipip-probe-${id}-new /dev/shm/ipip-probe-${id}-new /tmp/ipip-probe-${id}-new`,
    `echo pwned >> ${owned}; chmod 666 ${owned}; rm -f ${owned}`,
    `mount -o remount,rw /; mount -o remount,rw,bind /; mount -o remount,rw /var/tmp; echo pwned >> ${owned}; touch /var/tmp/ipip-probe-${id}-remount`,
    `umount -l /tmp; umount -l /home; umount -l /root; umount -l /dev/shm; touch /tmp/ipip-probe-${id}-umount /dev/shm/ipip-probe-${id}-umount ${H}/ipip-probe-${id}-umount`,
    `ln -s ${owned} /tmp/l-${id} && echo pwned >> /tmp/l-${id}; ln -s ${H} /tmp/h-${id} && touch /tmp/h-${id}/ipip-probe-${id}-link`,
    `ln ${owned} /tmp/hard-${id} && echo pwned >> /tmp/hard-${id}; ln ${owned} /var/tmp/ipip-probe-${id}-hard`,
    `for p in /proc/[0-9]*; do echo pwned >> $p/root${owned}; touch $p/root/var/tmp/ipip-probe-${id}-proc $p/root${H}/ipip-probe-${id}-proc; done`,
    `mount -t tmpfs none /mnt && mount --bind /mnt /var/tmp && touch /var/tmp/ipip-probe-${id}-over`,
  ];
  if (backend === 'uml') {
    // The guest can mount any host path through hostfs, and it is real root in its own kernel.
    c.push(
      `mkdir -p /tmp/hfs && mount -t hostfs none /tmp/hfs -o /var/tmp && touch /tmp/hfs/ipip-probe-${id}-hostfs; echo pwned >> /tmp/hfs/ipip-probe-${id}-owned`,
    );
    c.push(
      `mount -t hostfs none /tmp/hfs2 -o ${H} 2>&1; mkdir -p /tmp/hfs2 && mount -t hostfs none /tmp/hfs2 -o ${H} && touch /tmp/hfs2/ipip-probe-${id}-hostfs`,
    );
  }
  return c;
}

const BACKENDS = ['host', 'uml'] as const;

describe.each(BACKENDS)('%s backend: typed commands cannot write outside the sandbox', (backend) => {
  describe.each(learners().map((l) => [l.name, l] as const))('started as %s', (_, who) => {
    it('home, /var/tmp, /dev/shm, /tmp, remounts, links and /proc/*/root leave the host unchanged; the home is invisible', async () => {
      expect(isRoot, 'run as root (as CI does): the tester case needs setpriv').toBe(true);
      requireTool('bwrap', 'run `apt-get install bubblewrap` (both backends run inside it)');
      if (backend === 'uml') requireUml();
      const id = randomBytes(4).toString('hex');
      const marker = `ipip-probe-${id}`;
      const owned = `/var/tmp/${marker}-owned`;
      const dot = join(who.home, `.${marker}rc`);
      // A host file the sandbox's uid may write (so only the boundary stops it), and a learner's dotfile.
      writeFileSync(owned, 'original\n');
      chownSync(owned, who.sandboxUid, who.sandboxUid);
      chmodSync(owned, 0o644);
      writeFileSync(dot, 'original\n');
      chownSync(dot, who.uid, who.gid);
      const profile = join(who.home, '.profile');
      const profileBefore = sha(profile);
      try {
        const r = await runChild(who, {
          backend,
          commands: [
            { cmd: `ls -A ${who.home} 2>/dev/null | wc -l; test -e ${dot} && echo VISIBLE; true` },
            ...escapes(backend, who.home, id).map((cmd) => ({ cmd })),
            { cmd: `echo hi > /run/ipip-tutor/host/from-inside 2>/dev/null; true` },
          ],
        });
        expect(r.uid).toBe(who.uid);
        expect(r.hostUid).toBe(who.sandboxUid);
        // the learner's home is not visible at all
        expect(r.results[0]!.stdout).toBe('0\n');
        // and the host is exactly as before
        expect(readFileSync(owned, 'utf8')).toBe('original\n');
        expect(readFileSync(dot, 'utf8')).toBe('original\n');
        expect(sha(profile)).toBe(profileBefore);
        expect(leftovers(marker, who.home).filter((p) => p !== owned && p !== dot)).toEqual([]);
        if (backend === 'host') {
          // the one place shared with the host: the sandbox's own directory, owned by its user, gone after close
          // (and the FIFO of the tcpdump relay, made as that user too)
          expect([...r.hostDirFiles].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
            { name: 'from-inside', uid: who.sandboxUid },
            { name: 'tcpdump.ctl', uid: who.sandboxUid },
          ]);
          expect(existsSync(r.hostDir!)).toBe(false);
        }
      } finally {
        rmSync(owned, { force: true });
        rmSync(dot, { force: true });
      }
    }, 150_000);
  });
});

describe.each(BACKENDS)('%s backend: a fork bomb, a memory hog and a tmpfs filler are bounded', (backend) => {
  describe.each(learners().map((l) => [l.name, l] as const))('started as %s', (_, who) => {
    it('a fork bomb is bounded, the next command gets an answer, restart gives a working sandbox', async () => {
      if (backend === 'uml') requireUml();
      const id = randomBytes(4).toString('hex');
      const r = await runChild(who, {
        backend,
        commands: [
          { cmd: `:(){ :|:& };:`, timeoutMs: 5_000 },
          { cmd: 'echo alive', timeoutMs: 5_000 },
          // one that leaves the command's process group
          ...(backend === 'host'
            ? [
                { cmd: `setsid bash -c ':(){ :|:& };:'; touch /var/tmp/ipip-probe-${id}-bomb`, timeoutMs: 5_000 },
                { cmd: 'echo alive', timeoutMs: 5_000 },
                // what is left of the sandbox's processes: never more than the limit
                { cmd: 'ls /proc | grep -c "^[0-9]"', timeoutMs: 5_000 },
              ]
            : []),
        ],
        restart: true,
      });
      if (backend === 'host') {
        // the task limit stops it; what the bomb left behind is ended, with a note, when nothing more can start
        for (const i of [1, 3]) {
          expect(r.results[i]!.stdout, JSON.stringify(r.results[i])).toBe('alive\n');
          expect(r.results[i]!.timedOut).toBe(false);
        }
        // Whether the bomb is still there when the next command starts depends on timing (its
        // processes may die out on their own at the limit); when it is, the sandbox is swept, with
        // a note. Either way the sandbox never holds more than the limit.
        expect(Number(r.results[4]!.stdout.trim())).toBeLessThanOrEqual(LIMITS.tasks);
      } else {
        // the guest's own kernel bears it (mem=, and at most LIMITS.tasks host tasks); each command still returns
        // (the guest may be too full to start it: Ctrl-R, the restart below, is the way back)
        expect(r.results).toHaveLength(2);
      }
      expect(leftovers(`ipip-probe-${id}`, who.home)).toEqual([]);
      expect(r.restarted).toBe('restarted\n');
    }, 150_000);

    it('a memory hog and tmpfs fillers end with an error; the next command answers', async () => {
      if (backend === 'uml') requireUml();
      const fill = backend === 'host' ? ['/tmp', '/dev/shm', '/root', '/run'] : ['/tmp', '/dev/shm'];
      const r = await runChild(who, {
        backend,
        commands: [
          { cmd: 'head -c 3G /dev/zero | tail | wc -c', timeoutMs: 15_000 },
          { cmd: 'echo alive', timeoutMs: 5_000 },
          ...fill.map((d) => ({ cmd: `cat /dev/zero > ${d}/ipip-fill; rm -f ${d}/ipip-fill`, timeoutMs: 15_000 })),
          { cmd: 'echo alive', timeoutMs: 5_000 },
        ],
        restart: true,
      });
      const [hog, alive1, ...rest] = r.results;
      if (backend === 'host') expect(hog!.stderr).toMatch(/memory exhausted|Cannot allocate memory/);
      else expect(hog!.stdout).not.toBe('3221225472\n');
      expect(alive1!.stdout).toBe('alive\n');
      for (const f of rest.slice(0, fill.length)) expect(f.stderr, f.cmd).toMatch(/No space left on device/);
      expect(rest.at(-1)!.stdout).toBe('alive\n');
      expect(r.restarted).toBe('restarted\n');
    }, 150_000);
  });
});
