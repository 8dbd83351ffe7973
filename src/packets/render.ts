// Pure text views of decoded packets: (a) tcpdump 4.99-style summary lines (the shapes checked
// against real tcpdump output in a UML guest, see test/fixtures/*.tcpdump-*.txt), and (b) the
// encapsulation drawn as rows with byte counts, plus an IPIP/GRE side-by-side comparison.

import stringWidth from 'string-width';
import type { Lang } from '../i18n/lang.js';
import { tunnelKind, type DecodedPacket, type GreFields, type Ipv4Fields, type Layer } from './decode.js';
import { LINKTYPE, linkTypeName, type CaptureFile } from './pcap.js';
import { pm } from './messages.js';

// ---------------------------------------------------------------------------------------------
// (a) tcpdump-style lines

export interface TcpdumpStyle {
  /** -v count. */
  verbose?: number;
  /** -e: print the link-level header. */
  ether?: boolean;
  /** Timestamp zone; tcpdump prints local time. 'none' is tcpdump's -t. */
  time?: 'local' | 'utc' | 'none';
  /** Interface names by ifindex, for Linux cooked v2 captures (tcpdump asks the running system). */
  ifNames?: ReadonlyMap<number, string>;
}

/** The line tcpdump prints to stderr before reading a file. */
export function tcpdumpReadingLine(file: Pick<CaptureFile, 'linkType' | 'snapLen'>, source: string): string {
  return `reading from file ${source}, link-type ${linkTypeName(file.linkType)}, snapshot length ${file.snapLen}`;
}

export function formatTimestamp(tsSec: number, tsNsec: number, zone: 'local' | 'utc'): string {
  const d = new Date(tsSec * 1000);
  const [h, m, s] =
    zone === 'utc' ? [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()] : [d.getHours(), d.getMinutes(), d.getSeconds()];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(h)}:${p2(m)}:${p2(s)}.${String(Math.floor(tsNsec / 1000)).padStart(6, '0')}`;
}

const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x6558: 'TEB' };
const SLL_DIR = ['In', 'B', 'M', 'P', 'Out'];

function ethertype(t: number): string {
  return `ethertype ${ETHERTYPE_NAMES[t] ?? 'Unknown'} (0x${t.toString(16).padStart(4, '0')})`;
}

/** One packet as tcpdump -nn would print it (several lines with -v, like tcpdump). */
export function tcpdumpLine(pkt: DecodedPacket, style: TcpdumpStyle = {}): string {
  const v = style.verbose ?? 0;
  const e = style.ether ?? false;
  const time = style.time ?? 'local';
  let out = time === 'none' ? '' : `${formatTimestamp(pkt.tsSec, pkt.tsNsec, time)} `;
  const layers = pkt.layers;
  let i = 0;
  const first = layers[0];
  if (first?.kind === 'ethernet') {
    if (e) out += `${first.fields.src} > ${first.fields.dst}, ${ethertype(first.fields.etherType)}, length ${pkt.originalLength}: `;
    i = 1;
  } else if (first?.kind === 'sll') {
    const dir = SLL_DIR[first.fields.packetType] ?? '?';
    if (e) out += `${dir.padStart(3)} ${first.fields.addr} ${ethertype(first.fields.protocol)}, length ${pkt.originalLength}: `;
    i = 1;
  } else if (first?.kind === 'sll2') {
    const dir = SLL_DIR[first.fields.packetType] ?? '?';
    const ifname = (first.fields.ifindex !== undefined ? style.ifNames?.get(first.fields.ifindex) : undefined) ?? pkt.interfaceName ?? '?';
    out += `${ifname.padEnd(5)} ${dir.padEnd(3)} `;
    if (e)
      out += `ifindex ${first.fields.ifindex} ${first.fields.addr} ${ethertype(first.fields.protocol)}, length ${pkt.originalLength}: `;
    i = 1;
  } else if (e && (pkt.linkType === LINKTYPE.RAW || pkt.linkType === LINKTYPE.IPV4)) {
    out += 'ip: ';
  }
  out += network(layers, i, v, e);
  return out;
}

function network(layers: readonly Layer[], i: number, v: number, e: boolean): string {
  const l = layers[i];
  if (!l) return '';
  switch (l.kind) {
    case 'ipv4':
      return ipv4Text(layers, i, v, e);
    case 'ipv6': {
      const f = l.fields;
      const next = layers[i + 1];
      const rest =
        next && next.kind !== 'payload' && next.kind !== 'truncated'
          ? network(layers, i + 1, v, e)
          : `ip-proto-${f.nextHeader} ${f.payloadLength}`;
      return `${e ? '' : 'IP6 '}${f.src} > ${f.dst}: ${rest}`;
    }
    case 'arp': {
      const f = l.fields;
      const what =
        f.op === 1
          ? `Request who-has ${f.targetIp} tell ${f.senderIp}`
          : f.op === 2
            ? `Reply ${f.senderIp} is-at ${f.senderMac}`
            : `op ${f.op}`;
      return `ARP, ${what}, length 28`;
    }
    case 'truncated':
      return `[|${l.fields.what}]`;
    case 'payload':
      return `length ${l.fields.length}`;
    default:
      return transport(layers, i, '', '');
  }
}

function ipv4Flags(f: Ipv4Fields): string {
  const parts = [f.mf ? '+' : '', f.df ? 'DF' : ''].filter(Boolean);
  return parts.length ? parts.join('') : 'none';
}

function ipv4Text(layers: readonly Layer[], i: number, v: number, e: boolean): string {
  const l = layers[i];
  if (l?.kind !== 'ipv4') return '';
  const f = l.fields;
  const proto = f.protocolName.startsWith('unknown') ? `unknown (${f.protocol})` : `${f.protocolName} (${f.protocol})`;
  let head = '';
  if (v > 0) {
    head = `${e ? '' : 'IP '}(tos 0x${f.tos.toString(16)}, ttl ${f.ttl}, id ${f.id}, offset ${f.fragmentOffset}, flags [${ipv4Flags(f)}], proto ${proto}, length ${f.totalLength}`;
    if (!f.checksumOk) head += `, bad cksum ${f.checksum.toString(16)}!`;
    head += `)\n    ${f.src} > ${f.dst}: `;
  } else {
    head = `${e ? '' : 'IP '}${f.src} > ${f.dst}: `;
  }
  const next = layers[i + 1];
  if (!next) return head.trimEnd();
  if (next.kind === 'tcp' || next.kind === 'udp')
    return (v > 0 ? head.slice(0, head.lastIndexOf(`${f.src} > `)) : e ? '' : 'IP ') + transport(layers, i + 1, f.src, f.dst);
  if (next.kind === 'ipv4' || next.kind === 'ipv6') return head + network(layers, i + 1, v, e);
  if (next.kind === 'icmp') {
    const c = next.fields;
    const idseq = c.id !== undefined ? `, id ${c.id}, seq ${c.seq}` : '';
    const trunc = layers[i + 2]?.kind === 'truncated' ? ' [|icmp]' : '';
    return `${head}ICMP ${c.typeName}${idseq}, length ${c.length}${trunc}`;
  }
  if (next.kind === 'gre') return head + greText(layers, i + 1, v, e);
  if (next.kind === 'truncated') return `${head}[|${next.fields.what}]`;
  if (next.kind === 'payload')
    return `${head}${v > 0 ? '' : `${f.protocolName.startsWith('unknown') ? `ip-proto-${f.protocol}` : f.protocolName} `}${next.fields.length}`.trimEnd();
  return head + network(layers, i + 1, v, e);
}

function greText(layers: readonly Layer[], i: number, v: number, e: boolean): string {
  const l = layers[i];
  if (l?.kind !== 'gre') return '';
  const g = l.fields;
  let s = `GREv${g.version}`;
  if (v > 0) {
    const fl = [
      g.checksumPresent && 'checksum present',
      g.routingPresent && 'routing present',
      g.keyPresent && 'key present',
      g.seqPresent && 'sequence# present',
    ].filter(Boolean);
    s += `, Flags [${fl.length ? fl.join(', ') : 'none'}]`;
    if (g.checksumPresent) s += `, sum 0x${(g.checksum ?? 0).toString(16)}`;
  }
  if (g.checksumPresent || g.routingPresent) s += `, off 0x${(g.offset ?? 0).toString(16)}`;
  if (g.keyPresent) s += `, key=0x${(g.key ?? 0).toString(16)}`;
  if (g.seqPresent) s += `, seq ${g.seq}`;
  if (e) s += `, proto ${ETHERTYPE_NAMES[g.protocolType] ?? 'Unknown'} (0x${g.protocolType.toString(16).padStart(4, '0')})`;
  s += `, length ${g.length}`;
  const next = layers[i + 1];
  if (!next || next.kind === 'payload') return s;
  return s + (v > 0 ? '\n\t' : ': ') + network(layers, i + 1, v, e);
}

function transport(layers: readonly Layer[], i: number, src: string, dst: string): string {
  const l = layers[i];
  const dataLen = layers[i + 1]?.kind === 'payload' ? (layers[i + 1] as { fields: { length: number } }).fields.length : 0;
  if (l?.kind === 'tcp') return `${src}.${l.fields.srcPort} > ${dst}.${l.fields.dstPort}: Flags [${l.fields.flags}], length ${dataLen}`;
  if (l?.kind === 'udp') return `${src}.${l.fields.srcPort} > ${dst}.${l.fields.dstPort}: UDP, length ${Math.max(0, l.fields.length - 8)}`;
  return l ? l.name : '';
}

// ---------------------------------------------------------------------------------------------
// (b) encapsulation rows

export type RowRole = 'link' | 'outer' | 'tunnel' | 'inner' | 'l4' | 'data' | 'other';

export interface EncapRow {
  role: RowRole;
  /** Nesting depth: 0 link, 1 outer IP, 2 what the outer IP carries, ... */
  depth: number;
  label: string;
  detail: string;
  bytes: number;
}

export interface Encapsulation {
  kind: 'ipip' | 'gre' | 'sit' | 'plain';
  rows: EncapRow[];
  /** Bytes the tunnel adds: the outer IPv4 header plus any GRE header. */
  overhead: number;
  overheadParts: string[];
  wireBytes: number;
}

function greDetail(g: GreFields, lang: Lang): string {
  const opts = [g.checksumPresent && 'csum', g.keyPresent && `key ${g.key}`, g.seqPresent && `seq ${g.seq}`].filter(Boolean).join(' ');
  const name = ETHERTYPE_NAMES[g.protocolType] ?? '?';
  return `${pm(lang, 'greProto', { hex: g.protocolType.toString(16).padStart(4, '0'), name })} ${opts || pm(lang, 'greFlagsNone')}`;
}

export function encapsulation(pkt: DecodedPacket, lang: Lang = 'en'): Encapsulation {
  const rows: EncapRow[] = [];
  const kind = tunnelKind(pkt.layers) ?? 'plain';
  let ipSeen = 0;
  let depth = 0;
  let overhead = 0;
  const overheadParts: string[] = [];
  for (let i = 0; i < pkt.layers.length; i++) {
    const l = pkt.layers[i]!;
    switch (l.kind) {
      case 'ethernet':
        rows.push({
          role: 'link',
          depth: 0,
          label: pm(lang, 'ethernet'),
          detail: `${l.fields.src} -> ${l.fields.dst}`,
          bytes: l.headerLength,
        });
        break;
      case 'sll':
      case 'sll2':
        rows.push({
          role: 'link',
          depth: 0,
          label: pm(lang, 'cooked'),
          detail: `${SLL_DIR[l.fields.packetType] ?? '?'} ${l.fields.addr}`,
          bytes: l.headerLength,
        });
        break;
      case 'ipv4': {
        const f = l.fields;
        const isOuter = ipSeen === 0 && kind !== 'plain';
        const label = kind === 'plain' && ipSeen === 0 ? pm(lang, 'ipv4') : isOuter ? pm(lang, 'outerIp') : pm(lang, 'innerIp');
        const role: RowRole = isOuter ? 'outer' : kind === 'plain' && ipSeen === 0 ? 'outer' : 'inner';
        depth++;
        rows.push({
          role,
          depth,
          label,
          detail: `${f.src} -> ${f.dst} ttl ${f.ttl} proto ${f.protocol} (${f.protocolName})`,
          bytes: l.headerLength,
        });
        if (isOuter) {
          overhead += l.headerLength;
          overheadParts.push(`${pm(lang, 'outerIp')} ${l.headerLength}`);
        }
        ipSeen++;
        break;
      }
      case 'ipv6':
        depth++;
        rows.push({
          role: ipSeen === 0 ? 'outer' : 'inner',
          depth,
          label: pm(lang, 'ipv6'),
          detail: `${l.fields.src} -> ${l.fields.dst} hlim ${l.fields.hopLimit}`,
          bytes: l.headerLength,
        });
        ipSeen++;
        break;
      case 'gre':
        depth++;
        rows.push({ role: 'tunnel', depth, label: pm(lang, 'greHeader'), detail: greDetail(l.fields, lang), bytes: l.headerLength });
        overhead += l.headerLength;
        overheadParts.push(`GRE ${l.headerLength}`);
        break;
      case 'icmp': {
        const c = l.fields;
        const idseq = c.id !== undefined ? ` id ${c.id} seq ${c.seq}` : '';
        rows.push({
          role: 'l4',
          depth: depth + 1,
          label: pm(lang, 'icmp'),
          detail: `${c.typeName}${idseq} (8 + ${Math.max(0, c.length - 8)})`,
          bytes: c.length,
        });
        i = skipPayload(pkt.layers, i);
        break;
      }
      case 'tcp':
      case 'udp': {
        const rest = pkt.layers[i + 1]?.kind === 'payload' ? (pkt.layers[i + 1] as { fields: { length: number } }).fields.length : 0;
        rows.push({
          role: 'l4',
          depth: depth + 1,
          label: pm(lang, l.kind),
          detail: `${l.fields.srcPort} -> ${l.fields.dstPort}`,
          bytes: l.headerLength + rest,
        });
        i = skipPayload(pkt.layers, i);
        break;
      }
      case 'arp':
        rows.push({
          role: 'other',
          depth: 1,
          label: pm(lang, 'arp'),
          detail: `${l.fields.senderIp} -> ${l.fields.targetIp}`,
          bytes: l.headerLength,
        });
        break;
      case 'payload':
        rows.push({ role: 'data', depth: depth + 1, label: pm(lang, 'data'), detail: '', bytes: l.fields.length });
        break;
      case 'truncated':
        rows.push({ role: 'other', depth: depth + 1, label: '!', detail: pm(lang, 'truncatedLayer', l.fields), bytes: l.fields.have });
        break;
    }
  }
  return { kind, rows, overhead, overheadParts, wireBytes: pkt.originalLength };
}

function skipPayload(layers: readonly Layer[], i: number): number {
  return layers[i + 1]?.kind === 'payload' ? i + 1 : i;
}

// ---------------------------------------------------------------------------------------------
// width helpers (CJK is double width)

export function width(s: string): number {
  return stringWidth(s);
}

export function padEndW(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - stringWidth(s)));
}

export function padStartW(s: string, w: number): string {
  return ' '.repeat(Math.max(0, w - stringWidth(s))) + s;
}

/** Cut to at most `w` columns, marking the cut with '…'. */
export function truncW(s: string, w: number): string {
  if (stringWidth(s) <= w) return s;
  let out = '';
  for (const ch of s) {
    if (stringWidth(out + ch) > w - 1) break;
    out += ch;
  }
  return out + '…';
}

/** Split text into lines of at most `w` columns, breaking at spaces where possible. */
export function wrapW(s: string, w: number): string[] {
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    for (const word of para.split(/(?<= )/)) {
      if (stringWidth(line + word.trimEnd()) <= w) {
        line += word;
        continue;
      }
      if (line.trim()) out.push(line.trimEnd());
      line = '';
      let rest = word;
      while (stringWidth(rest.trimEnd()) > w) {
        let cut = '';
        for (const ch of rest) {
          if (stringWidth(cut + ch) > w) break;
          cut += ch;
        }
        out.push(cut);
        rest = rest.slice(cut.length);
      }
      line = rest;
    }
    out.push(line.trimEnd());
  }
  return out;
}

function boxed(title: string, body: string[], w: number, footer: string[] = []): string[] {
  const inner = w - 4;
  const t = truncW(` ${title} `, Math.max(1, w - 4));
  const out = [`┌─${t}${'─'.repeat(Math.max(0, w - 3 - stringWidth(t)))}┐`];
  for (const line of body) out.push(`│ ${padEndW(truncW(line, inner), inner)} │`);
  if (footer.length) {
    out.push(`├${'─'.repeat(w - 2)}┤`);
    for (const line of footer) for (const piece of wrapW(line, inner)) out.push(`│ ${padEndW(piece, inner)} │`);
  }
  out.push(`└${'─'.repeat(w - 2)}┘`);
  return out;
}

export interface LayerViewOptions {
  lang?: Lang;
  width?: number;
  /** Capture device, shown in the title. */
  dev?: string;
  /** 'request' / 'reply' etc., shown in the title. */
  note?: string;
  /** MTU of the device the outer packet leaves through (1500 for the veths). */
  underlayMtu?: number;
}

function rowLines(r: EncapRow, inner: number, lang: Lang): string[] {
  const indent = ' '.repeat(Math.max(0, r.depth - 1));
  const label = padEndW(indent + r.label, 12);
  const bytes = pm(lang, 'bytes', { n: r.bytes });
  const bw = Math.max(8, stringWidth(bytes) + 1);
  const dw = inner - stringWidth(label) - 1 - bw;
  const pieces = r.detail ? wrapW(r.detail, Math.max(8, dw)) : [''];
  return pieces.map((p, k) =>
    `${k === 0 ? label : ' '.repeat(stringWidth(label))} ${padEndW(p, dw)}${k === 0 ? padStartW(bytes, bw) : ''}`.trimEnd(),
  );
}

/** The encapsulation of one packet, one row per header, with byte counts and the mtu arithmetic. */
export function renderLayers(pkt: DecodedPacket, opts: LayerViewOptions = {}): string {
  const lang = opts.lang ?? 'en';
  const w = Math.max(40, opts.width ?? 76);
  const enc = encapsulation(pkt, lang);
  const inner = w - 4;
  const body = enc.rows.flatMap((r) => rowLines(r, inner, lang));
  const kindName = enc.kind === 'plain' ? pm(lang, 'plain') : enc.kind.toUpperCase();
  const where = opts.dev ? pm(lang, 'onDev', { dev: opts.dev }) : '';
  const note = opts.note ? pm(lang, 'titleNote', { note: opts.note }) : '';
  const title = pm(lang, 'packetTitle', { kind: kindName, where, note });
  const footer: string[] = [];
  if (enc.overhead > 0) {
    const base = opts.underlayMtu ?? 1500;
    footer.push(pm(lang, 'overhead', { n: enc.overhead, parts: enc.overheadParts.join(' + ') }));
    footer.push(`${pm(lang, 'mtu', { base, n: enc.overhead, mtu: base - enc.overhead })}; ${pm(lang, 'wire', { n: enc.wireBytes })}`);
  } else {
    footer.push(`${pm(lang, 'overheadNone')}; ${pm(lang, 'wire', { n: enc.wireBytes })}`);
  }
  return boxed(title, body, w, footer).join('\n');
}

const ROLE_ORDER: RowRole[] = ['link', 'outer', 'tunnel', 'inner', 'l4', 'data', 'other'];

function compactRow(r: EncapRow, lang: Lang, colW: number): string {
  const bytes = pm(lang, 'bytes', { n: r.bytes });
  let detail = '';
  if (r.role === 'outer' || r.role === 'inner') detail = r.detail.replace(/^.* (proto \d+ \(\w+\))$/, '$1');
  else if (r.role === 'tunnel') detail = r.detail.split(' ').slice(0, 2).join(' ');
  else if (r.role === 'l4') detail = r.detail.replace(/ id .*$/, '').replace(/ \(8 \+ \d+\)$/, '');
  const left = truncW(`${r.label} ${detail}`.trimEnd(), colW - stringWidth(bytes) - 1);
  return padEndW(left, colW - stringWidth(bytes)) + bytes;
}

/** IPIP and GRE side by side: the same inner packet, different headers, different overhead and mtu. */
export function renderCompare(
  a: DecodedPacket,
  b: DecodedPacket,
  opts: { lang?: Lang; width?: number; underlayMtu?: number } = {},
): string {
  const lang = opts.lang ?? 'en';
  const w = Math.max(50, opts.width ?? 76);
  const colW = Math.floor((w - 3) / 2);
  const ea = encapsulation(a, lang);
  const eb = encapsulation(b, lang);
  const base = opts.underlayMtu ?? 1500;
  const head = (e: Encapsulation, p: DecodedPacket) => {
    const outer = p.layers.find((l) => l.kind === 'ipv4');
    return `${e.kind === 'plain' ? pm(lang, 'plain') : e.kind.toUpperCase()}${outer?.kind === 'ipv4' ? ` (proto ${outer.fields.protocol})` : ''}`;
  };
  const lines: string[] = [
    pm(lang, 'compareTitle'),
    `${padEndW(truncW(head(ea, a), colW), colW)} │ ${truncW(head(eb, b), colW)}`,
    `${'─'.repeat(colW)}─┼─${'─'.repeat(colW)}`,
  ];
  for (const role of ROLE_ORDER) {
    const ra = ea.rows.filter((r) => r.role === role);
    const rb = eb.rows.filter((r) => r.role === role);
    for (let k = 0; k < Math.max(ra.length, rb.length); k++) {
      const left = ra[k] ? compactRow(ra[k]!, lang, colW) : '';
      const right = rb[k] ? compactRow(rb[k]!, lang, colW) : '';
      lines.push(`${padEndW(left, colW)} │ ${right}`.trimEnd());
    }
  }
  lines.push(`${'─'.repeat(colW)}─┼─${'─'.repeat(colW)}`);
  const foot = (e: Encapsulation) => [
    pm(lang, 'overheadShort', { n: e.overhead }) +
      (e.overheadParts.length > 1 ? ` (${e.overheadParts.map((x) => x.split(' ').pop()).join(' + ')})` : ''),
    pm(lang, 'mtu', { base, n: e.overhead, mtu: base - e.overhead }),
    pm(lang, 'wire', { n: e.wireBytes }),
  ];
  const fa = foot(ea).flatMap((s) => wrapW(s, colW));
  const fb = foot(eb).flatMap((s) => wrapW(s, colW));
  for (let k = 0; k < Math.max(fa.length, fb.length); k++) lines.push(`${padEndW(fa[k] ?? '', colW)} │ ${fb[k] ?? ''}`.trimEnd());
  return lines.join('\n');
}
