// The `uml` backend: a User-Mode Linux guest (a real Linux kernel running as an ordinary host
// process) whose root filesystem is the host's, read-only through hostfs. Typed commands run as
// guest root in the guest's own network stack, so the learner can load ipip and build tunnels
// even when the host kernel cannot. See docs in bootPlan.ts for the boot and agent.ts for the channel.

import { findExecutable } from '../probe.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants as fsc, promises as fsp, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';

import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS, KILL_GRACE_MS } from '../defaults.js';
import { resolveSandboxUser, type SandboxUser } from '../identity.js';
import { startReaper, type Reaper } from '../reaper.js';
import { cutNote } from '../process.js';
import { SHIMS } from '../shims.js';
import {
  SandboxError,
  type OutputStream,
  type RunOptions,
  type RunResult,
  type Sandbox,
  type SandboxInfo,
  type SandboxOptions,
} from '../types.js';
import { agentSource } from './agent.js';
import { batchCommand, parseBatchOutput, planQuery, type QueryPlan } from './ipBatch.js';
import {
  DEFAULT_UML_KERNEL,
  DEFAULT_UML_MEM_MIB,
  LineRing,
  PHASE_MARKER,
  UML_BOOT_TIMEOUT_MS,
  guestFiles,
  kernelArgs,
} from './bootPlan.js';

export const UML_INSTALL_FIX =
  'Install User-Mode Linux: `sudo apt-get install user-mode-linux` (Debian/Ubuntu), then run `ipip-tutor doctor`.';

type AgentMessage =
  | { t: 'ready'; kernel: string; canIpip: boolean }
  | { t: 'o'; id: number; s: 1 | 2; d: string }
  | { t: 'cap'; id: number; s: 1 | 2 }
  | { t: 'x'; id: number; code: number | null; sig: string | null }
  | { t: 'log'; msg: string }
  | { t: 'pong'; id: number };

interface Pending {
  id: number;
  started: number;
  out: Buffer[];
  err: Buffer[];
  bytes: number;
  max: number;
  truncated: boolean;
  timedOut: boolean;
  interrupted: boolean;
  decoders: Record<OutputStream, StringDecoder>;
  onOutput?: RunOptions['onOutput'];
  timers: NodeJS.Timeout[];
  cleanup: () => void;
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

/** /usr/lib/<triplet> directories holding the host's shared libraries (kept off the overlay). */
export async function hostLibDirs(): Promise<string[]> {
  try {
    const names = await fsp.readdir('/usr/lib');
    const dirs: string[] = [];
    for (const n of names) {
      if (!/^[a-z0-9_]+-linux-gnu[a-z0-9_]*$/.test(n)) continue;
      const st = await fsp.lstat(path.join('/usr/lib', n));
      if (st.isDirectory()) dirs.push(path.join('/usr/lib', n));
    }
    return dirs;
  } catch {
    return [];
  }
}

async function resolveKernel(requested: string | undefined): Promise<string> {
  const name = requested ?? process.env.IPIP_TUTOR_UML_KERNEL ?? DEFAULT_UML_KERNEL;
  const found = await findExecutable(name);
  if (!found) {
    throw new SandboxError(`User-Mode Linux is not installed: \`${name}\` was not found on PATH.`, UML_INSTALL_FIX);
  }
  let st;
  try {
    st = statSync(found);
  } catch {
    throw new SandboxError(`The User-Mode Linux kernel \`${found}\` does not exist.`, UML_INSTALL_FIX);
  }
  try {
    await fsp.access(found, fsc.X_OK);
  } catch {
    throw new SandboxError(`The User-Mode Linux kernel \`${found}\` is not executable.`, UML_INSTALL_FIX);
  }
  if (!st.isFile()) throw new SandboxError(`The User-Mode Linux kernel \`${found}\` is not a file.`, UML_INSTALL_FIX);
  return path.resolve(found);
}

export class UmlSandbox implements Sandbox {
  info!: SandboxInfo;
  private readonly ring = new LineRing(30);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private dead: SandboxError | null = null;
  private closed = false;
  private exited: Promise<void>;
  private lineBuf = '';
  private readyWaiter: { resolve: (m: { kernel: string; canIpip: boolean }) => void; reject: (e: Error) => void } | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly bootDir: string,
    private readonly reaper: Reaper,
    private readonly user: SandboxUser,
    private readonly kernelPath: string,
    private readonly nodePath: string,
    private readonly onPhase: SandboxOptions['onPhase'],
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Host pid of the kernel process (leader of the process group that holds the whole guest). */
  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The last kernel console lines (for diagnostics). */
  consoleTail(): string {
    return this.ring.text();
  }

  static async boot(opts: SandboxOptions): Promise<UmlSandbox> {
    const phase = (p: string, detail?: string) => opts.onPhase?.(detail ? { phase: p, detail } : { phase: p });
    phase('checking kernel');
    const kernel = await resolveKernel(opts.umlKernel);
    const user = resolveSandboxUser();
    const bootDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ipip-tutor-uml-'));
    if (/\s/.test(bootDir)) {
      await fsp.rm(bootDir, { recursive: true, force: true });
      throw new SandboxError(`The temporary directory ${bootDir} contains spaces.`, 'Set TMPDIR to a path without spaces.');
    }
    const umid = `ipip-tutor-${process.pid}-${randomBytes(3).toString('hex')}`;
    const plan = { bootDir, nodePath: process.execPath, memMiB: opts.umlMemMiB ?? DEFAULT_UML_MEM_MIB, umid };
    try {
      const files: Record<string, string> = { ...guestFiles(plan, await hostLibDirs()), 'agent.cjs': agentSource(SHIMS) };
      for (const [name, text] of Object.entries(files)) {
        await fsp.writeFile(path.join(bootDir, name), text, { mode: name === 'init.sh' ? 0o755 : 0o644 });
      }
      await fsp.mkdir(path.join(bootDir, 'uml'), { mode: 0o700 });
      if (user.dropPrefix.length > 0) {
        for (const p of ['', 'uml', ...Object.keys(files)]) await fsp.chown(path.join(bootDir, p), user.uid, user.gid);
      }
    } catch (e) {
      await fsp.rm(bootDir, { recursive: true, force: true });
      throw new SandboxError(`Could not prepare the UML boot directory: ${(e as Error).message}`);
    }

    phase('starting kernel');
    const argv = [...user.dropPrefix, kernel, ...kernelArgs(plan)];
    let child: ChildProcess;
    try {
      child = spawn(argv[0]!, argv.slice(1), {
        detached: true, // own process group: the reaper kills the kernel and every guest address-space process at once
        stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
        cwd: bootDir,
        env: {
          PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
          HOME: bootDir, // nothing may land in the real ~/.uml
          // No TMPDIR: UML then maps its memory from an unnamed (O_TMPFILE) file in /dev/shm.
          LANG: 'C.UTF-8',
        },
      });
    } catch (e) {
      await fsp.rm(bootDir, { recursive: true, force: true });
      throw new SandboxError(`Could not start ${kernel}: ${(e as Error).message}`, UML_INSTALL_FIX);
    }
    const reaper = startReaper({ processGroups: child.pid ? [child.pid] : [], paths: [bootDir] });
    const sb = new UmlSandbox(child, bootDir, reaper, user, kernel, plan.nodePath, opts.onPhase);
    sb.wire();
    try {
      const ready = await sb.waitReady(UML_BOOT_TIMEOUT_MS);
      sb.info = { backend: 'uml', kernel: ready.kernel, hostUid: user.uid, canIpip: ready.canIpip };
    } catch (e) {
      await sb.close();
      throw e;
    }
    phase('ready');
    return sb;
  }

  private wire(): void {
    const { child } = this;
    const debug = process.env.IPIP_TUTOR_UML_DEBUG === '1';
    const onConsole = (chunk: string) => {
      if (debug) process.stderr.write(chunk);
      for (const line of this.ring.push(chunk)) {
        const i = line.indexOf(PHASE_MARKER);
        if (i >= 0) this.onPhase?.({ phase: line.slice(i + PHASE_MARKER.length).trim() });
      }
    };
    child.stdout?.setEncoding('utf8').on('data', onConsole);
    child.stderr?.setEncoding('utf8').on('data', onConsole);
    const fromGuest = child.stdio[4] as Readable;
    fromGuest.setEncoding('utf8');
    fromGuest.on('data', (chunk: string) => this.onChannel(chunk));
    fromGuest.on('error', () => {});
    (child.stdio[3] as Writable).on('error', () => {});
    child.on('error', (e) => this.die(`Could not run the User-Mode Linux kernel ${this.kernelPath}: ${e.message}`));
    child.on('exit', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      this.die(
        this.readyWaiter
          ? `The User-Mode Linux kernel (${this.kernelPath}) ${how} before the sandbox was ready.`
          : `The UML sandbox died: its kernel ${how}.`,
      );
    });
  }

  private waitReady(timeoutMs: number): Promise<{ kernel: string; canIpip: boolean }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.readyWaiter = null;
        reject(
          new SandboxError(
            `The UML sandbox did not become ready within ${Math.round(timeoutMs / 1000)} s.`,
            'The machine may be overloaded; try again. If it keeps happening, run `ipip-tutor doctor`.',
            this.ring.text(),
          ),
        );
      }, timeoutMs);
      this.readyWaiter = {
        resolve: (m) => {
          clearTimeout(timer);
          this.readyWaiter = null;
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          this.readyWaiter = null;
          reject(e);
        },
      };
    });
  }

  /** Mark the sandbox dead: fail boot or every pending command, and every later call. */
  private die(message: string): void {
    if (this.dead) return;
    const log = this.ring.text();
    let fix = this.closed
      ? undefined
      : this.readyWaiter
        ? `Check that ${this.kernelPath} is the User-Mode Linux kernel. ${UML_INSTALL_FIX}`
        : 'Restart the tutor to get a fresh sandbox. If it keeps happening, run `ipip-tutor doctor`.';
    if (this.readyWaiter && log.includes(this.nodePath) && /Permission denied|not found|No such file/.test(log)) {
      // The guest runs the host's node binary through hostfs, as the sandbox user.
      message = `The UML guest could not start Node.js (${this.nodePath}) as ${this.user.describe}.`;
      fix =
        'Install Node.js where every user can read it (e.g. /usr/bin/node or /usr/local/bin/node), or run the tutor as your own user rather than root.';
    }
    const err = new SandboxError(this.closed ? 'The UML sandbox was closed.' : message, fix, log);
    this.dead = err;
    this.readyWaiter?.reject(err);
    for (const p of [...this.pending.values()]) {
      p.cleanup();
      p.reject(err);
    }
    this.pending.clear();
  }

  private onChannel(chunk: string): void {
    this.lineBuf += chunk;
    let i: number;
    while ((i = this.lineBuf.indexOf('\n')) >= 0) {
      const line = this.lineBuf.slice(0, i).trim();
      this.lineBuf = this.lineBuf.slice(i + 1);
      if (!line) continue;
      let m: AgentMessage;
      try {
        m = JSON.parse(line) as AgentMessage;
      } catch {
        this.ring.push(`[agent] ${line}\n`);
        continue;
      }
      this.onMessage(m);
    }
  }

  private onMessage(m: AgentMessage): void {
    switch (m.t) {
      case 'ready':
        this.readyWaiter?.resolve({ kernel: m.kernel, canIpip: m.canIpip });
        return;
      case 'log':
        this.ring.push(`[agent] ${m.msg}\n`);
        return;
      case 'pong':
        return;
      case 'o': {
        const p = this.pending.get(m.id);
        if (!p || p.truncated) return;
        const stream: OutputStream = m.s === 2 ? 'stderr' : 'stdout';
        let buf = Buffer.from(m.d, 'base64');
        const over = p.bytes + buf.length > p.max;
        if (over) buf = buf.subarray(0, Math.max(0, p.max - p.bytes));
        p.bytes += buf.length;
        (stream === 'stdout' ? p.out : p.err).push(buf);
        if (p.onOutput && buf.length) {
          const text = p.decoders[stream].write(buf);
          if (text) p.onOutput(text, stream);
        }
        if (over) this.truncate(p, stream); // the agent enforces the cap too; this is a guard
        return;
      }
      case 'cap': {
        const p = this.pending.get(m.id);
        if (p) this.truncate(p, m.s === 2 ? 'stderr' : 'stdout');
        return;
      }
      case 'x': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.cleanup();
        if (p.onOutput) {
          for (const s of ['stdout', 'stderr'] as const) {
            const rest = p.decoders[s].end();
            if (rest) p.onOutput(rest, s);
          }
        }
        p.resolve({
          exitCode: m.sig ? null : m.code,
          signal: m.sig,
          stdout: Buffer.concat(p.out).toString('utf8'),
          stderr: Buffer.concat(p.err).toString('utf8'),
          timedOut: p.timedOut,
          truncated: p.truncated,
          interrupted: p.interrupted,
          durationMs: Date.now() - p.started,
        });
        return;
      }
    }
  }

  /** The output cap was hit: kill the command and say so at the end of its output (as the host backend does). */
  private truncate(p: Pending, stream: OutputStream): void {
    if (p.truncated) return;
    p.truncated = true;
    this.send({ t: 'sig', id: p.id, sig: 'SIGKILL' });
    const note = cutNote(p.max);
    (stream === 'stdout' ? p.out : p.err).push(Buffer.from(note));
    const text = p.decoders[stream].end() + note;
    p.onOutput?.(text, stream);
  }

  private send(obj: object): void {
    const w = this.child.stdio[3] as Writable | null;
    if (!w || w.destroyed) return;
    // ASCII-only JSON: the guest tty sees plain bytes, never a split multi-byte character.
    w.write(JSON.stringify(obj).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n');
  }

  private exec(
    cmd: { sh: string } | { argv: readonly string[]; input?: string; merge?: boolean },
    opts: RunOptions = {},
  ): Promise<RunResult> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<RunResult>((resolve, reject) => {
      const p: Pending = {
        id,
        started: Date.now(),
        out: [],
        err: [],
        bytes: 0,
        max,
        truncated: false,
        timedOut: false,
        interrupted: false,
        decoders: { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') },
        onOutput: opts.onOutput,
        timers: [],
        cleanup: () => {},
        resolve,
        reject,
      };
      const stop = () => {
        this.send({ t: 'sig', id, sig: 'SIGINT' });
        const t = setTimeout(() => this.send({ t: 'sig', id, sig: 'SIGKILL' }), KILL_GRACE_MS);
        p.timers.push(t);
      };
      const onAbort = () => {
        if (p.interrupted || p.timedOut) return;
        p.interrupted = true;
        stop();
      };
      p.timers.push(
        setTimeout(() => {
          if (p.interrupted || p.timedOut) return;
          p.timedOut = true;
          stop();
        }, timeoutMs),
      );
      p.cleanup = () => {
        for (const t of p.timers) clearTimeout(t);
        opts.signal?.removeEventListener('abort', onAbort);
      };
      this.pending.set(id, p);
      this.send('sh' in cmd ? { t: 'run', id, sh: cmd.sh, max } : { t: 'run', id, max, ...cmd });
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  run(commandLine: string, opts?: RunOptions): Promise<RunResult> {
    return this.exec({ sh: commandLine }, opts);
  }

  async query(commands: readonly (readonly string[])[], opts: { timeoutMs?: number } = {}): Promise<RunResult[]> {
    // Every process start in UML costs tens of ms: `ip -j … show` queries sharing their options
    // run as one `ip -batch` process; everything else goes to the agent at once and runs in parallel.
    const plan = planQuery(commands);
    const results: RunResult[] = new Array(commands.length);
    const one = async (i: number) => {
      results[i] = await this.exec({ argv: commands[i]! }, { timeoutMs: opts.timeoutMs });
    };
    const batch = async (b: QueryPlan['batches'][number]) => {
      const { argv, input } = batchCommand(
        b.globals,
        b.indices.map((i) => commands[i]!),
      );
      const r = await this.exec({ argv, input, merge: true }, { timeoutMs: opts.timeoutMs });
      const parts = r.timedOut || r.truncated ? null : parseBatchOutput(r.stdout, b.indices.length);
      if (!parts) {
        await Promise.all(b.indices.map(one)); // could not split it: one process per command
        return;
      }
      b.indices.forEach((i, k) => {
        results[i] = { ...parts[k]!, signal: null, timedOut: false, truncated: false, interrupted: false, durationMs: r.durationMs };
      });
    };
    await Promise.all([...plan.batches.map(batch), ...plan.singles.map(one)]);
    return results;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.die('The UML sandbox was closed.');
    const pid = this.child.pid;
    if (pid && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.exited, new Promise((r) => (timer = setTimeout(r, 3000)))]);
      clearTimeout(timer); // a pending timer would keep Node alive 3 s after every close
    }
    // Guest address-space processes are in the same group; make sure none outlives the kernel.
    if (pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* none left */
      }
    }
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdio[3], this.child.stdio[4]]) {
      (s as Readable | Writable | null)?.destroy();
    }
    rmSync(this.bootDir, { recursive: true, force: true });
    this.reaper.release();
  }
}

/** Boot a UML guest and return a ready sandbox. Throws SandboxError with a fix when it cannot. */
export function createUmlSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return UmlSandbox.boot(opts);
}
