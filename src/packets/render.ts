// Pure text views of decoded packets for `tutor flow`: the encapsulation drawn as rows with byte
// counts, and an IPIP/GRE side-by-side comparison. (What a learner's tcpdump prints is the real
// tcpdump's business: see src/sandbox/host/tcpdumpRelay.ts.)

import type { Lang } from '../i18n/lang.js';
import { padEnd, padStart, truncate, widthOf, wrapText } from '../text/width.js';
import { tunnelKind, type DecodedPacket, type GreFields, type Layer } from './decode.js';
import { pm } from './messages.js';

// ---------------------------------------------------------------------------------------------
// encapsulation rows

const ETHERTYPE_NAMES: Record<number, string> = { 0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x6558: 'TEB' };
const SLL_DIR = ['In', 'B', 'M', 'P', 'Out'];

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

function boxed(title: string, body: string[], w: number, footer: string[] = []): string[] {
  const inner = w - 4;
  const t = truncate(` ${title} `, Math.max(1, w - 4));
  const out = [`┌─${t}${'─'.repeat(Math.max(0, w - 3 - widthOf(t)))}┐`];
  for (const line of body) out.push(`│ ${padEnd(truncate(line, inner), inner)} │`);
  if (footer.length) {
    out.push(`├${'─'.repeat(w - 2)}┤`);
    for (const line of footer) for (const piece of wrapText(line, inner)) out.push(`│ ${padEnd(piece, inner)} │`);
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
  const label = padEnd(indent + r.label, 12);
  const bytes = pm(lang, 'bytes', { n: r.bytes });
  const bw = Math.max(8, widthOf(bytes) + 1);
  const dw = inner - widthOf(label) - 1 - bw;
  const pieces = r.detail ? wrapText(r.detail, Math.max(8, dw)) : [''];
  return pieces.map((p, k) =>
    `${k === 0 ? label : ' '.repeat(widthOf(label))} ${padEnd(p, dw)}${k === 0 ? padStart(bytes, bw) : ''}`.trimEnd(),
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
    footer.push(
      `${pm(lang, 'mtu', { base, n: enc.overhead, mtu: base - enc.overhead })}${pm(lang, 'sep')}${pm(lang, 'wire', { n: enc.wireBytes })}`,
    );
  } else {
    footer.push(`${pm(lang, 'overheadNone')}${pm(lang, 'sep')}${pm(lang, 'wire', { n: enc.wireBytes })}`);
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
  const left = truncate(`${r.label} ${detail}`.trimEnd(), colW - widthOf(bytes) - 1);
  return padEnd(left, colW - widthOf(bytes)) + bytes;
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
    `${padEnd(truncate(head(ea, a), colW), colW)} │ ${truncate(head(eb, b), colW)}`,
    `${'─'.repeat(colW)}─┼─${'─'.repeat(colW)}`,
  ];
  for (const role of ROLE_ORDER) {
    const ra = ea.rows.filter((r) => r.role === role);
    const rb = eb.rows.filter((r) => r.role === role);
    for (let k = 0; k < Math.max(ra.length, rb.length); k++) {
      const left = ra[k] ? compactRow(ra[k]!, lang, colW) : '';
      const right = rb[k] ? compactRow(rb[k]!, lang, colW) : '';
      lines.push(`${padEnd(left, colW)} │ ${right}`.trimEnd());
    }
  }
  lines.push(`${'─'.repeat(colW)}─┼─${'─'.repeat(colW)}`);
  const foot = (e: Encapsulation) => [
    pm(lang, 'overheadShort', { n: e.overhead }) +
      (e.overheadParts.length > 1 ? ` (${e.overheadParts.map((x) => x.split(' ').pop()).join(' + ')})` : ''),
    pm(lang, 'mtu', { base, n: e.overhead, mtu: base - e.overhead }),
    pm(lang, 'wire', { n: e.wireBytes }),
  ];
  const fa = foot(ea).flatMap((s) => wrapText(s, colW));
  const fb = foot(eb).flatMap((s) => wrapText(s, colW));
  for (let k = 0; k < Math.max(fa.length, fb.length); k++) lines.push(`${padEnd(fa[k] ?? '', colW)} │ ${fb[k] ?? ''}`.trimEnd());
  return lines.join('\n');
}
