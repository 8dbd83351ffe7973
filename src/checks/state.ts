import type { RunResult, Sandbox } from '../sandbox/types.js';
import { inNs, nsOf, ROOT } from '../kernel/namespaces.js';
import { QueryBatch } from '../kernel/query.js';
import { emptyWorld, readNamespace, readNetnsList, type World } from '../kernel/snapshot.js';
import type { Check } from './schema.js';

// Reads the kernel state a set of checks needs, in one batch of queries, into a plain
// snapshot that the pure evaluator inspects. Nothing here looks at what the learner typed.
export interface PingOutcome {
  ok: boolean;
  ttl: number | null;
  /** why it failed: 'no_reply' | 'unreachable' | 'too_long' | other text */
  why: string | null;
  mtu: number | null;
  /** not sent: path reasoning over the state showed it cannot succeed */
  predicted?: boolean;
}

export interface Snapshot extends World {
  sysctl: Record<string, string | null>;
  /** loaded modules (/proc/modules) */
  modules: string[];
  /** modules built into the running kernel (modules.builtin), by name */
  builtinModules: string[];
  pings: Record<string, PingOutcome>;
  outputs: Record<string, string>;
  /** ICMP echo requests sent so far, per namespace (/proc/net/snmp OutEchos), when asked for */
  echoesSent: Record<string, number>;
  /** net.ipv4.ip_forward per namespace, read with the whole world (for path reasoning) */
  forwarding: Record<string, boolean | undefined>;
}

export const pingKey = (c: Extract<Check, { type: 'ping' }>) => [nsOf(c), c.to, c.size ?? '', c.dontFragment ? 'df' : ''].join('|');
export const outputKey = (c: Extract<Check, { type: 'output' }>) => `${nsOf(c)}|${c.command}`;
export const sysctlKey = (ns: string, key: string) => `${ns}|${key}`;

export function emptySnapshot(): Snapshot {
  return { ...emptyWorld(), sysctl: {}, modules: [], builtinModules: [], pings: {}, outputs: {}, echoesSent: {}, forwarding: {} };
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

/** OutEchos of the `Icmp:` lines of /proc/net/snmp. */
export function parseOutEchos(text: string): number | null {
  const [head, values] = text.split('\n').filter((l) => l.startsWith('Icmp:'));
  if (!head || !values) return null;
  const i = head.split(/\s+/).indexOf('OutEchos');
  const v = Number(values.split(/\s+/)[i]);
  return i > 0 && Number.isFinite(v) ? v : null;
}

export function pingArgv(c: Extract<Check, { type: 'ping' }>): string[] {
  const argv = ['ping', '-c1', '-W1', '-n'];
  if (c.size !== undefined) argv.push('-s', String(c.size));
  if (c.dontFragment) argv.push('-M', 'do');
  argv.push(c.to);
  return inNs(nsOf(c), argv);
}

export interface GatherOptions {
  /** namespaces whose ICMP echo counters to read (evidence of the learner's own pings) */
  echoes?: readonly string[];
  /** the pings to send (default: every ping check); the others are left out of the snapshot */
  sendPing?: (c: Extract<Check, { type: 'ping' }>) => boolean;
  /** read every namespace and its ip_forward (what path reasoning needs) */
  world?: boolean;
  /** fill this snapshot (other reads may be filling it at the same time) instead of a new one */
  into?: Snapshot;
}

function readForwarding(batch: QueryBatch, s: Snapshot, ns: string): void {
  batch.add(inNs(ns, ['cat', '/proc/sys/net/ipv4/ip_forward']), (r) => {
    s.forwarding[ns] = r.exitCode === 0 ? r.stdout.trim() === '1' : undefined;
  });
}

/** Add every read the checks need (except namespaces' links and routes) to a batch. */
function addCheckReads(batch: QueryBatch, s: Snapshot, checks: readonly Check[], o: GatherOptions): void {
  let modules = false;
  for (const c of checks) {
    switch (c.type) {
      case 'sysctl': {
        const key = sysctlKey(nsOf(c), c.key);
        batch.add(
          inNs(nsOf(c), ['cat', `/proc/sys/${c.key.replace(/\./g, '/')}`]),
          (r) => (s.sysctl[key] = r.exitCode === 0 ? r.stdout.trim() : null),
        );
        break;
      }
      case 'module':
        if (modules) break;
        modules = true;
        batch.add(
          ['cat', '/proc/modules'],
          (r) =>
            (s.modules = r.stdout
              .split('\n')
              .map((l) => l.split(' ')[0] ?? '')
              .filter(Boolean)),
        );
        // Built-in modules never show in /proc/modules (ipip is built in on some kernels).
        batch.add(['sh', '-c', 'cat "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; true'], (r) => {
          s.builtinModules = r.stdout
            .split('\n')
            .map((l) => /([^/]+)\.ko$/.exec(l.trim())?.[1] ?? '')
            .filter(Boolean);
        });
        break;
      case 'ping':
        if (o.sendPing && !o.sendPing(c)) break;
        batch.add(pingArgv(c), (r) => (s.pings[pingKey(c)] = parsePing(r)));
        break;
      case 'output': {
        const key = outputKey(c);
        batch.add(inNs(nsOf(c), ['bash', '-c', c.command]), (r) => (s.outputs[key] = r.stdout + r.stderr));
        break;
      }
      default:
        break;
    }
  }
  for (const ns of o.echoes ?? []) {
    batch.add(inNs(ns, ['cat', '/proc/net/snmp']), (r) => {
      const n = r.exitCode === 0 ? parseOutEchos(r.stdout) : null;
      if (n !== null) s.echoesSent[ns] = n;
    });
  }
}

// The namespaces each sandbox had at its last evaluation: the best guess of which ones a check
// about every namespace must read, so the list and the reads go in one round trip.
const lastNetns = new WeakMap<Sandbox, readonly string[]>();

export async function gatherState(sandbox: Sandbox, checks: readonly Check[], o: GatherOptions = {}): Promise<Snapshot> {
  const s = o.into ?? emptySnapshot();
  if (checks.length === 0 && !o.echoes?.length && !o.world) return s;
  const needed = namespacesNeeded(checks);
  const all = needed.all || o.world === true;
  const needsList = all || checks.some((c) => c.type === 'netns');
  const guess = all ? (lastNetns.get(sandbox) ?? []) : [];
  const first = new QueryBatch();
  if (needsList) readNetnsList(first, s);
  const read = new Set([...needed.names, ...(all ? [ROOT, ...guess] : [])]);
  for (const ns of read) {
    readNamespace(first, s, ns);
    if (o.world) readForwarding(first, s, ns);
  }
  addCheckReads(first, s, checks, o);
  await first.run(sandbox, { timeoutMs: 10_000 });
  if (needsList) lastNetns.set(sandbox, s.netns);
  if (all) {
    // A namespace made since the last evaluation: read it now (a second round, rarely needed).
    const second = new QueryBatch();
    for (const ns of s.netns.filter((n) => !read.has(n))) {
      readNamespace(second, s, ns);
      if (o.world) readForwarding(second, s, ns);
    }
    await second.run(sandbox, { timeoutMs: 10_000 });
    // A namespace guessed but gone since: not part of the world any more.
    for (const ns of guess) if (!s.netns.includes(ns) && !needed.names.has(ns)) delete s.ns[ns];
  }
  return s;
}
