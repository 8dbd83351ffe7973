import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessTracker, type ProcInfo } from './hostState.js';

// Runs the built CLI the way a learner does (`node dist/cli/main.js ...`) and watches it:
// its stdout lines, its exit, and (through ProcessTracker) every process it starts.

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** IPIP_EVIDENCE_ROOT points the tests at another build of the same tree (used while the tree does not compile). */
export const BUILD_ROOT = process.env.IPIP_EVIDENCE_ROOT ?? REPO;
export const CLI = join(BUILD_ROOT, 'dist', 'cli', 'main.js');
export const DIST = join(BUILD_ROOT, 'dist');

/** Fail loudly (never skip) when the build is missing. */
export function requireBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: run \`npm run build\` first (\`npm test\` does it).`);
}

export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Fail loudly when a tool the evidence needs is missing, with the package to install. */
export function requireTool(cmd: string, install: string): string {
  const p = which(cmd);
  if (!p) throw new Error(`\`${cmd}\` is not installed: ${install}`);
  return p;
}

export const requireUml = () =>
  requireTool('linux.uml', 'run `apt-get install user-mode-linux` (the uml backend and its evidence need it)');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TutorRun {
  child: ChildProcess;
  pid: number;
  lines: string[];
  stderr: () => string;
  stdout: () => string;
  exited: Promise<Exit>;
  exit: Exit | null;
  tracker: ProcessTracker;
  /** Private TMPDIR of this run: anything the tutor leaves behind in its temp dir shows up here. */
  tmp: string;
  waitLine(pred: (line: string, index: number) => boolean, timeoutMs?: number): Promise<string>;
  /** Wait until a process of the tutor's tree matches. */
  waitProcess(pred: (p: ProcInfo) => boolean, timeoutMs?: number): Promise<ProcInfo>;
  /** Remove the private TMPDIR (call after checking it). */
  dispose(): void;
}

export interface SpawnTutorOptions {
  env?: Record<string, string | undefined>;
  /** own process group, like a shell job: lets a test send SIGINT to the group as a terminal's Ctrl-C does */
  group?: boolean;
  /** wrapper argv placed before `node` (e.g. setpriv ...) */
  prefix?: string[];
  cwd?: string;
}

export function spawnTutor(args: string[], o: SpawnTutorOptions = {}): TutorRun {
  requireBuilt();
  const tmp = mkdtempSync(join(tmpdir(), 'evidence-tmp-'));
  chmodSync(tmp, 0o1777); // like /tmp: the uid the tutor drops to (nobody, tester) must reach its boot directory
  const env: Record<string, string> = {};
  // The user's own settings and progress must not leak into a test (a language chosen in a REPL once).
  // Beside TMPDIR, not in it: the kill tests prove the tutor leaves its TMPDIR empty.
  const xdg = mkdtempSync(join(tmpdir(), 'evidence-xdg-'));
  const own = { XDG_CONFIG_HOME: join(xdg, 'config'), XDG_STATE_HOME: join(xdg, 'state'), XDG_CACHE_HOME: join(xdg, 'cache') };
  for (const [k, v] of Object.entries({ ...process.env, TMPDIR: tmp, NO_COLOR: '1', ...own, ...o.env })) if (v !== undefined) env[k] = v;
  const argv = [...(o.prefix ?? []), process.execPath, CLI, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { env, cwd: o.cwd ?? REPO, stdio: ['ignore', 'pipe', 'pipe'], detached: o.group ?? false });
  const pid = child.pid!;
  // The UML kernel's umid carries the tutor's pid: a kernel outliving its tutor is still found.
  const tracker = new ProcessTracker(pid, [`umid=ipip-tutor-${pid}-`]).start();
  let out = '';
  let err = '';
  let partial = '';
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const poke = () => waiters.forEach((w) => w());
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    partial += d;
    let i: number;
    while ((i = partial.indexOf('\n')) >= 0) {
      lines.push(partial.slice(0, i));
      partial = partial.slice(i + 1);
    }
    poke();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    poke();
  });
  /** Resolve when `test` finds something in the output so far (re-tried on every output and at exit). */
  const waitOutput = <T>(test: () => { value: T } | null, timeoutMs: number, exitedMsg: () => string, timeoutMsg: () => string) =>
    new Promise<T>((res, rej) => {
      const check = () => {
        const hit = test();
        if (hit) return done(() => res(hit.value));
        if (run.exit) return done(() => rej(new Error(exitedMsg())));
      };
      const timer = setTimeout(() => done(() => rej(new Error(timeoutMsg()))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        f();
      };
      waiters.add(check);
      check();
    });
  const run: TutorRun = {
    child,
    pid,
    lines,
    stderr: () => err,
    stdout: () => out,
    exit: null,
    exited: new Promise<Exit>((res) =>
      child.on('exit', (code, signal) => {
        run.exit = { code, signal };
        tracker.sample();
        poke();
        res(run.exit);
      }),
    ),
    tracker,
    tmp,
    waitLine(pred, timeoutMs = 30_000) {
      return waitOutput(
        () => {
          const hit = lines.findIndex((l, i) => pred(l, i));
          return hit >= 0 ? { value: lines[hit]! } : null;
        },
        timeoutMs,
        () => `tutor exited (${JSON.stringify(run.exit)}) before the awaited line; stdout:\n${out}\nstderr:\n${err}`,
        () => `no awaited line within ${timeoutMs} ms; stdout so far:\n${out}\nstderr:\n${err}`,
      );
    },
    async waitProcess(pred, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        tracker.sample();
        const hit = [...tracker.seen.values()].find(pred);
        if (hit) return hit;
        if (run.exit) throw new Error(`tutor exited before the awaited process appeared; stdout:\n${out}\nstderr:\n${err}`);
        if (Date.now() > until) throw new Error(`awaited process did not appear within ${timeoutMs} ms; stdout:\n${out}`);
        await new Promise((r) => setTimeout(r, 3));
      }
    },
    dispose() {
      tracker.stop();
      rmSync(tmp, { recursive: true, force: true });
      rmSync(xdg, { recursive: true, force: true });
    },
  };
  return run;
}

/** Wait for exit; SIGKILL (and report) if it takes longer than `timeoutMs`. */
export async function waitExit(run: TutorRun, timeoutMs: number): Promise<{ exit: Exit; hung: boolean }> {
  const t = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs));
  const first = await Promise.race([run.exited, t]);
  if (first !== 'timeout') return { exit: first, hung: false };
  try {
    process.kill(run.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return { exit: await run.exited, hung: true };
}

export function listTmp(run: TutorRun): string[] {
  try {
    return readdirSync(run.tmp);
  } catch {
    return [];
  }
}

/** Run the CLI to completion (no kill) and collect its output. */
export async function runTutor(args: string[], o: SpawnTutorOptions & { timeoutMs?: number } = {}) {
  const run = spawnTutor(args, o);
  const { exit, hung } = await waitExit(run, o.timeoutMs ?? 120_000);
  return { run, exit, hung, stdout: run.stdout(), stderr: run.stderr() };
}
