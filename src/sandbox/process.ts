import { writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_MS, KILL_GRACE_MS } from './defaults.js';
import { OutputCollector } from './output.js';
import type { RunOptions, RunResult } from './types.js';

// Runs one host process with the limits every sandbox command gets: streamed output, a cap,
// a wall-clock limit and Ctrl-C. The process gets its own process group so a signal reaches
// everything it started (nsenter forks the real command into the sandbox's pid namespace).
export interface SpawnSpec {
  argv: readonly string[];
  env?: Record<string, string>;
  cwd?: string;
  /**
   * Written to the process's oom_score_adj as soon as it exists (raising it needs no privilege):
   * what it starts later inherits it. Best effort: a child forked before the write keeps the old value.
   */
  oomScoreAdj?: number;
}

/** How long output pipes may stay open after the command exited (background jobs still writing). */
const PIPE_LINGER_MS = 200;

export async function runLimited(spec: SpawnSpec, opts: RunOptions = {}): Promise<RunResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const [file, ...args] = spec.argv;
  const child = execa(file!, args, {
    env: spec.env,
    extendEnv: spec.env === undefined,
    cwd: spec.cwd,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    detached: true,
    stripFinalNewline: false,
  });

  if (spec.oomScoreAdj !== undefined && child.pid !== undefined) {
    try {
      writeFileSync(`/proc/${child.pid}/oom_score_adj`, String(spec.oomScoreAdj));
    } catch {
      /* already gone, or not Linux */
    }
  }

  let timedOut = false;
  let interrupted = false;
  const killTimers: NodeJS.Timeout[] = [];

  const signalGroup = (sig: NodeJS.Signals) => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  const interrupt = () => {
    signalGroup('SIGINT');
    killTimers.push(setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS));
  };

  const out = new OutputCollector(cap, opts.onOutput, () => signalGroup('SIGKILL'));
  child.stdout?.on('data', (b: Buffer) => out.push('stdout', b));
  child.stderr?.on('data', (b: Buffer) => out.push('stderr', b));

  const timer = setTimeout(() => {
    timedOut = true;
    interrupt();
  }, timeoutMs);
  const onAbort = () => {
    interrupted = true;
    interrupt();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  // A background process that left the group (setsid) may hold the output pipes open forever:
  // once the command itself has exited, what it printed so far is its output.
  let lingering: NodeJS.Timeout | undefined;
  child.once('exit', () => {
    lingering = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, PIPE_LINGER_MS);
  });
  const res = await child;
  clearTimeout(lingering);
  out.end();
  clearTimeout(timer);
  killTimers.forEach(clearTimeout);
  // A stopped command's background jobs ignore SIGINT (as in any non-interactive shell): the
  // rest of its group goes with it, so a fork bomb stops with the command that started it.
  if (timedOut || interrupted || out.truncated) signalGroup('SIGKILL');
  opts.signal?.removeEventListener('abort', onAbort);
  // A program that could not start at all (not installed) reads like a shell's "not found".
  if (res.failed && res.exitCode === undefined && !res.signal && !res.isTerminated) {
    const stderr = `${out.stderr}${res.shortMessage}\n`;
    return {
      exitCode: 127,
      signal: null,
      stdout: out.stdout,
      stderr,
      timedOut,
      truncated: out.truncated,
      interrupted,
      durationMs: performance.now() - started,
    };
  }
  return {
    exitCode: typeof res.exitCode === 'number' ? res.exitCode : null,
    signal: res.signal ?? null,
    stdout: out.stdout,
    stderr: out.stderr,
    timedOut,
    truncated: out.truncated,
    interrupted,
    durationMs: performance.now() - started,
  };
}
