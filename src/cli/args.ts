import { parseArgs } from 'node:util';
import leven from 'leven';
import { tcli, type CliMessageKey } from '../i18n/cliMessages.js';
import { isLang, type Lang } from '../i18n/lang.js';
import type { Params } from '../i18n/translate.js';
import type { BackendChoice } from '../sandbox/factory.js';
import { UsageError } from '../engine/errors.js';

// Flag parsing only: no side effects, so it is unit-testable and every command sees the same
// options. Messages come in the language of the run (`lang`, known before parsing).
export const SUBCOMMANDS = ['start', 'play', 'classroom', 'lessons', 'lint', 'doctor', 'progress', 'reset', 'help'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export interface CliOptions {
  command: Subcommand;
  positionals: string[];
  help: boolean;
  /** `help COMMAND`, or the command given `--help` */
  helpTopic?: Subcommand;
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
  /** the classroom to report to (a join URL) */
  join?: string;
  name?: string;
  private: boolean;
  /** classroom: the interface and port to listen on, its state directory, its title */
  host?: string;
  port?: number;
  state?: string;
  title?: string;
  /** classroom --lab: the browser lab, its maximum of sandboxes and its idle time (minutes) */
  lab: boolean;
  labMax?: number;
  labIdle?: number;
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
  join: { type: 'string' },
  name: { type: 'string' },
  private: { type: 'boolean' },
  host: { type: 'string' },
  port: { type: 'string' },
  state: { type: 'string' },
  title: { type: 'string' },
  lab: { type: 'boolean' },
  'lab-max': { type: 'string' },
  'lab-idle': { type: 'string' },
} as const;
type Flag = keyof typeof spec;

/** Which flags each subcommand accepts, beyond the global ones. */
const allowed: Record<Subcommand, Flag[]> = {
  start: ['backend', 'unlock-all', 'join', 'name', 'private'],
  play: ['backend', 'auto', 'commands', 'from', 'to', 'pace', 'echo', 'join', 'name', 'private'],
  classroom: ['host', 'port', 'state', 'title', 'lab', 'lab-max', 'lab-idle', 'backend'],
  lessons: ['json'],
  lint: ['run', 'backend', 'json'],
  doctor: ['fix', 'json'],
  progress: ['json'],
  reset: ['lesson'],
  help: [],
};
const globalFlags: Flag[] = ['help', 'version', 'lang', 'lessons', 'no-color'];

/** The closest of `candidates` to a mistyped word, when it is close enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = leven(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  const room = best === undefined ? 0 : best.length <= 3 ? 1 : Math.max(2, Math.floor(best.length / 3));
  return best !== undefined && bestD <= room ? best : undefined;
}

/** Just `--lang` (or `--lang=`), before anything is checked: usage errors are worded in it. */
export function langInArgv(argv: readonly string[]): Lang | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    const v = a === '--lang' ? argv[i + 1] : a.startsWith('--lang=') ? a.slice(7) : undefined;
    if (isLang(v)) return v;
  }
  return undefined;
}

export function parseCli(argv: string[], lang: Lang = 'en'): CliOptions {
  let command: Subcommand = 'start';
  const fail = (key: CliMessageKey, params: Params, suggestion?: string): never => {
    const message = tcli(lang, key, params);
    const about = command !== 'start' && command !== 'help' ? command : undefined;
    throw new UsageError(suggestion ? tcli(lang, 'err_did_you_mean', { message, suggestion }) : message, about);
  };
  // Unknown options and missing values are ours to word (and to suggest a spelling for).
  const { values: v, positionals, tokens } = parseArgs({ args: argv, options: spec, allowPositionals: true, strict: false, tokens: true });
  const first = positionals[0];
  if (first !== undefined) {
    if (!(SUBCOMMANDS as readonly string[]).includes(first)) fail('err_unknown_command', { name: first }, closest(first, SUBCOMMANDS));
    command = first as Subcommand;
    positionals.shift();
  }
  const names = Object.keys(spec) as Flag[];
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const shown = t.rawName;
    if (!(t.name in spec)) {
      const near = t.rawName.startsWith('--') ? closest(t.name, names) : undefined;
      fail('err_unknown_option', { option: shown }, near && `--${near}`);
    }
    const s = spec[t.name as Flag];
    if (s.type === 'string' && t.value === undefined) fail('err_option_needs_value', { option: shown });
    if (s.type === 'boolean' && t.inlineValue) fail('err_option_takes_no_value', { option: shown });
    if (!globalFlags.includes(t.name as Flag) && !allowed[command].includes(t.name as Flag)) {
      const owners = (Object.keys(allowed) as Subcommand[]).filter((c) => allowed[c].includes(t.name as Flag));
      fail('err_option_not_for', { option: shown, command }, owners.length === 1 ? `ipip-tutor ${owners[0]} ${shown}` : undefined);
    }
  }
  const str = (k: Flag) => v[k] as string | undefined;
  const bool = (k: Flag) => (v[k] as boolean | undefined) ?? false;
  const oneOf = <T extends string>(option: string, value: string, choices: readonly T[]): T => {
    if (!(choices as readonly string[]).includes(value))
      fail('err_bad_value', { option, allowed: choices.join(', '), value }, closest(value, choices));
    return value as T;
  };
  const langV = str('lang');
  if (langV !== undefined) oneOf('--lang', langV, ['en', 'zh']);
  const backend = oneOf('--backend', str('backend') ?? 'auto', ['auto', 'host', 'uml'] as const);
  const pace = oneOf('--pace', str('pace') ?? 'fast', ['fast', 'human'] as const);

  let helpTopic: Subcommand | undefined;
  if (command === 'help') {
    const topic = positionals.shift();
    if (topic !== undefined)
      helpTopic = oneOf(
        'help',
        topic,
        SUBCOMMANDS.filter((c) => c !== 'help'),
      );
  } else if (bool('help')) helpTopic = first !== undefined ? command : undefined;
  const help = command === 'help' || bool('help');

  if (command === 'play' && !help && bool('auto') === (str('commands') !== undefined)) fail('err_play_mode', {});
  const portV = str('port');
  if (portV !== undefined && !/^\d{1,5}$/.test(portV)) fail('err_bad_port', { value: portV });
  const port = portV === undefined ? undefined : Number(portV);
  if (port !== undefined && port > 65535) fail('err_bad_port', { value: portV! });
  const count = (flag: 'lab-max' | 'lab-idle', max: number) => {
    const v = str(flag);
    if (v === undefined) return undefined;
    if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > max) fail('err_bad_count', { flag: `--${flag}`, value: v, max });
    return Number(v);
  };
  const labMax = count('lab-max', 1000);
  const labIdle = count('lab-idle', 1440);
  if ((labMax !== undefined || labIdle !== undefined) && !bool('lab')) fail('err_lab_flags_need_lab', {});
  const join = str('join');
  if (join !== undefined && !/^https?:\/\/[^/]+\/join\/[A-Za-z0-9_-]{8,64}\/?$/.test(join)) fail('err_bad_join', { value: join });
  if (bool('private') && join === undefined) fail('err_private_needs_join', {});
  const name = str('name');
  if (name !== undefined && (name.trim() === '' || name.length > 40)) fail('err_bad_name', {});
  const maxPositionals = command === 'lint' ? 1 : 0;
  if (positionals.length > maxPositionals) fail('err_unexpected_argument', { value: positionals[maxPositionals]! });
  return {
    command,
    positionals,
    help,
    ...(helpTopic ? { helpTopic } : {}),
    version: bool('version'),
    lang: langV as Lang | undefined,
    lessonsDir: str('lessons'),
    backend,
    auto: bool('auto'),
    commands: str('commands'),
    from: str('from'),
    to: str('to'),
    pace,
    json: bool('json'),
    run: bool('run'),
    fix: bool('fix'),
    lesson: str('lesson'),
    unlockAll: bool('unlock-all'),
    noColor: bool('no-color'),
    echo: bool('echo'),
    ...(join !== undefined ? { join } : {}),
    ...(name !== undefined ? { name: name.trim() } : {}),
    private: bool('private'),
    ...(str('host') !== undefined ? { host: str('host') } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(str('state') !== undefined ? { state: str('state') } : {}),
    ...(str('title') !== undefined ? { title: str('title') } : {}),
    lab: bool('lab'),
    ...(labMax !== undefined ? { labMax } : {}),
    ...(labIdle !== undefined ? { labIdle } : {}),
  };
}

/** The help text for a command (the main help when none). */
export function helpText(lang: Lang, topic?: Subcommand): string {
  return tcli(lang, topic ? (`help_${topic}` as CliMessageKey) : 'help_main');
}
