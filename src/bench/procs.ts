import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';

// Spawned measurements: wall time of a whole process (Node start included), its peak memory,
// and the time until a text appears on a pseudo-terminal.

export interface SpawnResult {
  wallMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** peak RSS in KiB of the largest process of the tree (GNU time), or of the root process (polled VmHWM) */
  peakRssKiB: number | null;
  timedOut: boolean;
}

const GNU_TIME = '/usr/bin/time';

function hasGnuTime(): boolean {
  if (!existsSync(GNU_TIME)) return false;
  const r = spawnSync(GNU_TIME, ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr);
}

export function vmHwmKiB(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Every pid below `root` (from /proc). */
export function descendantPids(root: number): number[] {
  const parent = new Map<number, number>();
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      parent.set(Number(n), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    for (const [c, pp] of parent)
      if (pp === p) {
        out.push(c);
        stack.push(c);
      }
  }
  return out;
}

/** Run to completion, timing from spawn to exit. Measures peak RSS with GNU time when present. */
export function runMeasured(argv: string[], o: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<SpawnResult> {
  const gnu = hasGnuTime();
  const full = gnu ? [GNU_TIME, '-v', ...argv] : argv;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(full[0]!, full.slice(1), {
      env: o.env ?? process.env,
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let hwm = 0;
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const poll = gnu
      ? null
      : setInterval(() => {
          const v = vmHwmKiB(child.pid!);
          if (v !== null) hwm = Math.max(hwm, v);
        }, 20);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, o.timeoutMs ?? 300_000);
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      let peak: number | null = hwm || null;
      if (gnu) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
        peak = m ? Number(m[1]) : null;
        const cut = stderr.indexOf('\tCommand being timed:');
        if (cut >= 0) stderr = stderr.slice(0, cut);
        const st = /Exit status: (\d+)/.exec(stderr) ?? /Command exited with non-zero status (\d+)/.exec(stderr);
        if (st && code === 0) code = Number(st[1]);
      }
      resolve({ wallMs, code, signal, stdout, stderr, peakRssKiB: peak, timedOut });
    });
  });
}

/**
 * Start `command` under a pseudo-terminal (util-linux `script`) of cols x rows and return the
 * milliseconds from spawn until `needle` appears in the rendered output; then end it.
 */
export async function timeToText(
  command: string,
  needle: string,
  o: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; cols?: number; rows?: number } = {},
): Promise<{ ms: number | null; output: string }> {
  const inner = `stty cols ${o.cols ?? 100} rows ${o.rows ?? 30} 2>/dev/null; exec ${command}`;
  const child = spawn('script', ['-qfc', inner, '/dev/null'], {
    env: o.env ?? process.env,
    cwd: o.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const t0 = performance.now();
  let raw = '';
  const exited = new Promise<void>((r) => child.on('close', () => r()));
  const ms = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), o.timeoutMs ?? 30_000);
    const onData = (d: Buffer) => {
      raw += d.toString('utf8');
      if (stripVTControlCharacters(raw).includes(needle)) {
        clearTimeout(timer);
        resolve(performance.now() - t0);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
  // End it like closing the terminal: SIGHUP to the job, then SIGKILL if it lingers.
  const tree = [child.pid!, ...descendantPids(child.pid!)];
  try {
    process.kill(-child.pid!, 'SIGHUP');
  } catch {
    /* gone */
  }
  const t = setTimeout(() => {
    for (const p of tree) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }, 3000);
  await exited;
  clearTimeout(t);
  // the tutor's sandbox dies with it; give it a moment so the next measurement starts clean
  for (let i = 0; i < 100 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 30));
  return { ms, output: stripVTControlCharacters(raw) };
}

function alive(pid: number): boolean {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
