import { execa } from 'execa';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import path from 'node:path';
import { homesToHide, LIMITS, tutorPaths } from '../confine.js';
import { resolveSandboxUser, type SandboxUser } from '../identity.js';
import { runLimited } from '../process.js';
import { startReaper } from '../reaper.js';
import {
  SandboxError,
  type SandboxText,
  type Features,
  type RunOptions,
  type RunResult,
  type Sandbox,
  type SandboxInfo,
  type SandboxOptions,
} from '../types.js';
import { batchScript, newBoundary, parseBatch } from './batch.js';
import { fullNote, killAllBut, sandboxFull } from './sweep.js';
import { enterArgv, holderArgv, holderSetupScript, hostBoundary, sandboxEnv } from './hostArgs.js';
import { startTcpdumpRelay } from './tcpdumpRelay.js';

// The `host` backend: a fresh user + network + mount + pid namespace on the learner's own
// kernel, owned by the learner's uid. Its own network namespace is the article's root namespace.
const READY_MARK = 'IPIP_TUTOR_READY';
const BOOT_TIMEOUT_MS = 10_000;

/** The host backend's sandbox, with what only it has. */
export interface HostSandbox extends Sandbox {
  /**
   * A private directory on the host, made for this sandbox and removed with it (also after a
   * `kill -9` of the tutor). Inside the sandbox it is HOST_DIR_INSIDE (/run/ipip-tutor/host),
   * read-write and owned by in-sandbox root; on the host it is owned by the sandbox user.
   * Whatever the learner can do inside can be put here (symlinks to host files included):
   * host-side readers must not follow links out of it, and run as the sandbox user.
   */
  readonly hostDir: string;
}

export interface HostSandboxOptions extends SandboxOptions {
  /** Extra shims (name -> script) installed on the sandbox PATH, e.g. tcpdump. */
  shims?: Record<string, string>;
  /** Already known from backend selection; otherwise the sandbox probes for itself. */
  ipip?: boolean;
}

function firstChild(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.length ? Number(kids[0]) : undefined;
  } catch {
    return undefined;
  }
}

/** Pid namespaces a process is nested in (1 = the host's), from the NSpid line of its status. */
function pidDepth(pid: number): number {
  try {
    return (
      /^NSpid:\s*(.*)$/m
        .exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
        ?.trim()
        .split(/\s+/).length ?? 0
    );
  } catch {
    return 0;
  }
}

/** The holder: the first descendant of `pid` in a pid namespace nested `depth` deep (bwrap's, then the inner one). */
function holderOf(pid: number, depth = 3): number | undefined {
  let p: number | undefined = pid;
  for (let i = 0; i < 6 && p !== undefined; i++) {
    if (pidDepth(p) >= depth) return p;
    p = firstChild(p);
  }
  return undefined;
}

/** The sandbox's private host directory: named after the tutor's pid (leftovers are attributable), owned by the sandbox user. */
function makeHostDir(user: SandboxUser): string {
  const dir = mkdtempSync(path.join(tmpdir(), `ipip-tutor-${process.pid}-host-`));
  if (user.dropPrefix.length > 0) chownSync(dir, user.uid, user.gid);
  return dir;
}

export async function createHostSandbox(opts: HostSandboxOptions = {}): Promise<HostSandbox> {
  const user = resolveSandboxUser();
  opts.onPhase?.({ phase: 'creating namespaces' });
  const hostDir = makeHostDir(user);
  // Removes the directory if the tutor dies without closing (the holder's death needs no help).
  const reaper = startReaper({ processGroups: [], paths: [hostDir] });
  const removeHostDir = () => {
    rmSync(hostDir, { recursive: true, force: true });
    reaper.release();
  };
  try {
    return await startHolder(opts, user, hostDir, removeHostDir);
  } catch (e) {
    removeHostDir();
    throw e;
  }
}

async function startHolder(opts: HostSandboxOptions, user: SandboxUser, hostDir: string, removeHostDir: () => void): Promise<HostSandbox> {
  const plan = hostBoundary({ hide: homesToHide(user), expose: tutorPaths(), hostDir });
  const [cmd, ...args] = holderArgv(user.dropPrefix, holderSetupScript(opts.shims), plan);
  const holder = execa(cmd!, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: sandboxEnv(),
    extendEnv: false,
    cwd: '/',
    cleanup: false, // it ends when our end of its stdin closes (see hostArgs.ts)
    reject: false,
    buffer: false,
  });
  // The pipe only signals our death to the holder; it must not keep Node alive.
  holder.stdin.on('error', () => {});
  let log = '';
  holder.stderr.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));

  let dead = false;
  const exited = new Promise<void>((resolve) =>
    holder.on('exit', () => {
      dead = true;
      resolve();
    }),
  );

  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail({ key: 'host_timeout', params: { seconds: BOOT_TIMEOUT_MS / 1000 } }), BOOT_TIMEOUT_MS);
    function fail(why: SandboxText) {
      clearTimeout(timer);
      holder.kill('SIGKILL');
      reject(new SandboxError({ key: 'host_create_failed', params: { detail: why } }, { key: 'fix_host_userns' }, log.trim()));
    }
    holder.on('error', (e) => fail(e.message));
    const onEarlyExit = (code: number | null) => fail({ key: 'host_setup_exit', params: { code: String(code) } });
    holder.on('exit', onEarlyExit);
    holder.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(READY_MARK)) {
        clearTimeout(timer);
        holder.off('exit', onEarlyExit);
        resolve();
      }
    });
  });

  // Wait for the holder (pid 1 inside) to be visible below bwrap.
  let holderPid: number | undefined;
  for (let i = 0; i < 100 && holderPid === undefined; i++) {
    holderPid = holderOf(holder.pid!);
    if (holderPid === undefined) await new Promise((r) => setTimeout(r, 5));
  }
  if (holderPid === undefined) {
    holder.kill('SIGKILL');
    throw new SandboxError({ key: 'host_lost' }, undefined, log);
  }
  holder.unref();
  (holder.stdin as unknown as { unref?: () => void }).unref?.();
  (holder.stdout as unknown as { unref?: () => void }).unref?.();
  (holder.stderr as unknown as { unref?: () => void }).unref?.();

  const env = sandboxEnv();
  const pid = holderPid;
  const enter = (argv: readonly string[], o?: RunOptions): Promise<RunResult> => {
    if (dead) return Promise.reject(new SandboxError({ key: 'host_ended' }));
    return runLimited({ argv: enterArgv(user.dropPrefix, pid, argv), env, cwd: '/', oomScoreAdj: LIMITS.oomScoreAdj }, o);
  };
  const exec = async (argv: readonly string[], o?: RunOptions): Promise<RunResult> => {
    const r = await enter(argv, o);
    if (!sandboxFull(r)) return r;
    killAllBut(pid);
    const again = await enter(argv, o);
    return { ...again, stderr: fullNote() + again.stderr };
  };

  const probe = async (mode: string) =>
    (
      await exec(['unshare', '-n', 'ip', 'tunnel', 'add', 't0', 'mode', mode, 'remote', '192.0.2.1', 'local', '192.0.2.2'], {
        timeoutMs: 5000,
      })
    ).exitCode === 0;
  // The real tcpdump runs out here for the sandbox's `tcpdump` (tcpdumpShim.ts, tcpdumpRelay.ts).
  const [ipip, gre, relay] = await Promise.all([
    opts.ipip ?? probe('ipip'),
    probe('gre'),
    // without it the sandbox still works; its tcpdump says the relay is missing
    startTcpdumpRelay({ hostDir, dropPrefix: user.dropPrefix }).catch(() => ({ close() {} })),
  ]);
  const features: Features = { ipip, gre };
  const info: SandboxInfo = { backend: 'host', kernel: release(), hostUid: user.uid, features };
  opts.onPhase?.({ phase: 'ready' });

  return {
    info,
    hostDir,
    run: (commandLine, o) => exec(['bash', '-c', commandLine], o),
    async query(commands, o) {
      if (commands.length === 0) return [];
      const signal = o?.signal ? { signal: o.signal } : {};
      if (commands.length === 1) return [await exec(commands[0]!, { timeoutMs: o?.timeoutMs ?? 10_000, ...signal })];
      const boundary = newBoundary();
      const r = await exec(['bash', '-c', batchScript(commands, boundary)], {
        timeoutMs: o?.timeoutMs ?? 10_000,
        maxOutputBytes: 16 << 20,
        ...signal,
      });
      return parseBatch(r.stdout, commands.length, boundary, r.durationMs);
    },
    async close() {
      relay.close();
      if (!dead) {
        holder.ref(); // keep Node alive until the sandbox is really gone
        holder.stdin.end();
        const t = setTimeout(() => holder.kill('SIGKILL'), 2000);
        await exited;
        clearTimeout(t);
      }
      removeHostDir();
    },
  };
}
