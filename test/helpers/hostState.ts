import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

// What the README promises never changes: the machine's own network, and what the tutor
// leaves behind (processes, temporary files). Everything here only READS the host (ip -j
// show commands, /proc, directory listings); nothing here changes it.

// ---------------------------------------------------------------- network state

export interface LinkFacts {
  ifname: string;
  flags: string[];
  mtu: number;
  address: string | null;
  linkType: string | null;
  kind: string | null;
  master: string | null;
  addrs: string[];
}

export interface RouteFacts {
  table: string;
  type: string;
  dst: string;
  gateway: string | null;
  dev: string | null;
  protocol: string | null;
  scope: string | null;
  prefsrc: string | null;
  metric: number | null;
}

export interface HostNetState {
  links: LinkFacts[];
  routes: RouteFacts[];
  /** `ip netns list` names */
  netns: string[];
  ipForward: string;
  /** listing of /run/netns, or null when it does not exist */
  runNetns: string[] | null;
}

/** Runs a read-only command and returns its stdout. The default runs it right here (the host's namespaces). */
export type Reader = (argv: string[]) => string;

export const localReader: Reader = (argv) => execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function ipJson<T>(read: Reader, args: string[]): T[] {
  const text = read(['ip', '-j', ...args]).trim();
  return text ? (JSON.parse(text) as T[]) : [];
}

interface RawLink {
  ifname: string;
  flags?: string[];
  mtu?: number;
  address?: string;
  link_type?: string;
  master?: string;
  linkinfo?: { info_kind?: string };
}
interface RawAddr {
  ifname: string;
  addr_info?: { family: string; local: string; prefixlen: number; scope?: string; peer?: string }[];
}
interface RawRoute {
  table?: string;
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
}

/** Capture the meaningful network facts of the namespace this process runs in (counters, carrier changes etc. left out). */
export function captureHostNet(read: Reader = localReader): HostNetState {
  const links = ipJson<RawLink>(read, ['-d', 'link', 'show']);
  const addrs = ipJson<RawAddr>(read, ['addr', 'show']);
  const addrOf = new Map(
    addrs.map((a) => [
      a.ifname,
      (a.addr_info ?? [])
        .map((i) => `${i.family} ${i.local}/${i.prefixlen}${i.peer ? ` peer ${i.peer}` : ''} scope ${i.scope ?? '?'}`)
        .sort(),
    ]),
  );
  const routes = ipJson<RawRoute>(read, ['route', 'show', 'table', 'all']).concat(
    ipJson<RawRoute>(read, ['-6', 'route', 'show', 'table', 'all']),
  );
  const seen = new Set<string>();
  const routeFacts: RouteFacts[] = [];
  for (const r of routes) {
    const f: RouteFacts = {
      table: r.table ?? 'main',
      type: r.type ?? 'unicast',
      dst: r.dst,
      gateway: r.gateway ?? null,
      dev: r.dev ?? null,
      protocol: r.protocol ?? null,
      scope: r.scope ?? null,
      prefsrc: r.prefsrc ?? null,
      metric: r.metric ?? null,
    };
    const k = JSON.stringify(f);
    if (seen.has(k)) continue; // `table all` and `-6 table all` may overlap
    seen.add(k);
    routeFacts.push(f);
  }
  routeFacts.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const netnsOut = read(['ip', 'netns', 'list']);
  const runNetns = read(['sh', '-c', 'if [ -d /run/netns ]; then ls -A /run/netns; else echo @@none; fi']).split('\n').filter(Boolean);
  return {
    links: links
      .map((l) => ({
        ifname: l.ifname,
        flags: [...(l.flags ?? [])].sort(),
        mtu: l.mtu ?? 0,
        address: l.address ?? null,
        linkType: l.link_type ?? null,
        kind: l.linkinfo?.info_kind ?? null,
        master: l.master ?? null,
        addrs: addrOf.get(l.ifname) ?? [],
      }))
      .sort((a, b) => a.ifname.localeCompare(b.ifname)),
    routes: routeFacts,
    netns: netnsOut
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter(Boolean)
      .sort(),
    ipForward: read(['cat', '/proc/sys/net/ipv4/ip_forward']).trim(),
    runNetns: runNetns[0] === '@@none' ? null : runNetns.sort(),
  };
}

/** Human-readable differences; empty when the meaningful state is the same. */
export function diffHostNet(before: HostNetState, after: HostNetState): string[] {
  const d: string[] = [];
  const byName = (ls: LinkFacts[]) => new Map(ls.map((l) => [l.ifname, l]));
  const b = byName(before.links);
  const a = byName(after.links);
  for (const [n, l] of a) {
    const old = b.get(n);
    if (!old) d.push(`link added: ${n} (${l.kind ?? l.linkType}) ${l.addrs.join(', ')}`);
    else if (JSON.stringify(old) !== JSON.stringify(l)) d.push(`link changed: ${n}: ${JSON.stringify(old)} -> ${JSON.stringify(l)}`);
  }
  for (const n of b.keys()) if (!a.has(n)) d.push(`link removed: ${n}`);
  const rk = (r: RouteFacts) => JSON.stringify(r);
  const br = new Set(before.routes.map(rk));
  const ar = new Set(after.routes.map(rk));
  for (const r of ar) if (!br.has(r)) d.push(`route added: ${r}`);
  for (const r of br) if (!ar.has(r)) d.push(`route removed: ${r}`);
  if (JSON.stringify(before.netns) !== JSON.stringify(after.netns))
    d.push(`ip netns list: [${before.netns.join(' ')}] -> [${after.netns.join(' ')}]`);
  if (before.ipForward !== after.ipForward) d.push(`ip_forward: ${before.ipForward} -> ${after.ipForward}`);
  if (JSON.stringify(before.runNetns) !== JSON.stringify(after.runNetns))
    d.push(`/run/netns: ${JSON.stringify(before.runNetns)} -> ${JSON.stringify(after.runNetns)}`);
  return d;
}

// ---------------------------------------------------------------- processes

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** clock ticks since boot: (pid, start) identifies a process even if its pid is reused */
  start: number;
  uid: number;
  comm: string;
  cmdline: string;
}

export function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const f = stat.slice(close + 2).split(' ');
    // f[0] = state, f[1] = ppid, f[2] = pgrp, f[19] = starttime
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    if (f[0] === 'Z') return null; // a zombie holds nothing; its parent just has not reaped it yet
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { pid, ppid: Number(f[1]), pgid: Number(f[2]), start: Number(f[19]), uid, comm, cmdline };
  } catch {
    return null; // gone
  }
}

export function processTable(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const p = readProc(Number(n));
    if (p) out.push(p);
  }
  return out;
}

/** Every process below `root` (not including it). */
export function descendants(root: number, table: ProcInfo[] = processTable()): ProcInfo[] {
  const kids = new Map<number, ProcInfo[]>();
  for (const p of table) {
    const l = kids.get(p.ppid) ?? [];
    l.push(p);
    kids.set(p.ppid, l);
  }
  const out: ProcInfo[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    for (const k of kids.get(pid) ?? []) {
      out.push(k);
      stack.push(k.pid);
    }
  }
  return out;
}

const key = (p: ProcInfo) => `${p.pid}:${p.start}`;

/**
 * Follows the process tree of one spawned tutor while it runs, so that a process which
 * escapes (reparented to init after the tutor dies) is still known to be the tutor's.
 * Also claims processes whose command line carries one of `markers` (the UML umid holds the tutor's pid).
 */
export class ProcessTracker {
  readonly seen = new Map<string, ProcInfo>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly rootPid: number,
    private readonly markers: string[] = [],
  ) {}

  sample(): void {
    const table = processTable();
    const root = table.find((p) => p.pid === this.rootPid);
    if (root) this.seen.set(key(root), root);
    for (const p of descendants(this.rootPid, table)) this.seen.set(key(p), p);
    if (this.markers.length) for (const p of table) if (this.markers.some((m) => p.cmdline.includes(m))) this.seen.set(key(p), p);
  }

  start(intervalMs = 15): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The tracked processes still alive (same pid and start time). */
  alive(): ProcInfo[] {
    const out: ProcInfo[] = [];
    for (const p of this.seen.values()) {
      const now = readProc(p.pid);
      if (now && now.start === p.start) out.push(now);
    }
    if (this.markers.length)
      for (const p of processTable()) if (this.markers.some((m) => p.cmdline.includes(m)) && !out.some((o) => o.pid === p.pid)) out.push(p);
    return out;
  }

  /** Poll until every tracked process is gone or `timeoutMs` passes; returns what is left. */
  async waitGone(timeoutMs = 5000): Promise<ProcInfo[]> {
    const until = Date.now() + timeoutMs;
    let left = this.alive();
    while (left.length && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      left = this.alive();
    }
    return left;
  }
}

export const describeProcs = (ps: ProcInfo[]) =>
  ps.map((p) => `  pid ${p.pid} ppid ${p.ppid} uid ${p.uid} ${p.comm}: ${p.cmdline.slice(0, 160)}`).join('\n');

// ---------------------------------------------------------------- temporary files

/** Names the tutor (or a UML kernel it starts) may create in shared temporary places. */
export const TUTOR_FILE = /^(ipip-tutor|vm_file|\.uml|uml)/;

export interface Footprint {
  /** path -> names matching TUTOR_FILE */
  dirs: Record<string, string[]>;
}

/** Homes whose ~/.uml a UML kernel would write into if HOME were not redirected. */
export function homesToWatch(): string[] {
  const homes = new Set<string>(['/root']);
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === 'tester' || f[0] === 'nobody') if (f[5]) homes.add(f[5]);
    }
  } catch {
    /* no passwd */
  }
  return [...homes];
}

export function captureFootprint(extraDirs: string[] = []): Footprint {
  const dirs: Record<string, string[]> = {};
  const list = (d: string, all: boolean) => {
    try {
      if (!statSync(d).isDirectory()) return;
      dirs[d] = readdirSync(d)
        .filter((n) => all || TUTOR_FILE.test(n))
        .sort();
    } catch {
      dirs[d] = [];
    }
  };
  list('/tmp', false);
  list('/dev/shm', false);
  list('/var/tmp', false);
  for (const h of homesToWatch()) list(join(h, '.uml'), true);
  for (const d of extraDirs) list(d, true);
  return { dirs };
}

/**
 * Names present after but not before. `ignore` filters out names another concurrent test
 * may legitimately be holding (the caller decides how to attribute them).
 */
export function newFiles(before: Footprint, after: Footprint, ignore: (path: string) => boolean = () => false): string[] {
  const out: string[] = [];
  for (const [d, names] of Object.entries(after.dirs)) {
    const old = new Set(before.dirs[d] ?? []);
    for (const n of names) {
      const p = join(d, n);
      if (!old.has(n) && !ignore(p)) out.push(p);
    }
  }
  return out;
}
