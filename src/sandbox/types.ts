// The one interface every sandbox backend implements. The engine, the checks, the REPL and
// `play` only ever talk to this, so a backend is swappable without touching them.

import type { Lang } from '../i18n/lang.js';
import { tsb, type SandboxMessageKey } from '../i18n/sandboxMessages.js';

export type BackendName = 'host' | 'uml';

export type OutputStream = 'stdout' | 'stderr';

export interface RunOptions {
  /** Called with each chunk while the command runs (streaming to the REPL). */
  onOutput?: (chunk: string, stream: OutputStream) => void;
  /** Aborting delivers SIGINT to the running command (the learner's Ctrl-C), then SIGKILL after a grace period. */
  signal?: AbortSignal;
  /** Wall-clock limit; past it the command is interrupted and `timedOut` is set. */
  timeoutMs?: number;
  /** Combined stdout+stderr cap; past it the command is killed and `truncated` is set. */
  maxOutputBytes?: number;
}

export interface QueryOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** A non-zero exit is data, never an exception. Exceptions mean the sandbox itself broke. */
export interface RunResult {
  exitCode: number | null;
  /** Signal name when the command was ended by a signal (e.g. 'SIGINT'). */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  truncated: boolean;
  interrupted: boolean;
  durationMs: number;
}

/** Kernel features a step can require (`requires:` in lesson.yaml). */
export const FEATURES = ['ipip', 'gre'] as const;
export type Feature = (typeof FEATURES)[number];
export type Features = Record<Feature, boolean>;
/** The module that provides each feature's tunnels (`gre` alone is only the helper ip_gre and pptp share). */
export const FEATURE_MODULE: Record<Feature, string> = { ipip: 'ipip', gre: 'ip_gre' };
/** The modules a list of missing features needs, for `modprobe`. */
export const modulesFor = (features: readonly Feature[]): string => features.map((f) => FEATURE_MODULE[f]).join(' ');

export interface SandboxInfo {
  backend: BackendName;
  /** Kernel release the commands run on (host kernel, or the UML guest's). */
  kernel: string;
  /** Host uid the sandbox's root maps to (never 0). */
  hostUid: number;
  /** Tunnel kinds the course needs that this kernel can make (module loadable, loaded or built in). */
  features: Features;
}

export interface Sandbox {
  readonly info: SandboxInfo;
  /**
   * Run a command line exactly as a learner typed it, through bash, in the sandbox's root
   * network namespace, as in-sandbox root. A leading `sudo` works (a shim strips it).
   */
  run(commandLine: string, opts?: RunOptions): Promise<RunResult>;
  /**
   * The engine's own state queries: run several argv commands (no shell), possibly in
   * parallel, and return their results in order. Backends batch these to keep checks fast.
   * Aborting `signal` interrupts them (a ping the state already dooms).
   */
  query(commands: readonly (readonly string[])[], opts?: QueryOptions): Promise<RunResult[]>;
  /** Tear everything down. Idempotent. The sandbox must also vanish if this process is killed. */
  close(): Promise<void>;
}

/** A sentence of the sandbox layer, said in the learner's language where it is shown. */
export interface Said {
  key: SandboxMessageKey;
  params?: Record<string, string | number | Said>;
}
export type SandboxText = string | Said;

/** A sandbox text in `lang`; a plain string (a tool's own words) stays as it is. */
export function say(lang: Lang, text: SandboxText): string {
  if (typeof text === 'string') return text;
  const params = Object.fromEntries(Object.entries(text.params ?? {}).map(([k, v]) => [k, typeof v === 'object' ? say(lang, v) : v]));
  return tsb(lang, text.key, params);
}

/** Thrown when a sandbox cannot be made or has died: something the learner must act on. */
export class SandboxError extends Error {
  /** What to do about it, shown under the message (English; `in(lang)` for the learner's language). */
  readonly fix?: string;
  constructor(
    private readonly said: SandboxText,
    private readonly fixSaid?: SandboxText,
    /** Last lines of a kernel or process log, for a failed boot. */
    readonly log?: string,
  ) {
    super(say('en', said));
    this.name = 'SandboxError';
    if (fixSaid !== undefined) this.fix = say('en', fixSaid);
  }

  /** The message and its fix in `lang`. */
  in(lang: Lang): { message: string; fix?: string } {
    return { message: say(lang, this.said), ...(this.fixSaid === undefined ? {} : { fix: say(lang, this.fixSaid) }) };
  }
}

export type BootPhase = { phase: string; detail?: string };

export interface SandboxOptions {
  /** Progress while booting (the REPL shows a spinner with it). */
  onPhase?: (p: BootPhase) => void;
  /** Override for tests: the kernel binary (uml) or extra environment. */
  umlKernel?: string;
  umlMemMiB?: number;
}
