// The frame-flow analysis of the article's last section ("ipip隧道通信数据帧流转分析"), done with
// the real kernel inside the sandbox: one ping, captured on a device, decoded; the path derived
// hop by hop from the kernel's own `ip route get` answers and the tunnel configuration (nothing
// about the topology is hard-coded, so a broken setup shows its real, broken path); and the
// per-device counters before and after, showing which devices the packets crossed.

import { listNetns } from '../checks/state.js';
import type { Lang } from '../i18n/lang.js';
import type { RunOptions, RunResult, Sandbox } from '../sandbox/types.js';
import { decodePacket, ipv4Layers, tunnelKind, type DecodedPacket, type IcmpLayer } from './decode.js';
import { pm } from './messages.js';
import { parseCapture } from './pcap.js';
import { padEndW, padStartW, renderLayers, truncW, wrapW } from './render.js';
import { shQuote } from '../sandbox/host/tcpdumpShim.js';

export interface FlowOptions {
  fromNs?: string;
  to?: string;
  captureDev?: string;
  lang?: Lang;
  /** Packets to capture before stopping (request + reply). */
  count?: number;
  signal?: AbortSignal;
}

/** A network namespace by name; '' is the sandbox's root namespace. */
export type NsName = string;

export interface TunnelInfo {
  ns: NsName;
  dev: string;
  kind: string;
  local?: string;
  remote?: string;
  mtu?: number;
}

export interface RouteAnswer {
  type?: string;
  dst?: string;
  from?: string;
  gateway?: string;
  dev?: string;
  prefsrc?: string;
  iif?: string;
}

export type HopKind = 'route' | 'encap' | 'forward' | 'receive' | 'decap' | 'deliver' | 'noroute' | 'leave';

export interface Hop {
  ns: NsName;
  kind: HopKind;
  /** The command asked (as a learner would type it). */
  command?: string;
  /** The kernel's answer, in `ip route get`'s own words. */
  answer?: string;
  route?: RouteAnswer;
  /** Device the packet leaves through (or arrives on, for receive/decap). */
  dev?: string;
  src: string;
  dst: string;
  tunnel?: TunnelInfo;
  error?: string;
}

export interface CounterDelta {
  ns: NsName;
  dev: string;
  kind?: string;
  txPackets: number;
  rxPackets: number;
  txBytes: number;
  rxBytes: number;
}

export interface FlowCapture {
  ok: boolean;
  tool?: 'tcpdump' | 'dumpcap';
  error?: string;
  packets: DecodedPacket[];
  request?: DecodedPacket;
  reply?: DecodedPacket;
}

export interface FlowReport {
  fromNs: NsName;
  to: string;
  captureDev: string;
  captureNs?: NsName;
  namespaces: NsName[];
  /** The tunnel the request leaves through, if it does. */
  tunnel?: TunnelInfo;
  ping: { exitCode: number | null; ok: boolean; output: string };
  capture: FlowCapture;
  path: { request: Hop[]; reply: Hop[] };
  counters: CounterDelta[];
}

// ---------------------------------------------------------------------------------------------
// state queries

interface LinkJson {
  ifindex: number;
  ifname: string;
  mtu?: number;
  link_type?: string;
  linkinfo?: { info_kind?: string; info_data?: { local?: string; remote?: string } };
  stats64?: { rx?: { packets?: number; bytes?: number }; tx?: { packets?: number; bytes?: number } };
}
interface AddrJson {
  ifname: string;
  addr_info?: { family: string; local: string }[];
}

interface NsState {
  ns: NsName;
  links: LinkJson[];
  addrs: AddrJson[];
}

const nsArgs = (ns: NsName): string[] => (ns ? ['-n', ns] : []);
const ipCmd = (ns: NsName, rest: string): string => `ip ${ns ? `-n ${ns} ` : ''}${rest}`;

function parseJson<T>(r: RunResult | undefined, fallback: T): T {
  if (!r || r.exitCode !== 0) return fallback;
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    return fallback;
  }
}

async function readState(sb: Sandbox, namespaces: NsName[]): Promise<NsState[]> {
  const all = ['', ...namespaces];
  const cmds = all.flatMap((ns) => [
    ['ip', ...nsArgs(ns), '-j', '-s', '-d', 'link', 'show'],
    ['ip', ...nsArgs(ns), '-j', 'addr', 'show'],
  ]);
  const rs = await sb.query(cmds);
  return all.map((ns, i) => ({ ns, links: parseJson<LinkJson[]>(rs[2 * i], []), addrs: parseJson<AddrJson[]>(rs[2 * i + 1], []) }));
}

const TUNNEL_KINDS = new Set(['ipip', 'gre', 'sit', 'vti', 'ip6tnl', 'ip6gre', 'gretap', 'ipip6']);

function tunnelOf(state: NsState | undefined, dev: string | undefined): TunnelInfo | undefined {
  if (!state || !dev) return undefined;
  const l = state.links.find((x) => x.ifname === dev);
  const kind = l?.linkinfo?.info_kind;
  if (!l || !kind || !TUNNEL_KINDS.has(kind)) return undefined;
  const d = l.linkinfo?.info_data ?? {};
  const addr = (a?: string) => (a && a !== 'any' ? a : undefined);
  const local = addr(d.local);
  const remote = addr(d.remote);
  return {
    ns: state.ns,
    dev,
    kind,
    ...(local ? { local } : {}),
    ...(remote ? { remote } : {}),
    ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
  };
}

function ownerOf(states: NsState[], ip: string): { ns: NsName; dev: string } | undefined {
  for (const s of states)
    for (const a of s.addrs) if (a.addr_info?.some((i) => i.family === 'inet' && i.local === ip)) return { ns: s.ns, dev: a.ifname };
  return undefined;
}

function answerText(r: RouteAnswer): string {
  const parts: string[] = [];
  if (r.type && r.type !== 'unicast') parts.push(r.type);
  if (r.dst) parts.push(r.dst);
  if (r.from) parts.push(`from ${r.from}`);
  if (r.gateway) parts.push(`via ${r.gateway}`);
  if (r.dev) parts.push(`dev ${r.dev}`);
  if (r.prefsrc) parts.push(`src ${r.prefsrc}`);
  if (r.iif) parts.push(`iif ${r.iif}`);
  return parts.join(' ');
}

async function routeGet(
  sb: Sandbox,
  ns: NsName,
  dst: string,
  from?: string,
  iif?: string,
): Promise<{ command: string; route?: RouteAnswer; error?: string }> {
  const rest = ['route', 'get', dst, ...(from ? ['from', from] : []), ...(iif ? ['iif', iif] : [])];
  const command = ipCmd(ns, rest.join(' '));
  const [r] = await sb.query([['ip', ...nsArgs(ns), '-j', ...rest]]);
  if (!r || r.exitCode !== 0) return { command, error: (r?.stderr || r?.stdout || 'failed').trim() };
  const arr = parseJson<RouteAnswer[]>(r, []);
  if (!arr[0]) return { command, error: r.stdout.trim() || 'no answer' };
  return { command, route: arr[0] };
}

/**
 * Follow a packet from `ns` (sent by a local process there) hop by hop using the kernel's answers.
 * Tunnels turn into an outer packet that is followed the same way, then back into the inner one.
 */
export async function tracePath(sb: Sandbox, states: NsState[], ns: NsName, dst: string, src?: string, maxHops = 12): Promise<Hop[]> {
  const hops: Hop[] = [];
  const stateOf = (n: NsName) => states.find((s) => s.ns === n);
  // A stack of packets: the inner one waits while its outer packet travels.
  interface Pkt {
    src?: string;
    dst: string;
    tunnel?: TunnelInfo;
  }
  let cur: Pkt = { dst, ...(src ? { src } : {}) };
  const inners: Pkt[] = [];
  let curNs = ns;
  let iif: string | undefined;
  for (let n = 0; n < maxHops; n++) {
    const g = await routeGet(sb, curNs, cur.dst, cur.src, iif);
    const base = { ns: curNs, command: g.command, src: cur.src ?? g.route?.prefsrc ?? '?', dst: cur.dst };
    if (!g.route) {
      hops.push({ ...base, kind: 'noroute', error: g.error ?? '' });
      return hops;
    }
    const r = g.route;
    if (!cur.src && r.prefsrc) cur.src = r.prefsrc;
    const answer = answerText(r);
    if (r.type === 'local') {
      if (iif) hops.push({ ...base, src: cur.src ?? '?', kind: inners.length ? 'receive' : 'deliver', answer, route: r, dev: iif });
      else hops.push({ ...base, src: cur.src ?? '?', kind: 'deliver', answer, route: r, dev: r.dev ?? 'lo' });
      const inner = inners.pop();
      if (!inner) return hops;
      // Decapsulation: a tunnel here whose endpoints match the outer packet takes the inner one.
      const st = stateOf(curNs);
      // Like the kernel's ip_tunnel_lookup: exact endpoints first, then local only, remote only,
      // and the catch-all device (tunl0/gre0) last.
      const score = (t: TunnelInfo) => (t.local && t.remote ? 3 : t.local ? 2 : t.remote ? 1 : 0);
      const tun = (st?.links ?? [])
        .map((l) => tunnelOf(st, l.ifname))
        .filter(
          (t): t is TunnelInfo =>
            !!t && t.kind === inner.tunnel?.kind && (!t.local || t.local === cur.dst) && (!t.remote || t.remote === cur.src),
        )
        .sort((a, b) => score(b) - score(a))[0];
      if (!tun) {
        hops.push({
          ns: curNs,
          kind: 'noroute',
          src: inner.src ?? '?',
          dst: inner.dst,
          error: `no ${inner.tunnel?.kind ?? ''} tunnel in ${curNs || 'root'} with local ${cur.dst} remote ${cur.src}`,
        });
        return hops;
      }
      hops.push({ ns: curNs, kind: 'decap', dev: tun.dev, tunnel: tun, src: inner.src ?? '?', dst: inner.dst });
      cur = inner;
      iif = tun.dev;
      continue;
    }
    const tun = tunnelOf(stateOf(curNs), r.dev);
    if (tun) {
      const outerSrc = tun.local;
      const outerDst = tun.remote;
      hops.push({ ...base, src: cur.src ?? '?', kind: 'encap', answer, route: r, dev: r.dev!, tunnel: tun });
      if (!outerDst) {
        hops.push({ ns: curNs, kind: 'noroute', src: outerSrc ?? '?', dst: '?', error: `tunnel ${tun.dev} has no remote address` });
        return hops;
      }
      inners.push({ ...cur, tunnel: tun });
      cur = { dst: outerDst, ...(outerSrc ? { src: outerSrc } : {}) };
      iif = undefined;
      continue;
    }
    hops.push({ ...base, src: cur.src ?? '?', kind: iif ? 'forward' : 'route', answer, route: r, ...(r.dev ? { dev: r.dev } : {}) });
    // Where does it arrive? At whoever owns the next hop (the gateway, or the destination itself).
    const next = ownerOf(states, r.gateway ?? cur.dst);
    if (!next || next.ns === curNs) {
      hops.push({ ns: curNs, kind: 'leave', src: cur.src ?? '?', dst: cur.dst, ...(r.dev ? { dev: r.dev } : {}) });
      return hops;
    }
    curNs = next.ns;
    iif = next.dev;
  }
  return hops;
}

function countersOf(
  states: NsState[],
): Map<string, { ns: NsName; dev: string; kind?: string; tx: number; rx: number; txb: number; rxb: number }> {
  const m = new Map<string, { ns: NsName; dev: string; kind?: string; tx: number; rx: number; txb: number; rxb: number }>();
  for (const s of states)
    for (const l of s.links) {
      const kind = l.linkinfo?.info_kind;
      m.set(`${s.ns}\0${l.ifname}`, {
        ns: s.ns,
        dev: l.ifname,
        ...(kind ? { kind } : {}),
        tx: l.stats64?.tx?.packets ?? 0,
        rx: l.stats64?.rx?.packets ?? 0,
        txb: l.stats64?.tx?.bytes ?? 0,
        rxb: l.stats64?.rx?.bytes ?? 0,
      });
    }
  return m;
}

export function counterDeltas(before: NsState[], after: NsState[]): CounterDelta[] {
  const b = countersOf(before);
  const out: CounterDelta[] = [];
  for (const [k, a] of countersOf(after)) {
    const p = b.get(k);
    if (!p) continue;
    out.push({
      ns: a.ns,
      dev: a.dev,
      ...(a.kind ? { kind: a.kind } : {}),
      txPackets: a.tx - p.tx,
      rxPackets: a.rx - p.rx,
      txBytes: a.txb - p.txb,
      rxBytes: a.rxb - p.rxb,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// capture + ping, in one shell run inside the sandbox

const MARK = 'IPIP-TUTOR-FLOW';

/**
 * A bash script that starts a capture (tcpdump if it can run here, else dumpcap), waits until it
 * is really listening, runs the ping, waits for the capture to end (or stops it), and prints the
 * capture file base64-encoded between markers. Works on both backends.
 */
export function captureScript(o: { dev: string; devNs?: NsName; count: number; filter: string; ping: string }): string {
  const pre = o.devNs ? `ip netns exec ${shQuote(o.devNs)} ` : '';
  const f = shQuote(o.filter);
  return `d=$(mktemp -d /tmp/ipip-tutor-flow.XXXXXX) || exit 90
f=$d/flow.pcap; e=$d/cap.err; tool=
listening() { grep -qE 'listening on|Capturing on' "$e" 2>/dev/null; }
start() {
  : > "$e"; "$@" 2>"$e" >/dev/null & cp=$!
  i=0; while [ $i -lt 60 ]; do
    listening && return 0
    kill -0 $cp 2>/dev/null || return 1
    sleep 0.05; i=$((i+1))
  done
  listening
}
if command -v tcpdump >/dev/null 2>&1 && start ${pre}tcpdump -Z root --immediate-mode -U -n -i ${shQuote(o.dev)} -c ${o.count} -w "$f" ${f}; then tool=tcpdump
else
  [ -n "$cp" ] && kill $cp 2>/dev/null; wait $cp 2>/dev/null; te=$(cat "$e" 2>/dev/null)
  if command -v dumpcap >/dev/null 2>&1 && start ${pre}dumpcap -q -i ${shQuote(o.dev)} -c ${o.count} -f ${f} -P -w "$f"; then tool=dumpcap; sleep 0.2
  else echo "${MARK}-ERROR"; echo "$te"; cat "$e" 2>/dev/null; kill $cp 2>/dev/null; rm -rf "$d"; exit 91; fi
fi
echo "${MARK}-TOOL $tool"
echo "${MARK}-PING"
${o.ping} 2>&1; echo "${MARK}-PINGRC $?"
i=0; while [ $i -lt 30 ] && kill -0 $cp 2>/dev/null; do sleep 0.05; i=$((i+1)); done
kill -INT $cp 2>/dev/null; wait $cp 2>/dev/null
echo "${MARK}-PCAP"
base64 "$f" 2>/dev/null
echo "${MARK}-END"
rm -rf "$d"
`;
}

export interface ParsedCaptureRun {
  tool?: 'tcpdump' | 'dumpcap';
  error?: string;
  pingRc: number | null;
  pingOutput: string;
  pcap?: Uint8Array;
}

export function parseCaptureRun(stdout: string): ParsedCaptureRun {
  const lines = stdout.split('\n');
  const at = (m: string) => lines.findIndex((l) => l.startsWith(m));
  const e = at(`${MARK}-ERROR`);
  if (e >= 0)
    return {
      error:
        lines
          .slice(e + 1)
          .join('\n')
          .trim() || 'capture did not start',
      pingRc: null,
      pingOutput: '',
    };
  const tool = lines[at(`${MARK}-TOOL`)]?.split(' ')[1];
  const p = at(`${MARK}-PING`);
  const rcLine = at(`${MARK}-PINGRC`);
  const pc = at(`${MARK}-PCAP`);
  const end = at(`${MARK}-END`);
  const pingRc = rcLine >= 0 ? Number(lines[rcLine]!.split(' ')[1]) : null;
  const pingOutput = p >= 0 && rcLine > p ? lines.slice(p + 1, rcLine).join('\n') : '';
  const b64 = pc >= 0 && end > pc ? lines.slice(pc + 1, end).join('') : '';
  return {
    ...(tool === 'tcpdump' || tool === 'dumpcap' ? { tool } : {}),
    pingRc,
    pingOutput,
    ...(b64 ? { pcap: new Uint8Array(Buffer.from(b64, 'base64')) } : {}),
    ...(pc < 0 ? { error: 'capture output missing' } : {}),
  };
}

function icmpOf(p: DecodedPacket): IcmpLayer | undefined {
  return p.layers.find((l): l is IcmpLayer => l.kind === 'icmp');
}

/** Which captured packet is the ping's request, and which its reply. */
export function pickRequestReply(packets: DecodedPacket[], to: string): { request?: DecodedPacket; reply?: DecodedPacket } {
  const innermost = (p: DecodedPacket) => ipv4Layers(p.layers).at(-1)?.fields;
  const request = packets.find((p) => icmpOf(p)?.fields.type === 8 && innermost(p)?.dst === to);
  const id = request ? icmpOf(request)?.fields.id : undefined;
  const reply = packets.find(
    (p) => icmpOf(p)?.fields.type === 0 && innermost(p)?.src === to && (id === undefined || icmpOf(p)?.fields.id === id),
  );
  return { ...(request ? { request } : {}), ...(reply ? { reply } : {}) };
}

export async function analyzeFlow(sandbox: Sandbox, opts: FlowOptions = {}): Promise<FlowReport> {
  const fromNs = opts.fromNs ?? 'ns1';
  const to = opts.to ?? '10.10.200.10';
  const captureDev = opts.captureDev ?? 'v1-P';
  const count = opts.count ?? 2;
  const namespaces = (await listNetns(sandbox)).sort();
  const before = await readState(sandbox, namespaces);

  // Paths first (route get sends nothing), so the counters only move for the ping.
  const request = await tracePath(sandbox, before, fromNs, to);
  const first = request[0];
  const tunnel = request.find((h) => h.kind === 'encap')?.tunnel;
  const reqSrc = first?.src && first.src !== '?' ? first.src : undefined;
  const delivered = [...request].reverse().find((h) => h.kind === 'deliver');
  const reply = delivered && reqSrc ? await tracePath(sandbox, before, delivered.ns, reqSrc, to) : [];

  const devOwner = before.find((s) => s.links.some((l) => l.ifname === captureDev));
  // -w 2 bounds the ping even when the kernel drops the packet silently (a broken tunnel route).
  const ping = `${fromNs ? `ip netns exec ${shQuote(fromNs)} ` : ''}ping -c1 -W1 -w2 ${shQuote(to)}`;
  const runOpts: RunOptions = { timeoutMs: 15_000, ...(opts.signal ? { signal: opts.signal } : {}) };
  // Counters as close around the ping as possible: background traffic (IPv6 neighbour discovery,
  // MLD) moves them too.
  const counted = await readState(sandbox, namespaces);
  const run = await sandbox.run(
    captureScript({ dev: captureDev, ...(devOwner?.ns ? { devNs: devOwner.ns } : {}), count, filter: 'ip', ping }),
    runOpts,
  );
  const parsed = parseCaptureRun(run.stdout);
  const after = await readState(sandbox, namespaces);

  const capture: FlowCapture = { ok: false, packets: [], ...(parsed.tool ? { tool: parsed.tool } : {}) };
  if (parsed.error) capture.error = parsed.error;
  else if (parsed.pcap) {
    const r = parseCapture(parsed.pcap);
    if (!r.ok) capture.error = r.error;
    else {
      capture.ok = true;
      capture.packets = r.file.packets.map(decodePacket);
      Object.assign(capture, pickRequestReply(capture.packets, to));
    }
  } else if (run.timedOut) capture.error = 'timed out';

  return {
    fromNs,
    to,
    captureDev,
    ...(devOwner ? { captureNs: devOwner.ns } : {}),
    namespaces,
    ...(tunnel ? { tunnel } : {}),
    ping: { exitCode: parsed.pingRc, ok: parsed.pingRc === 0, output: parsed.pingOutput },
    capture,
    path: { request, reply },
    counters: counterDeltas(counted, after),
  };
}

// ---------------------------------------------------------------------------------------------
// rendering

function nsLabel(ns: NsName, lang: Lang): string {
  return ns || pm(lang, 'rootNs');
}

function hopLines(h: Hop, k: number, lang: Lang, w: number): string[] {
  const head = `${String(k).padStart(2)}. [${nsLabel(h.ns, lang)}] `;
  const ind = ' '.repeat(head.length);
  const out: string[] = [];
  const push = (first: string, text: string) => {
    const pieces = wrapW(text, w - ind.length);
    pieces.forEach((p, i) => out.push(i === 0 && first ? first + p : ind + p));
  };
  let said: string;
  switch (h.kind) {
    case 'encap':
      said = pm(lang, 'hopEncap', {
        inner: `${h.src} -> ${h.dst}`,
        outerSrc: h.tunnel?.local ?? '?',
        outerDst: h.tunnel?.remote ?? '?',
        kind: `${h.tunnel?.kind ?? '?'}, ${h.dev}`,
      });
      break;
    case 'decap':
      said = pm(lang, 'hopDecap', { dev: h.dev ?? '?', src: h.src, dst: h.dst });
      break;
    case 'forward':
      said = pm(lang, 'hopForward');
      break;
    case 'deliver':
      said = pm(lang, 'hopDeliver', { dst: h.dst, ns: nsLabel(h.ns, lang) });
      break;
    case 'receive':
      said = `${h.src} -> ${h.dst}: local, iif ${h.dev}`;
      break;
    case 'noroute':
      said = pm(lang, 'hopNoRoute', { error: h.error ?? '' });
      break;
    case 'leave':
      said = `${h.src} -> ${h.dst} dev ${h.dev ?? '?'}: ?`;
      break;
    default:
      said = `${h.src} -> ${h.dst}${h.dev ? ` dev ${h.dev}` : ''}`;
  }
  if (h.command) {
    push(head, `$ ${h.command}`);
    if (h.answer) push('', `  ${h.answer}`);
    push('', said);
  } else push(head, said);
  return out;
}

function countersTable(rows: CounterDelta[], lang: Lang, w: number): string[] {
  const shown = rows.filter(
    (r) => r.txPackets > 0 || r.rxPackets > 0 || (r.kind && TUNNEL_KINDS.has(r.kind) && r.dev !== 'tunl0' && r.dev !== 'gre0'),
  );
  const cols = [pm(lang, 'hdrNs'), pm(lang, 'hdrDev'), pm(lang, 'hdrTx'), pm(lang, 'hdrRx'), pm(lang, 'hdrCrossed')];
  const widths = [10, 12, 8, 8, 8];
  const line = (c: string[]) =>
    truncW(
      c
        .map((s, i) => (i >= 2 && i <= 3 ? padStartW(s, widths[i]!) : padEndW(s, widths[i]!)))
        .join('  ')
        .trimEnd(),
      w,
    );
  const out = [line(cols)];
  for (const r of shown)
    out.push(
      line([
        nsLabel(r.ns, lang),
        r.dev,
        String(r.txPackets),
        String(r.rxPackets),
        r.txPackets > 0 || r.rxPackets > 0 ? pm(lang, 'yes') : pm(lang, 'no'),
      ]),
    );
  return out;
}

export function renderFlow(report: FlowReport, lang: Lang = 'en', width = 76): string {
  const w = Math.max(50, width);
  const out: string[] = [];
  const src = report.path.request[0]?.src ?? '?';
  out.push(...wrapW(pm(lang, 'flowTitle', { from: `${report.fromNs} (${src})`, to: report.to }), w));
  out.push('');
  const t = report.tunnel;
  if (t)
    out.push(
      ...wrapW(
        pm(lang, 'flowTunnel', {
          dev: t.dev,
          ns: nsLabel(t.ns, lang),
          kind: t.kind,
          local: t.local ?? 'any',
          remote: t.remote ?? 'any',
          mtu: t.mtu ?? '?',
        }),
        w,
      ),
    );
  else out.push(...wrapW(pm(lang, 'flowNoTunnel', { ns: nsLabel(report.fromNs, lang) }), w));
  out.push(
    ...wrapW(
      pm(lang, 'flowPing', { result: report.ping.ok ? pm(lang, 'pingOk') : pm(lang, 'pingFail', { code: report.ping.exitCode ?? '?' }) }),
      w,
    ),
  );
  const c = report.capture;
  if (!c.ok) out.push(...wrapW(pm(lang, 'flowCaptureFail', { dev: report.captureDev, why: c.error ?? '?' }), w));
  else {
    out.push(pm(lang, 'flowCaptured', { dev: report.captureDev, n: c.packets.length }) + (c.tool === 'dumpcap' ? ` (dumpcap)` : ''));
    out.push('');
    if (c.request) out.push(renderLayers(c.request, { lang, width: w, dev: report.captureDev, note: pm(lang, 'request') }));
    else out.push(...wrapW(pm(lang, 'flowNoRequest', { dev: report.captureDev }), w));
    if (c.reply) out.push(renderLayers(c.reply, { lang, width: w, dev: report.captureDev, note: pm(lang, 'reply') }));
    else out.push(...wrapW(pm(lang, 'flowNoReply', { dev: report.captureDev }), w));
    const rq = c.request && tunnelKind(c.request.layers) ? ipv4Layers(c.request.layers)[0]?.fields.ttl : undefined;
    const rp = c.reply && tunnelKind(c.reply.layers) ? ipv4Layers(c.reply.layers)[0]?.fields.ttl : undefined;
    if (rq !== undefined && rp !== undefined && rp < rq) out.push(...wrapW(pm(lang, 'ttlNote', { req: rq, rep: rp }), w));
  }
  out.push('');
  out.push(pm(lang, 'flowPathTitle'));
  for (const [dir, hops] of [
    ['dirOut', report.path.request],
    ['dirBack', report.path.reply],
  ] as const) {
    if (!hops.length) continue;
    out.push(`${pm(lang, dir)}:`);
    hops.forEach((h, i) => out.push(...hopLines(h, i + 1, lang, w)));
  }
  out.push('');
  out.push(pm(lang, 'flowCountersTitle'));
  out.push(...countersTable(report.counters, lang, w));
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// `tutor flow [NS] [DEST] [--on DEV] [--count N]`

export interface FlowArgs {
  fromNs: string;
  to: string;
  captureDev: string;
  count: number;
}

export function parseFlowArgs(args: readonly string[]): FlowArgs | { error: string } {
  const out: FlowArgs = { fromNs: 'ns1', to: '10.10.200.10', captureDev: 'v1-P', count: 2 };
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--on' || a === '-i') {
      const v = args[++i];
      if (!v) return { error: `${a} needs a device` };
      out.captureDev = v;
    } else if (a.startsWith('--on=')) out.captureDev = a.slice(5);
    else if (a === '--count' || a === '-c') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 50) return { error: 'count must be 1..50' };
      out.count = n;
    } else if (a.startsWith('-')) return { error: `unknown option ${a}` };
    else pos.push(a);
  }
  if (pos.length > 2) return { error: 'too many arguments' };
  const isIp = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
  for (const p of pos) {
    if (isIp(p)) out.to = p;
    else if (/^[A-Za-z0-9_.-]+$/.test(p)) out.fromNs = p;
    else return { error: `not a namespace or IPv4 address: ${p}` };
  }
  return out;
}

export async function flowCommand(sandbox: Sandbox, args: string[], lang: Lang, opts: RunOptions = {}): Promise<string> {
  const parsed = parseFlowArgs(args);
  if ('error' in parsed) return `${parsed.error}\n${pm(lang, 'usageFlow')}`;
  const width = Math.min(76, process.stdout.columns || 76);
  try {
    const report = await analyzeFlow(sandbox, { ...parsed, lang, ...(opts.signal ? { signal: opts.signal } : {}) });
    return renderFlow(report, lang, width);
  } catch (e) {
    return pm(lang, 'flowError', { msg: (e as Error).message });
  }
}
