// Decode a captured frame into layers, outermost first: link header, IPv4, then by protocol
// ICMP, IPIP (an inner IPv4 packet, decoded the same way), GRE (with its optional checksum, key
// and sequence fields, then the inner packet), TCP/UDP ports. Every layer records its header
// length in bytes, so the encapsulation overhead can be read off the layers. Never throws: short
// data ends the list with a `truncated` layer.

import { LINKTYPE, type CapturedPacket } from './pcap.js';

export interface EthernetFields {
  src: string;
  dst: string;
  etherType: number;
}
export interface SllFields {
  /** 0 host, 1 broadcast, 2 multicast, 3 otherhost, 4 outgoing. */
  packetType: number;
  arphrdType: number;
  addr: string;
  protocol: number;
  /** SLL2 only. */
  ifindex?: number;
}
export interface Ipv4Fields {
  version: number;
  /** Header length in 32-bit words. */
  ihl: number;
  tos: number;
  totalLength: number;
  id: number;
  df: boolean;
  mf: boolean;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  protocolName: string;
  checksum: number;
  checksumOk: boolean;
  src: string;
  dst: string;
}
export interface Ipv6Fields {
  src: string;
  dst: string;
  nextHeader: number;
  payloadLength: number;
  hopLimit: number;
}
export interface IcmpFields {
  type: number;
  code: number;
  /** 'echo request', 'echo reply', ... or `type N`. */
  typeName: string;
  checksum: number;
  id?: number;
  seq?: number;
  /** ICMP message length (header + data), as tcpdump's `length`. */
  length: number;
}
export interface GreFields {
  checksumPresent: boolean;
  routingPresent: boolean;
  keyPresent: boolean;
  seqPresent: boolean;
  version: number;
  protocolType: number;
  checksum?: number;
  offset?: number;
  key?: number;
  seq?: number;
  /** GRE header + payload, as tcpdump's `length`. */
  length: number;
}
export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: string;
}
export interface UdpFields {
  srcPort: number;
  dstPort: number;
  length: number;
}
export interface ArpFields {
  op: number;
  senderIp: string;
  targetIp: string;
  senderMac: string;
}

interface L<K extends string, N extends string, F> {
  kind: K;
  name: N;
  headerLength: number;
  fields: F;
}
export type EthernetLayer = L<'ethernet', 'Ethernet', EthernetFields>;
export type SllLayer = L<'sll', 'Linux cooked', SllFields>;
export type Sll2Layer = L<'sll2', 'Linux cooked v2', SllFields>;
export type Ipv4Layer = L<'ipv4', 'IPv4', Ipv4Fields>;
export type Ipv6Layer = L<'ipv6', 'IPv6', Ipv6Fields>;
export type IcmpLayer = L<'icmp', 'ICMP', IcmpFields>;
export type GreLayer = L<'gre', 'GRE', GreFields>;
export type TcpLayer = L<'tcp', 'TCP', TcpFields>;
export type UdpLayer = L<'udp', 'UDP', UdpFields>;
export type ArpLayer = L<'arp', 'ARP', ArpFields>;
/** Bytes left that no decoder here understands (or the ICMP/TCP/UDP data). */
export type PayloadLayer = L<'payload', 'payload', { length: number }>;
/** The data ended before a header did. */
export type TruncatedLayer = L<'truncated', 'truncated', { what: string; need: number; have: number }>;

export type Layer =
  | EthernetLayer
  | SllLayer
  | Sll2Layer
  | Ipv4Layer
  | Ipv6Layer
  | IcmpLayer
  | GreLayer
  | TcpLayer
  | UdpLayer
  | ArpLayer
  | PayloadLayer
  | TruncatedLayer;

export interface DecodedPacket {
  index: number;
  tsSec: number;
  tsNsec: number;
  linkType: number;
  originalLength: number;
  capturedLength: number;
  interfaceName?: string;
  layers: Layer[];
}

export const IP_PROTO_NAMES: Record<number, string> = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IPIP',
  6: 'TCP',
  17: 'UDP',
  41: 'IPv6',
  47: 'GRE',
  50: 'ESP',
  58: 'ICMPv6',
};

const ICMP_TYPES: Record<number, string> = {
  0: 'echo reply',
  3: 'unreachable',
  4: 'source quench',
  5: 'redirect',
  8: 'echo request',
  11: 'time exceeded',
  12: 'parameter problem',
};

const MAX_DEPTH = 8;

export function decodePacket(pkt: CapturedPacket): DecodedPacket {
  return {
    index: pkt.index,
    tsSec: pkt.tsSec,
    tsNsec: pkt.tsNsec,
    linkType: pkt.linkType,
    originalLength: pkt.originalLength,
    capturedLength: pkt.capturedLength,
    ...(pkt.interfaceName !== undefined ? { interfaceName: pkt.interfaceName } : {}),
    layers: decodeFrame(pkt.linkType, pkt.data),
  };
}

/** Decode one frame of the given link type into layers. */
export function decodeFrame(linkType: number, data: Uint8Array): Layer[] {
  const layers: Layer[] = [];
  try {
    const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
    switch (linkType) {
      case LINKTYPE.ETHERNET:
        ethernet(v, 0, data.byteLength, layers, 0);
        break;
      case LINKTYPE.LINUX_SLL:
        sll(v, layers);
        break;
      case LINKTYPE.LINUX_SLL2:
        sll2(v, layers);
        break;
      case LINKTYPE.RAW:
      case LINKTYPE.IPV4:
        if (data.byteLength > 0 && data[0]! >> 4 === 6) ipv6(v, 0, data.byteLength, layers, 0);
        else ipv4(v, 0, data.byteLength, layers, 0);
        break;
      default:
        layers.push(payload(data.byteLength));
    }
  } catch (e) {
    // A decoder bug must not take the caller down; what was decoded so far stays.
    layers.push({
      kind: 'truncated',
      name: 'truncated',
      headerLength: 0,
      fields: { what: `decoder error: ${(e as Error).message}`, need: 0, have: 0 },
    });
  }
  return layers;
}

function payload(length: number): PayloadLayer {
  return { kind: 'payload', name: 'payload', headerLength: 0, fields: { length: Math.max(0, length) } };
}

function truncated(layers: Layer[], what: string, need: number, have: number): void {
  layers.push({ kind: 'truncated', name: 'truncated', headerLength: 0, fields: { what, need, have: Math.max(0, have) } });
}

function mac(v: DataView, off: number, len = 6): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++)
    parts.push(
      v
        .getUint8(off + i)
        .toString(16)
        .padStart(2, '0'),
    );
  return parts.join(':');
}

function ip4(v: DataView, off: number): string {
  return `${v.getUint8(off)}.${v.getUint8(off + 1)}.${v.getUint8(off + 2)}.${v.getUint8(off + 3)}`;
}

function ip6(v: DataView, off: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(v.getUint16(off + i * 2, false));
  // RFC 5952: compress the longest run (length >= 2) of zero groups.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function byEtherType(v: DataView, off: number, end: number, type: number, layers: Layer[], depth: number): void {
  if (type === 0x0800) ipv4(v, off, end, layers, depth);
  else if (type === 0x86dd) ipv6(v, off, end, layers, depth);
  else if (type === 0x0806) arp(v, off, end, layers);
  else if (type === 0x6558) ethernet(v, off, end, layers, depth + 1);
  else layers.push(payload(end - off));
}

function ethernet(v: DataView, off: number, end: number, layers: Layer[], depth: number): void {
  if (end - off < 14) return truncated(layers, 'Ethernet', 14, end - off);
  const type = v.getUint16(off + 12, false);
  layers.push({
    kind: 'ethernet',
    name: 'Ethernet',
    headerLength: 14,
    fields: { dst: mac(v, off), src: mac(v, off + 6), etherType: type },
  });
  byEtherType(v, off + 14, end, type, layers, depth);
}

function sll(v: DataView, layers: Layer[]): void {
  if (v.byteLength < 16) return truncated(layers, 'Linux cooked header', 16, v.byteLength);
  const halen = Math.min(v.getUint16(4, false), 8);
  const fields: SllFields = {
    packetType: v.getUint16(0, false),
    arphrdType: v.getUint16(2, false),
    addr: mac(v, 6, halen),
    protocol: v.getUint16(14, false),
  };
  layers.push({ kind: 'sll', name: 'Linux cooked', headerLength: 16, fields });
  byEtherType(v, 16, v.byteLength, fields.protocol, layers, 0);
}

function sll2(v: DataView, layers: Layer[]): void {
  if (v.byteLength < 20) return truncated(layers, 'Linux cooked v2 header', 20, v.byteLength);
  const halen = Math.min(v.getUint8(11), 8);
  const fields: SllFields = {
    protocol: v.getUint16(0, false),
    ifindex: v.getUint32(4, false),
    arphrdType: v.getUint16(8, false),
    packetType: v.getUint8(10),
    addr: mac(v, 12, halen),
  };
  layers.push({ kind: 'sll2', name: 'Linux cooked v2', headerLength: 20, fields });
  byEtherType(v, 20, v.byteLength, fields.protocol, layers, 0);
}

/** The Internet checksum of a header is correct when the one's-complement sum over it is 0xffff. */
export function internetChecksum(v: DataView, off: number, len: number): number {
  let sum = 0;
  for (let i = 0; i + 1 < len; i += 2) sum += v.getUint16(off + i, false);
  if (len % 2 === 1) sum += v.getUint8(off + len - 1) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4(v: DataView, off: number, end: number, layers: Layer[], depth: number): void {
  if (end - off < 20) return truncated(layers, 'IPv4 header', 20, end - off);
  const vihl = v.getUint8(off);
  const version = vihl >> 4;
  const ihl = vihl & 0x0f;
  const hlen = ihl * 4;
  if (version !== 4 || hlen < 20) {
    layers.push(payload(end - off));
    return;
  }
  if (end - off < hlen) return truncated(layers, 'IPv4 header', hlen, end - off);
  const totalLength = v.getUint16(off + 2, false);
  const fragField = v.getUint16(off + 6, false);
  const protocol = v.getUint8(off + 9);
  const fields: Ipv4Fields = {
    version,
    ihl,
    tos: v.getUint8(off + 1),
    totalLength,
    id: v.getUint16(off + 4, false),
    df: (fragField & 0x4000) !== 0,
    mf: (fragField & 0x2000) !== 0,
    fragmentOffset: (fragField & 0x1fff) * 8,
    ttl: v.getUint8(off + 8),
    protocol,
    protocolName: IP_PROTO_NAMES[protocol] ?? `unknown (${protocol})`,
    checksum: v.getUint16(off + 10, false),
    checksumOk: internetChecksum(v, off, hlen) === 0,
    src: ip4(v, off + 12),
    dst: ip4(v, off + 16),
  };
  layers.push({ kind: 'ipv4', name: 'IPv4', headerLength: hlen, fields });
  // The packet ends at its total length (Ethernet may pad short frames), or where the capture ends.
  const pend = totalLength >= hlen ? Math.min(end, off + totalLength) : end;
  const p = off + hlen;
  if (fields.fragmentOffset > 0) {
    layers.push(payload(pend - p));
    return;
  }
  byIpProtocol(v, p, pend, protocol, layers, depth, totalLength >= hlen ? totalLength - hlen : pend - p);
}

function byIpProtocol(
  v: DataView,
  p: number,
  pend: number,
  protocol: number,
  layers: Layer[],
  depth: number,
  declaredPayload: number,
): void {
  if (depth >= MAX_DEPTH && (protocol === 4 || protocol === 41 || protocol === 47)) {
    layers.push(payload(pend - p));
    return;
  }
  switch (protocol) {
    case 1:
      return icmp(v, p, pend, layers, declaredPayload);
    case 4:
      return ipv4(v, p, pend, layers, depth + 1);
    case 41:
      return ipv6(v, p, pend, layers, depth + 1);
    case 47:
      return gre(v, p, pend, layers, depth + 1, declaredPayload);
    case 6:
      return tcp(v, p, pend, layers);
    case 17:
      return udp(v, p, pend, layers);
    default:
      layers.push(payload(pend - p));
  }
}

function ipv6(v: DataView, off: number, end: number, layers: Layer[], depth: number): void {
  if (end - off < 40) return truncated(layers, 'IPv6 header', 40, end - off);
  const payloadLength = v.getUint16(off + 4, false);
  const nextHeader = v.getUint8(off + 6);
  layers.push({
    kind: 'ipv6',
    name: 'IPv6',
    headerLength: 40,
    fields: { payloadLength, nextHeader, hopLimit: v.getUint8(off + 7), src: ip6(v, off + 8), dst: ip6(v, off + 24) },
  });
  const pend = Math.min(end, off + 40 + payloadLength);
  if (nextHeader === 4 || nextHeader === 47 || nextHeader === 6 || nextHeader === 17)
    byIpProtocol(v, off + 40, pend, nextHeader, layers, depth, payloadLength);
  else layers.push(payload(pend - off - 40));
}

function icmp(v: DataView, off: number, end: number, layers: Layer[], declared: number): void {
  if (end - off < 4) return truncated(layers, 'ICMP header', 8, end - off);
  const type = v.getUint8(off);
  const code = v.getUint8(off + 1);
  const fields: IcmpFields = {
    type,
    code,
    typeName: ICMP_TYPES[type] ?? `type ${type}`,
    checksum: v.getUint16(off + 2, false),
    length: declared,
  };
  if ((type === 0 || type === 8) && end - off >= 8) {
    fields.id = v.getUint16(off + 4, false);
    fields.seq = v.getUint16(off + 6, false);
  }
  const hlen = Math.min(8, end - off);
  layers.push({ kind: 'icmp', name: 'ICMP', headerLength: 8, fields });
  if (end - off < 8) return truncated(layers, 'ICMP header', 8, end - off);
  if (end - off - hlen > 0) layers.push(payload(end - off - hlen));
}

function gre(v: DataView, off: number, end: number, layers: Layer[], depth: number, declared: number): void {
  if (end - off < 4) return truncated(layers, 'GRE header', 4, end - off);
  const flags = v.getUint16(off, false);
  const fields: GreFields = {
    checksumPresent: (flags & 0x8000) !== 0,
    routingPresent: (flags & 0x4000) !== 0,
    keyPresent: (flags & 0x2000) !== 0,
    seqPresent: (flags & 0x1000) !== 0,
    version: flags & 0x7,
    protocolType: v.getUint16(off + 2, false),
    length: declared,
  };
  let hlen = 4;
  const need = 4 + (fields.checksumPresent || fields.routingPresent ? 4 : 0) + (fields.keyPresent ? 4 : 0) + (fields.seqPresent ? 4 : 0);
  if (end - off < need) return truncated(layers, 'GRE header', need, end - off);
  if (fields.checksumPresent || fields.routingPresent) {
    fields.checksum = v.getUint16(off + 4, false);
    fields.offset = v.getUint16(off + 6, false);
    hlen += 4;
  }
  if (fields.keyPresent) {
    fields.key = v.getUint32(off + hlen, false);
    hlen += 4;
  }
  if (fields.seqPresent) {
    fields.seq = v.getUint32(off + hlen, false);
    hlen += 4;
  }
  layers.push({ kind: 'gre', name: 'GRE', headerLength: hlen, fields });
  if (fields.version !== 0 || fields.routingPresent) {
    layers.push(payload(end - off - hlen));
    return;
  }
  byEtherType(v, off + hlen, end, fields.protocolType, layers, depth);
}

function tcp(v: DataView, off: number, end: number, layers: Layer[]): void {
  if (end - off < 20) return truncated(layers, 'TCP header', 20, end - off);
  const hlen = (v.getUint8(off + 12) >> 4) * 4;
  const f = v.getUint8(off + 13);
  const names: [number, string][] = [
    [0x02, 'S'],
    [0x01, 'F'],
    [0x04, 'R'],
    [0x08, 'P'],
    [0x10, '.'],
    [0x20, 'U'],
    [0x40, 'E'],
    [0x80, 'W'],
  ];
  const flags = names
    .filter(([b]) => f & b)
    .map(([, n]) => n)
    .join('');
  layers.push({
    kind: 'tcp',
    name: 'TCP',
    headerLength: Math.max(20, hlen),
    fields: {
      srcPort: v.getUint16(off, false),
      dstPort: v.getUint16(off + 2, false),
      seq: v.getUint32(off + 4, false),
      ack: v.getUint32(off + 8, false),
      flags: flags || 'none',
    },
  });
  if (end - off - Math.max(20, hlen) > 0) layers.push(payload(end - off - Math.max(20, hlen)));
}

function udp(v: DataView, off: number, end: number, layers: Layer[]): void {
  if (end - off < 8) return truncated(layers, 'UDP header', 8, end - off);
  layers.push({
    kind: 'udp',
    name: 'UDP',
    headerLength: 8,
    fields: { srcPort: v.getUint16(off, false), dstPort: v.getUint16(off + 2, false), length: v.getUint16(off + 4, false) },
  });
  if (end - off - 8 > 0) layers.push(payload(end - off - 8));
}

function arp(v: DataView, off: number, end: number, layers: Layer[]): void {
  if (end - off < 28) return truncated(layers, 'ARP', 28, end - off);
  layers.push({
    kind: 'arp',
    name: 'ARP',
    headerLength: 28,
    fields: { op: v.getUint16(off + 6, false), senderMac: mac(v, off + 8), senderIp: ip4(v, off + 14), targetIp: ip4(v, off + 24) },
  });
}

/** The IPv4 layers of a packet, outermost first (two for an IPIP or GRE packet). */
export function ipv4Layers(layers: readonly Layer[]): Ipv4Layer[] {
  return layers.filter((l): l is Ipv4Layer => l.kind === 'ipv4');
}

/** Which tunnel encapsulation a decoded packet carries, if any. */
export function tunnelKind(layers: readonly Layer[]): 'ipip' | 'gre' | 'sit' | undefined {
  const ips = ipv4Layers(layers);
  const outer = ips[0];
  if (!outer) return undefined;
  if (outer.fields.protocol === 4) return 'ipip';
  if (outer.fields.protocol === 47) return 'gre';
  if (outer.fields.protocol === 41) return 'sit';
  return undefined;
}
