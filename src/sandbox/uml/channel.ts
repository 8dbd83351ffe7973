import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS, KILL_GRACE_MS } from '../defaults.js';
import { OutputCollector } from '../output.js';
import type { Features, OutputStream, RunOptions, RunResult } from '../types.js';
import { encodeHostMessage, type GuestMessage, type HostMessage } from './protocol.js';

// The host end of the agent's serial line: one pending entry per running command, output
// accounted with the same collector as host processes, limits (timeout, Ctrl-C) turned into
// signals sent to the guest.
export type AgentCommand =
  | { sh: string }
  | { argv: readonly string[]; input?: string; merge?: boolean }
  /** a file read by the agent itself (no process), see protocol.ts */
  | { read: string; ns?: string };

export interface Ready {
  kernel: string;
  features: Features;
}

interface Pending {
  started: number;
  out: OutputCollector;
  timedOut: boolean;
  interrupted: boolean;
  cleanup: () => void;
  resolve: (r: RunResult) => void;
  reject: (e: Error) => void;
}

export class AgentChannel {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lineBuf = '';
  private failure: Error | null = null;
  private readyWaiter: { resolve: (r: Ready) => void; reject: (e: Error) => void } | null = null;

  constructor(
    private readonly write: (line: string) => void,
    /** Lines that are not protocol (agent diagnostics), for the console log. */
    private readonly log: (line: string) => void,
  ) {}

  /** Resolves with the agent's hello; rejects when the channel fails first. */
  waitReady(): Promise<Ready> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.readyWaiter = { resolve, reject }));
  }

  get booting(): boolean {
    return this.readyWaiter !== null;
  }

  /** Fail boot, every pending command and every later call with this error. */
  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.readyWaiter?.reject(err);
    this.readyWaiter = null;
    for (const p of this.pending.values()) {
      p.cleanup();
      p.reject(err);
    }
    this.pending.clear();
  }

  /** Bytes from the guest. */
  onData(chunk: string): void {
    this.lineBuf += chunk;
    let i: number;
    while ((i = this.lineBuf.indexOf('\n')) >= 0) {
      const line = this.lineBuf.slice(0, i).trim();
      this.lineBuf = this.lineBuf.slice(i + 1);
      if (!line) continue;
      let m: GuestMessage;
      try {
        m = JSON.parse(line) as GuestMessage;
      } catch {
        this.log(`[agent] ${line}`);
        continue;
      }
      this.onMessage(m);
    }
  }

  private onMessage(m: GuestMessage): void {
    switch (m.t) {
      case 'ready':
        this.readyWaiter?.resolve({ kernel: m.kernel, features: m.features });
        this.readyWaiter = null;
        return;
      case 'log':
        this.log(`[agent] ${m.msg}`);
        return;
      case 'pong':
        return;
      case 'o':
        this.pending.get(m.id)?.out.push(stream(m.s), Buffer.from(m.d, 'base64'));
        return;
      case 'cap':
        this.pending.get(m.id)?.out.capped(stream(m.s));
        return;
      case 'x': {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        p.cleanup();
        p.out.end();
        p.resolve({
          exitCode: m.sig ? null : m.code,
          signal: m.sig,
          stdout: p.out.stdout,
          stderr: p.out.stderr,
          timedOut: p.timedOut,
          truncated: p.out.truncated,
          interrupted: p.interrupted,
          durationMs: Date.now() - p.started,
        });
        return;
      }
    }
  }

  private send(m: HostMessage): void {
    this.write(encodeHostMessage(m));
  }

  exec(cmd: AgentCommand, opts: RunOptions = {}): Promise<RunResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise<RunResult>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const p: Pending = {
        started: Date.now(),
        // The agent enforces the cap too; reaching it here is a guard that also stops the command.
        out: new OutputCollector(max, opts.onOutput, () => this.send({ t: 'sig', id, sig: 'SIGKILL' })),
        timedOut: false,
        interrupted: false,
        cleanup: () => {
          for (const t of timers) clearTimeout(t);
          opts.signal?.removeEventListener('abort', onAbort);
        },
        resolve,
        reject,
      };
      const stop = () => {
        this.send({ t: 'sig', id, sig: 'SIGINT' });
        timers.push(setTimeout(() => this.send({ t: 'sig', id, sig: 'SIGKILL' }), KILL_GRACE_MS));
      };
      const onAbort = () => {
        if (p.interrupted || p.timedOut) return;
        p.interrupted = true;
        stop();
      };
      timers.push(
        setTimeout(() => {
          if (p.interrupted || p.timedOut) return;
          p.timedOut = true;
          stop();
        }, timeoutMs),
      );
      this.pending.set(id, p);
      this.send(
        'sh' in cmd
          ? { t: 'run', id, sh: cmd.sh, max }
          : 'read' in cmd
            ? { t: 'read', id, path: cmd.read, max, ...(cmd.ns !== undefined ? { ns: cmd.ns } : {}) }
            : { t: 'run', id, max, ...cmd },
      );
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const stream = (s: 1 | 2): OutputStream => (s === 2 ? 'stderr' : 'stdout');
