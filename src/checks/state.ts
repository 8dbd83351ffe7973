import type { Check } from './schema.js';
import type { RunResult, Sandbox } from '../sandbox/types.js';
import { parseJsonArray, type IpLink, type IpRoute } from './ipJson.js';

// Reads the kernel state a set of checks needs, in one batch of queries, into a plain
// snapshot that the pure evaluator inspects. Nothing here looks at what the learner typed.
export const ROOT = 'root';

export interface NsState {
  exists: boolean;
  links: IpLink[];
  routes: IpRoute[];
}

export interface PingOutcome {
  ok: boolean;
  ttl: number | null;
  /** why it failed: 'no_reply' | 'unreachable' | 'too_long' | other text */
  why: string | null;
  mtu: number | null;
}

export interface Snapshot {
  netns: string[];
  ns: Record<string, NsState>;
  sysctl: Record<string, string | null>;
  modules: string[];
  pings: Record<string, PingOutcome>;
  outputs: Record<string, string>;
}

export function nsOf(c: { netns?: string | undefined }): string {
  return c.netns === undefined || c.netns === ROOT ? ROOT : c.netns;
}

export const pingKey = (c: Extract<Check, { type: 'ping' }>) => [nsOf(c), c.to, c.size ?? '', c.dontFragment ? 'df' : ''].join('|');
export const outputKey = (c: Extract<Check, { type: 'output' }>) => `${nsOf(c)}|${c.command}`;
export const sysctlKey = (ns: string, key: string) => `${ns}|${key}`;

type Query = { argv: string[]; apply: (r: RunResult, s: Snapshot) => void };

function inNs(ns: string, argv: string[]): string[] {
  return ns === ROOT ? argv : ['ip', 'netns', 'exec', ns, ...argv];
}

/** `ip -j ...` in a namespace (`-n NS`, or nothing for the root namespace). */
export function ipArgs(ns: string, ...rest: string[]): string[] {
  return ns === ROOT ? ['ip', '-j', ...rest] : ['ip', '-n', ns, '-j', ...rest];
}

function emptySnapshot(): Snapshot {
  return { netns: [], ns: {}, sysctl: {}, modules: [], pings: {}, outputs: {} };
}

/** Which namespaces' links and routes the checks need. A veth peer check needs them all. */
function namespacesNeeded(checks: readonly Check[]): { names: Set<string>; all: boolean } {
  const names = new Set<string>();
  let all = false;
  for (const c of checks) {
    if (c.type === 'link' || c.type === 'address' || c.type === 'route' || c.type === 'tunnel') names.add(nsOf(c));
    if (c.type === 'link' && (c.peer !== undefined || c.peerNetns !== undefined)) all = true;
    if (c.type === 'link' && c.absent) all = true; // to say where a link went
  }
  return { names, all };
}

export function parsePing(r: RunResult): PingOutcome {
  const out = r.stdout + r.stderr;
  const ttl = /ttl=(\d+)/.exec(out);
  if (r.exitCode === 0 && ttl) return { ok: true, ttl: Number(ttl[1]), why: null, mtu: null };
  const mtu = /mtu[ =](\d+)/i.exec(out);
  if (/message too long/i.test(out)) return { ok: false, ttl: null, why: 'too_long', mtu: mtu ? Number(mtu[1]) : null };
  if (/unreachable/i.test(out)) return { ok: false, ttl: null, why: 'unreachable', mtu: null };
  if (/0 received|100% packet loss/.test(out) || r.timedOut) return { ok: false, ttl: null, why: 'no_reply', mtu: null };
  const firstLine = out.split('\n').find((l) => l.trim()) ?? `exit ${r.exitCode}`;
  return { ok: false, ttl: null, why: firstLine.trim(), mtu: null };
}

function nsQueries(ns: string): Query[] {
  return [
    {
      // -d adds linkinfo (kind, veth/tunnel details); addr show includes each link's flags and mtu.
      argv: ipArgs(ns, '-d', 'addr', 'show'),
      apply: (r, s) => {
        const st = (s.ns[ns] ??= { exists: false, links: [], routes: [] });
        st.exists = r.exitCode === 0;
        st.links = r.exitCode === 0 ? parseJsonArray<IpLink>(r.stdout) : [];
      },
    },
    {
      argv: ipArgs(ns, 'route', 'show'),
      apply: (r, s) => {
        const st = (s.ns[ns] ??= { exists: false, links: [], routes: [] });
        st.routes = r.exitCode === 0 ? parseJsonArray<IpRoute>(r.stdout) : [];
      },
    },
  ];
}

export function planQueries(checks: readonly Check[], knownNetns?: readonly string[]): Query[] {
  const qs: Query[] = [];
  const needed = namespacesNeeded(checks);
  const seen = new Set<string>();
  const addNs = (ns: string) => {
    if (seen.has(ns)) return;
    seen.add(ns);
    qs.push(...nsQueries(ns));
  };
  for (const ns of needed.names) addNs(ns);
  if (needed.all) {
    addNs(ROOT);
    for (const ns of knownNetns ?? []) addNs(ns);
  }
  for (const c of checks) {
    switch (c.type) {
      case 'sysctl': {
        const ns = nsOf(c);
        const key = sysctlKey(ns, c.key);
        qs.push({
          argv: inNs(ns, ['cat', `/proc/sys/${c.key.replace(/\./g, '/')}`]),
          apply: (r, s) => (s.sysctl[key] = r.exitCode === 0 ? r.stdout.trim() : null),
        });
        break;
      }
      case 'module':
        if (!qs.some((q) => q.argv[1] === '/proc/modules'))
          qs.push({
            argv: ['cat', '/proc/modules'],
            apply: (r, s) =>
              (s.modules = r.stdout
                .split('\n')
                .map((l) => l.split(' ')[0] ?? '')
                .filter(Boolean)),
          });
        break;
      case 'ping': {
        const argv = ['ping', '-c1', '-W1', '-n'];
        if (c.size !== undefined) argv.push('-s', String(c.size));
        if (c.dontFragment) argv.push('-M', 'do');
        argv.push(c.to);
        const key = pingKey(c);
        qs.push({ argv: inNs(nsOf(c), argv), apply: (r, s) => (s.pings[key] = parsePing(r)) });
        break;
      }
      case 'output': {
        const key = outputKey(c);
        qs.push({ argv: inNs(nsOf(c), ['bash', '-c', c.command]), apply: (r, s) => (s.outputs[key] = r.stdout + r.stderr) });
        break;
      }
      default:
        break;
    }
  }
  return qs;
}

const LIST_NETNS = ['ip', '-j', 'netns', 'list'];
const parseNetnsList = (r: RunResult): string[] => (r.exitCode === 0 ? parseJsonArray<{ name: string }>(r.stdout).map((n) => n.name) : []);

/** Namespaces that exist now, from `ip netns list` (empty output means none). */
export async function listNetns(sandbox: Sandbox): Promise<string[]> {
  const [r] = await sandbox.query([LIST_NETNS]);
  return r ? parseNetnsList(r) : [];
}

// The namespaces each sandbox had at its last evaluation: the best guess of which ones a check
// about every namespace must read, so the list and the reads go in one round trip.
const lastNetns = new WeakMap<Sandbox, readonly string[]>();

export async function gatherState(sandbox: Sandbox, checks: readonly Check[]): Promise<Snapshot> {
  const s = emptySnapshot();
  if (checks.length === 0) return s;
  const stateChecks = checks.filter((c) => c.type !== 'netns' && c.type !== 'answer');
  const needed = namespacesNeeded(checks);
  const needsList = needed.all || checks.some((c) => c.type === 'netns');
  const guess = needed.all ? (lastNetns.get(sandbox) ?? []) : [];
  const qs = planQueries(stateChecks, guess);
  if (needsList) qs.unshift({ argv: LIST_NETNS, apply: (r, snap) => (snap.netns = parseNetnsList(r)) });
  const run = async (batch: Query[]) => {
    if (batch.length === 0) return;
    const results = await sandbox.query(batch.map((q) => q.argv));
    batch.forEach((q, i) => {
      const r = results[i];
      if (r) q.apply(r, s);
    });
  };
  await run(qs);
  if (needsList) lastNetns.set(sandbox, s.netns);
  if (needed.all) {
    // A namespace made since the last evaluation: read it now (a second round, rarely needed).
    const read = new Set([...needed.names, ROOT, ...guess]);
    await run(s.netns.filter((ns) => !read.has(ns)).flatMap((ns) => nsQueries(ns)));
  }
  return s;
}
