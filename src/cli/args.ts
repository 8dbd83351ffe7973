import { parseArgs } from 'node:util';
import { isLang, type Lang } from '../i18n/lang.js';
import type { BackendChoice } from '../sandbox/factory.js';
import { UsageError } from '../engine/errors.js';

// Flag parsing only: no side effects, so it is unit-testable and every command sees the same options.
export const SUBCOMMANDS = ['start', 'play', 'lessons', 'lint', 'doctor', 'progress', 'reset'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export interface CliOptions {
  command: Subcommand;
  positionals: string[];
  help: boolean;
  version: boolean;
  lang?: Lang;
  lessonsDir?: string;
  backend: BackendChoice;
  auto: boolean;
  commands?: string;
  from?: string;
  to?: string;
  pace: 'fast' | 'human';
  json: boolean;
  run: boolean;
  fix: boolean;
  lesson?: string;
  unlockAll: boolean;
  noColor: boolean;
  echo: boolean;
}

const spec = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  lang: { type: 'string' },
  lessons: { type: 'string' },
  backend: { type: 'string', short: 'b' },
  auto: { type: 'boolean' },
  commands: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  pace: { type: 'string' },
  json: { type: 'boolean' },
  run: { type: 'boolean' },
  fix: { type: 'boolean' },
  lesson: { type: 'string' },
  'unlock-all': { type: 'boolean' },
  'no-color': { type: 'boolean' },
  echo: { type: 'boolean' },
} as const;

/** Which flags each subcommand accepts, beyond the global ones. */
const allowed: Record<Subcommand, string[]> = {
  start: ['backend', 'unlock-all'],
  play: ['backend', 'auto', 'commands', 'from', 'to', 'pace', 'echo'],
  lessons: ['json'],
  lint: ['run', 'backend', 'json'],
  doctor: ['fix', 'json'],
  progress: ['json'],
  reset: ['lesson'],
};
const globalFlags = ['help', 'version', 'lang', 'lessons', 'no-color'];

export function parseCli(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional.*$/s, ''));
  }
  const { values: v, positionals } = parsed;
  const first = positionals[0];
  let command: Subcommand = 'start';
  if (first !== undefined) {
    if (!(SUBCOMMANDS as readonly string[]).includes(first)) throw new UsageError(`unknown command "${first}"`);
    command = first as Subcommand;
    positionals.shift();
  }
  for (const flag of Object.keys(v)) {
    if (!globalFlags.includes(flag) && !allowed[command].includes(flag))
      throw new UsageError(`option --${flag} does not apply to "${command}"`);
  }
  if (v.lang !== undefined && !isLang(v.lang)) throw new UsageError(`--lang must be en or zh, not "${v.lang}"`);
  const backend = v.backend ?? 'auto';
  if (!['auto', 'host', 'uml'].includes(backend)) throw new UsageError(`--backend must be auto, host or uml, not "${backend}"`);
  const pace = v.pace ?? 'fast';
  if (pace !== 'fast' && pace !== 'human') throw new UsageError(`--pace must be fast or human, not "${pace}"`);
  if (command === 'play' && !v.help) {
    if (Boolean(v.auto) === (v.commands !== undefined)) throw new UsageError('play needs exactly one of --auto or --commands FILE');
  }
  const maxPositionals = command === 'lint' ? 1 : 0;
  if (positionals.length > maxPositionals) throw new UsageError(`unexpected argument "${positionals[maxPositionals]}"`);
  return {
    command,
    positionals,
    help: v.help ?? false,
    version: v.version ?? false,
    lang: v.lang as Lang | undefined,
    lessonsDir: v.lessons,
    backend: backend as BackendChoice,
    auto: v.auto ?? false,
    commands: v.commands,
    from: v.from,
    to: v.to,
    pace,
    json: v.json ?? false,
    run: v.run ?? false,
    fix: v.fix ?? false,
    lesson: v.lesson,
    unlockAll: v['unlock-all'] ?? false,
    noColor: v['no-color'] ?? false,
    echo: v.echo ?? false,
  };
}

export const HELP = `ipip-tutor — learn Linux IPIP tunnels by doing, in a sandbox with a real kernel

Usage:
  ipip-tutor [options]                 start the interactive tutor (resumes where you left off)
  ipip-tutor play --auto [options]     run every step's solution and its checks, one line per step
  ipip-tutor play --commands FILE      replay typed commands (one per line, - for stdin) as if typed
  ipip-tutor lessons [--json]          list lessons and steps with their ids
  ipip-tutor lint [DIR] [--run]        validate a course; --run also plays solutions and mistakes
  ipip-tutor doctor [--fix]            check this machine's requirements (--fix installs, as root)
  ipip-tutor progress [--json]         print your progress (for collecting in class)
  ipip-tutor reset [--lesson ID]       forget progress (all, or one lesson)

Options:
  -b, --backend auto|host|uml   where commands run (default auto: host if it can make an ipip
                                tunnel, else a User-Mode Linux kernel)
      --lang en|zh              language (default from LC_ALL/LC_MESSAGES/LANG, then remembered)
      --lessons DIR             run a custom course from DIR instead of the built-in one
      --unlock-all              open every step (workshops, review)
      --no-color                no colours (NO_COLOR is honoured too)
      --from ID, --to ID        play: first/last lesson (or lesson/step) to run
      --pace human              play --auto: type commands at a readable pace (projecting in class)
      --echo                    play --commands: print each command before running it
      --json                    lessons/progress/doctor/lint: machine-readable output
  -h, --help                    this help
  -V, --version                 version

Exit status: 0 success; 1 a step or check failed; 2 lesson file error; 3 sandbox error; 64 usage error.
The sandbox never changes the machine's own network; it vanishes when the tutor exits.
`;
