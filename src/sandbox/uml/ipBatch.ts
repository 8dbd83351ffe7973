// Batching of the engine's `ip -j` state queries. Every process start inside UML costs tens of
// milliseconds (a new host address space), so several `ip -j <object> show` queries run as ONE
// `ip -j -force -batch -` process. The commands are separated by sentinel lines that fail in ip's
// own parser with a recognisable message (`iptsepN` -> `Object "iptsepN" is unknown, ...`; a
// missing *device* would not do: the kernel would run modprobe twice looking for it), and the
// process writes stdout and stderr into one file so their order is kept. Pure functions here;
// umlSandbox.ts runs the plan and falls back to one process per command if parsing fails.

/** Global options that take no argument and keep `-j` output one JSON document per command. */
const FLAG_OPTIONS = new Set(['-j', '-json', '-d', '-details', '-s', '-stats', '-4', '-6']);
/** Objects whose show/list/get output honours -j (ip tunnel, for one, prints text regardless). */
const JSON_OBJECTS = new Set(['link', 'address', 'addr', 'a', 'route', 'r', 'ro', 'rule', 'neigh', 'neighbour', 'neighbor', 'netns']);
const READ_VERBS = new Set(['show', 'list', 'ls', 'lst', 'sh', 'get']);
const SAFE_TOKEN = /^[A-Za-z0-9_.:/@+%=-]+$/;

export const SEPARATOR_PREFIX = 'iptsep';

export interface QueryPlan {
  /** Groups of command indices that share the same global options and run as one batch. `plain`:
   *  route listings run with the group's `-s -d`, to be given back as without them (plainRoutes). */
  batches: { globals: string[]; indices: number[]; plain?: number[] }[];
  /** Indices run one process each. */
  singles: number[];
}

/** Split `ip [globals] object [args]` into its parts, or null when it is not a batchable query. */
function batchable(argv: readonly string[]): { globals: string[]; rest: string[] } | null {
  if (argv[0] !== 'ip' || argv.length < 2 || !argv.every((t) => SAFE_TOKEN.test(t))) return null;
  let i = 1;
  const globals: string[] = [];
  while (i < argv.length && argv[i]!.startsWith('-')) {
    // -n NS: the whole batch runs in that namespace
    if ((argv[i] === '-n' || argv[i] === '-netns') && i + 1 < argv.length && !argv[i + 1]!.startsWith('-')) {
      globals.push('-n', argv[i + 1]!);
      i += 2;
      continue;
    }
    if (!FLAG_OPTIONS.has(argv[i]!)) return null;
    globals.push(argv[i]!);
    i++;
  }
  if (!globals.includes('-j') && !globals.includes('-json')) return null;
  const rest = argv.slice(i);
  if (!rest.length || !JSON_OBJECTS.has(rest[0]!)) return null;
  if (rest.length > 1 && !READ_VERBS.has(rest[1]!)) return null;
  return { globals, rest };
}

export function planQuery(commands: readonly (readonly string[])[]): QueryPlan {
  const groups = new Map<string, { globals: string[]; indices: number[] }>();
  const singles: number[] = [];
  commands.forEach((argv, index) => {
    const b = batchable(argv);
    if (!b) {
      singles.push(index);
      return;
    }
    const key = b.globals.join(' ');
    const g = groups.get(key) ?? { globals: b.globals, indices: [] };
    g.indices.push(index);
    groups.set(key, g);
  });
  // Every process in UML costs tens of ms: a namespace's route listing joins its `-s -d` link
  // listing (-d only adds the defaults the plain listing leaves out, plainRoutes takes them off
  // again), and `netns list` (which -s -d do not change) joins the root namespace's.
  const plain = new Map<string, number[]>();
  for (const [key, g] of groups) {
    const joined = groups.get(`${key} -s -d`);
    if (!joined || joined === g) continue;
    const movable = g.indices.filter((i) => {
      const rest = batchable(commands[i]!)!.rest;
      return isRouteListing(rest) || (rest[0] === 'netns' && (rest[1] ?? 'list') === 'list' && !key.includes('-n '));
    });
    if (!movable.length) continue;
    joined.indices.push(...movable);
    const p = plain.get(`${key} -s -d`) ?? [];
    p.push(...movable.filter((i) => isRouteListing(batchable(commands[i]!)!.rest)));
    plain.set(`${key} -s -d`, p);
    g.indices = g.indices.filter((i) => !movable.includes(i));
  }
  const batches: QueryPlan['batches'] = [];
  for (const [key, g] of groups) {
    if (g.indices.length === 0) continue;
    const p = plain.get(key);
    if (p?.length) (g as QueryPlan['batches'][number]).plain = p;
    if (g.indices.length < 2) {
      singles.push(...g.indices);
      continue;
    }
    // ip keeps a little state between batch lines: `link` listing sets a global (do_link) that
    // makes later `addr show` print "linkmode". Running the link queries last avoids it.
    const isLink = (i: number) => (batchable(commands[i]!)!.rest[0] === 'link' ? 1 : 0);
    g.indices.sort((a, b) => isLink(a) - isLink(b) || a - b);
    batches.push(g);
  }
  singles.sort((a, b) => a - b);
  return { batches, singles };
}

/** The argv and stdin of one batch: command i is on line 2i+1, its separator on line 2i+2. */
export function batchCommand(globals: readonly string[], commands: readonly (readonly string[])[]): { argv: string[]; input: string } {
  const lines: string[] = [];
  commands.forEach((argv, i) => {
    const b = batchable(argv);
    if (!b) throw new Error(`not a batchable ip query: ${argv.join(' ')}`);
    lines.push(b.rest.join(' '), `${SEPARATOR_PREFIX}${i}`);
  });
  return { argv: ['ip', ...globals, '-force', '-batch', '-'], input: lines.join('\n') + '\n' };
}

export interface BatchPart {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Split the merged output of a batch back into per-command results; null if it does not parse. */
export function parseBatchOutput(merged: string, count: number): BatchPart[] | null {
  const parts: BatchPart[] = [];
  let rest = merged;
  for (let i = 0; i < count; i++) {
    const sep = `Object "${SEPARATOR_PREFIX}${i}" is unknown, try "ip help".\nCommand failed -:${2 * i + 2}\n`;
    const at = rest.indexOf(sep);
    if (at < 0) return null;
    const segment = rest.slice(0, at);
    rest = rest.slice(at + sep.length);
    const failedLine = `Command failed -:${2 * i + 1}`;
    let exitCode = 0;
    const out: string[] = [];
    const err: string[] = [];
    for (const line of segment.split('\n').slice(0, -1)) {
      if (line === failedLine) exitCode = 1;
      else if (/^\s*[[{]/.test(line)) out.push(line);
      else err.push(line);
    }
    if (segment && !segment.endsWith('\n')) return null;
    parts.push({
      stdout: out.map((l) => `${l}\n`).join(''),
      stderr: err.map((l) => `${l}\n`).join(''),
      exitCode,
    });
  }
  return rest.trim() === '' ? parts : null;
}

function isRouteListing(rest: readonly string[]): boolean {
  return ['route', 'r', 'ro'].includes(rest[0]!) && ['show', 'list', 'ls', 'lst', 'sh', undefined].includes(rest[1]) && rest.length <= 2;
}

/** What iproute2 prints only with -d (ip/iproute.c print_route): these values are left out without it. */
const DETAIL_DEFAULTS: Record<string, string> = { type: 'unicast', protocol: 'boot', scope: 'global', table: 'main' };

/** `ip -j -s -d route show` output as `ip -j route show` prints it; null if it is not a JSON list. */
export function plainRoutes(stdout: string): string | null {
  if (!stdout.trim()) return stdout;
  let routes: unknown;
  try {
    routes = JSON.parse(stdout);
  } catch {
    return null;
  }
  if (!Array.isArray(routes)) return null;
  const out = routes.map((r: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(r).filter(([k, v]) => DETAIL_DEFAULTS[k] === undefined || DETAIL_DEFAULTS[k] !== v)),
  );
  return `${JSON.stringify(out)}\n`;
}
