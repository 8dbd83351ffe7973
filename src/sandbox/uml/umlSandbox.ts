// The `uml` backend: a User-Mode Linux guest (a real Linux kernel running as an ordinary host
// process) whose root filesystem is the host's, read-only through hostfs. Typed commands run as
// guest root in the guest's own network stack, so the learner can load ipip and build tunnels
// even when the host kernel cannot. The pieces: kernelLookup.ts finds the kernel, boot.ts starts
// it, channel.ts talks to the agent inside (guest/agent.c, protocol.ts), bootPlan.ts is the guest's init.
import type { ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { resolveSandboxUser, type SandboxUser } from '../identity.js';
import { startReaper, type Reaper } from '../reaper.js';
import {
  SandboxError,
  type SandboxText,
  type QueryOptions,
  type RunOptions,
  type RunResult,
  type Sandbox,
  type SandboxInfo,
  type SandboxOptions,
} from '../types.js';
import { prepareBootDir, spawnKernel } from './boot.js';
import { DEFAULT_UML_MEM_MIB, LineRing, PHASE_MARKER, UML_BOOT_TIMEOUT_MS } from './bootPlan.js';
import { AgentChannel } from './channel.js';
import { batchCommand, parseBatchOutput, planQuery, plainRoutes, type QueryPlan } from './ipBatch.js';
import { resolveKernel } from './kernelLookup.js';

export class UmlSandbox implements Sandbox {
  info!: SandboxInfo;
  private readonly ring = new LineRing(30);
  private readonly channel: AgentChannel;
  private closed = false;
  private dead = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly bootDir: string,
    private readonly reaper: Reaper,
    private readonly user: SandboxUser,
    private readonly kernelPath: string,
    private readonly agentPath: string,
    private readonly onPhase: SandboxOptions['onPhase'],
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const toGuest = child.stdio[3] as Writable;
    this.channel = new AgentChannel(
      (line) => {
        if (!toGuest.destroyed) toGuest.write(line);
      },
      (line) => this.ring.push(`${line}\n`),
    );
  }

  /**
   * Host pid of the kernel process (inside its boundary, below bwrap, which leads the process
   * group that holds the whole guest).
   */
  get pid(): number {
    const top = this.child.pid ?? -1;
    return kernelBelow(top, `umid=`) ?? top;
  }

  /** The last kernel console lines (for diagnostics). */
  consoleTail(): string {
    return this.ring.text();
  }

  static async boot(opts: SandboxOptions): Promise<UmlSandbox> {
    const phase = (p: string) => opts.onPhase?.({ phase: p });
    phase('checking kernel');
    const kernel = await resolveKernel(opts.umlKernel);
    const user = resolveSandboxUser();
    const plan = await prepareBootDir({ user, memMiB: opts.umlMemMiB ?? DEFAULT_UML_MEM_MIB });
    phase('starting kernel');
    const child = spawnKernel(kernel, plan, user);
    const reaper = startReaper({ processGroups: child.pid ? [child.pid] : [], paths: [plan.bootDir] });
    const sb = new UmlSandbox(child, plan.bootDir, reaper, user, kernel, plan.agentPath, opts.onPhase);
    sb.wire();
    try {
      const ready = await sb.waitReady(UML_BOOT_TIMEOUT_MS);
      sb.info = { backend: 'uml', kernel: ready.kernel, hostUid: user.uid, features: ready.features };
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
    fromGuest.on('data', (chunk: string) => this.channel.onData(chunk));
    fromGuest.on('error', () => {});
    (child.stdio[3] as Writable).on('error', () => {});
    child.on('error', (e) => this.die({ key: 'uml_run_failed', params: { path: this.kernelPath, detail: e.message } }));
    child.on('exit', (code, signal) => {
      const path = this.kernelPath;
      if (this.channel.booting)
        this.die(
          signal
            ? { key: 'uml_exit_booting_signal', params: { path, signal } }
            : { key: 'uml_exit_booting_code', params: { path, code: String(code) } },
        );
      else this.die(signal ? { key: 'uml_died_signal', params: { signal } } : { key: 'uml_died_code', params: { code: String(code) } });
    });
  }

  private async waitReady(timeoutMs: number) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SandboxError(
              { key: 'uml_not_ready', params: { seconds: Math.round(timeoutMs / 1000) } },
              { key: 'fix_overloaded' },
              this.ring.text(),
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.channel.waitReady(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Mark the sandbox dead: fail boot or every pending command, and every later call. */
  private die(message: SandboxText): void {
    if (this.dead) return;
    this.dead = true;
    const log = this.ring.text();
    const booting = this.channel.booting;
    let fix: SandboxText | undefined = this.closed
      ? undefined
      : booting
        ? { key: 'fix_check_kernel', params: { path: this.kernelPath } }
        : { key: 'fix_restart' };
    if (booting && log.includes(this.agentPath) && /Permission denied|not found|No such file/.test(log)) {
      // The guest runs the agent from the tutor's package through hostfs, as the sandbox user.
      message = { key: 'agent_unreadable', params: { path: this.agentPath, user: this.user.describe } };
      fix = { key: 'fix_agent_unreadable' };
    }
    this.channel.fail(new SandboxError(this.closed ? { key: 'uml_closed' } : message, fix, log));
  }

  run(commandLine: string, opts?: RunOptions): Promise<RunResult> {
    return this.channel.exec({ sh: commandLine }, opts);
  }

  async query(commands: readonly (readonly string[])[], opts: QueryOptions = {}): Promise<RunResult[]> {
    // Every process start in UML costs tens of ms: `ip -j … show` queries sharing their options
    // run as one `ip -batch` process; everything else goes to the agent at once and runs in parallel.
    const plan = planQuery(commands);
    const results: RunResult[] = new Array(commands.length);
    const limits = { timeoutMs: opts.timeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) };
    const one = async (i: number) => {
      const file = agentRead(commands[i]!);
      results[i] = await this.channel.exec(file ?? { argv: commands[i]! }, limits);
    };
    const batch = async (b: QueryPlan['batches'][number]) => {
      const { argv, input } = batchCommand(
        b.globals,
        b.indices.map((i) => commands[i]!),
      );
      const r = await this.channel.exec({ argv, input, merge: true }, limits);
      const parts = r.timedOut || r.truncated ? null : parseBatchOutput(r.stdout, b.indices.length);
      if (!parts) {
        await Promise.all(b.indices.map(one)); // could not split it: one process per command
        return;
      }
      const plain = parts.map((part, k) =>
        b.plain?.includes(b.indices[k]!) && part.exitCode === 0 ? plainRoutes(part.stdout) : part.stdout,
      );
      if (plain.some((p) => p === null)) {
        await Promise.all(b.indices.map(one));
        return;
      }
      b.indices.forEach((i, k) => {
        results[i] = {
          ...parts[k]!,
          stdout: plain[k]!,
          signal: null,
          timedOut: false,
          truncated: false,
          interrupted: false,
          durationMs: r.durationMs,
        };
      });
    };
    await Promise.all([...plan.batches.map(batch), ...plan.singles.map(one)]);
    return results;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.die({ key: 'uml_closed' });
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

/**
 * `cat FILE` and `ip netns exec NS cat FILE`, the state reads of checks (sysctls, counters): the
 * agent reads the file itself, in the namespace, instead of starting one or two processes.
 */
function agentRead(argv: readonly string[]): { read: string; ns?: string } | null {
  const plain = (a: readonly string[]) => a.length === 2 && a[0] === 'cat' && a[1]!.startsWith('/') && !a[1]!.startsWith('/-');
  if (plain(argv)) return { read: argv[1]! };
  if (
    argv.length === 6 &&
    argv[0] === 'ip' &&
    argv[1] === 'netns' &&
    argv[2] === 'exec' &&
    /^[\w.-]+$/.test(argv[3]!) &&
    plain(argv.slice(4))
  )
    return { read: argv[5]!, ns: argv[3]! };
  return null;
}

/** The first descendant of `pid` (depth-first, a few levels) whose command line contains `marker`. */
function kernelBelow(pid: number, marker: string, depth = 4): number | undefined {
  if (pid < 0 || depth < 0) return undefined;
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker) && !readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('bwrap'))
      return pid;
    for (const kid of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
      const hit = kernelBelow(Number(kid), marker, depth - 1);
      if (hit !== undefined) return hit;
    }
  } catch {
    /* gone */
  }
  return undefined;
}
