// A small reader for capture files: classic pcap (either byte order, micro- or nanosecond
// timestamps) and pcapng (what dumpcap writes unless given -P). It never throws on bad input:
// garbage is reported as an error result, and a file cut short (a capture that was killed)
// keeps the packets read so far and says it was truncated, the way tcpdump -r does.

export const LINKTYPE = {
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  LINUX_SLL2: 276,
} as const;

export interface CapturedPacket {
  /** 1-based position in the file. */
  index: number;
  /** Seconds since the epoch. */
  tsSec: number;
  /** Fraction of the second in nanoseconds (0..999999999), whatever the file's precision. */
  tsNsec: number;
  /** Bytes present in the file (after snaplen). */
  capturedLength: number;
  /** Length of the packet on the wire. */
  originalLength: number;
  linkType: number;
  /** Interface name, when the file records it (pcapng if_name). */
  interfaceName?: string;
  data: Uint8Array;
}

export interface CaptureFile {
  format: 'pcap' | 'pcapng';
  byteOrder: 'le' | 'be';
  /** Timestamp precision of the (first) interface. */
  precision: 'micro' | 'nano' | 'other';
  /** Link type of the file (pcap) or of the first interface (pcapng). */
  linkType: number;
  snapLen: number;
  packets: CapturedPacket[];
  /** Set when the data ended in the middle of a record: what tcpdump calls a truncated dump file. */
  truncated?: string;
}

export type ParseResult = { ok: true; file: CaptureFile } | { ok: false; error: string };

const PCAP_MICRO = 0xa1b2c3d4;
const PCAP_NANO = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;
/** Upper bound for one record; anything larger means garbage, not a packet. */
const MAX_RECORD = 16 * 1024 * 1024;

interface NgInterface {
  linkType: number;
  snapLen: number;
  name?: string;
  /** Timestamp units per second, as a BigInt (10^6 by default). */
  unitsPerSec: bigint;
}

/**
 * Incremental parser: feed chunks as they arrive (dumpcap writing to a pipe) and get the complete
 * packets so far. Errors are sticky: once `error` is set, push returns nothing more.
 */
export class CaptureStreamParser {
  private buf: Uint8Array = new Uint8Array(0);
  private count = 0;
  format?: 'pcap' | 'pcapng';
  le = true;
  precision: CaptureFile['precision'] = 'micro';
  linkType = -1;
  snapLen = 0;
  error?: string;
  private interfaces: NgInterface[] = [];

  push(chunk: Uint8Array): CapturedPacket[] {
    if (this.error) return [];
    if (chunk.length > 0) {
      const joined = new Uint8Array(this.buf.length + chunk.length);
      joined.set(this.buf, 0);
      joined.set(chunk, this.buf.length);
      this.buf = joined;
    }
    const out: CapturedPacket[] = [];
    let off = 0;
    const view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    for (;;) {
      const used =
        this.format === undefined
          ? this.header(view, off)
          : this.format === 'pcap'
            ? this.pcapRecord(view, off, out)
            : this.ngBlock(view, off, out);
      if (used <= 0) break;
      off += used;
      if (this.error) break;
    }
    this.buf = this.buf.slice(off);
    return out;
  }

  /** Bytes held back because they do not yet form a whole record. */
  get pending(): number {
    return this.buf.length;
  }

  /** Call at end of input: describes a partial trailing record, if any. */
  finish(): string | undefined {
    if (this.error) return undefined;
    if (this.format === undefined) {
      this.error =
        this.buf.length === 0
          ? 'empty input: no capture file header'
          : `not a capture file: only ${this.buf.length} bytes, too short for a header`;
      return undefined;
    }
    if (this.buf.length === 0) return undefined;
    if (this.format === 'pcap' && this.buf.length >= 16) {
      const v = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
      const cap = v.getUint32(8, this.le);
      return `truncated dump file; tried to read ${cap} captured bytes, only got ${this.buf.length - 16}`;
    }
    return `truncated dump file; ${this.buf.length} bytes left over after the last complete record`;
  }

  private header(v: DataView, off: number): number {
    if (v.byteLength - off < 4) return 0;
    const be = v.getUint32(off, false);
    const le = v.getUint32(off, true);
    if (be === PCAPNG_SHB) {
      this.format = 'pcapng';
      return 0 + this.ngBlock(v, off, []);
    }
    let magic: number | undefined;
    if (le === PCAP_MICRO || le === PCAP_NANO) {
      this.le = true;
      magic = le;
    } else if (be === PCAP_MICRO || be === PCAP_NANO) {
      this.le = false;
      magic = be;
    }
    if (magic === undefined) {
      this.error = `not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, '0')})`;
      return 0;
    }
    if (v.byteLength - off < 24) return 0;
    this.format = 'pcap';
    this.precision = magic === PCAP_NANO ? 'nano' : 'micro';
    this.snapLen = v.getUint32(off + 16, this.le);
    // The top bits of the link type field carry FCS information; the type is the low 16 (28) bits.
    this.linkType = v.getUint32(off + 20, this.le) & 0x0fffffff;
    return 24;
  }

  private pcapRecord(v: DataView, off: number, out: CapturedPacket[]): number {
    if (v.byteLength - off < 16) return 0;
    const sec = v.getUint32(off, this.le);
    const frac = v.getUint32(off + 4, this.le);
    const cap = v.getUint32(off + 8, this.le);
    const orig = v.getUint32(off + 12, this.le);
    if (cap > MAX_RECORD || (this.snapLen > 0 && cap > Math.max(this.snapLen, 262144))) {
      this.error = `bad packet record ${this.count + 1}: captured length ${cap} is larger than the snapshot length ${this.snapLen}`;
      return 0;
    }
    if (v.byteLength - off < 16 + cap) return 0;
    this.count++;
    out.push({
      index: this.count,
      tsSec: sec,
      tsNsec: this.precision === 'nano' ? frac : frac * 1000,
      capturedLength: cap,
      originalLength: orig,
      linkType: this.linkType,
      data: this.buf.slice(off + 16, off + 16 + cap),
    });
    return 16 + cap;
  }

  private ngBlock(v: DataView, off: number, out: CapturedPacket[]): number {
    if (v.byteLength - off < 12) return 0;
    const typeBe = v.getUint32(off, false);
    if (typeBe === PCAPNG_SHB) {
      // The byte-order magic decides how to read everything in this section, including its length.
      const bom = v.getUint32(off + 8, true);
      if (bom === PCAPNG_BOM) this.le = true;
      else if (v.getUint32(off + 8, false) === PCAPNG_BOM) this.le = false;
      else {
        this.error = 'pcapng: bad byte-order magic in section header';
        return 0;
      }
      this.interfaces = [];
    }
    const type = v.getUint32(off, this.le);
    const len = v.getUint32(off + 4, this.le);
    if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
      this.error = `pcapng: bad block length ${len} (block type 0x${type.toString(16)})`;
      return 0;
    }
    if (v.byteLength - off < len) return 0;
    if (v.getUint32(off + len - 4, this.le) !== len) {
      this.error = `pcapng: block lengths at start and end differ (block type 0x${type.toString(16)})`;
      return 0;
    }
    const body = off + 8;
    const bodyEnd = off + len - 4;
    switch (type) {
      case 1: {
        // Interface Description Block
        if (bodyEnd - body < 8) return this.bad('interface description block too short');
        const iface: NgInterface = {
          linkType: v.getUint16(body, this.le),
          snapLen: v.getUint32(body + 4, this.le),
          unitsPerSec: 1_000_000n,
        };
        for (const [code, o, l] of this.options(v, body + 8, bodyEnd)) {
          if (code === 2) iface.name = new TextDecoder().decode(this.buf.subarray(o, o + l)).replace(/\0+$/, '');
          if (code === 9 && l >= 1) {
            const r = v.getUint8(o);
            iface.unitsPerSec = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
          }
        }
        if (this.interfaces.length === 0 && this.linkType === -1) {
          this.linkType = iface.linkType;
          this.snapLen = iface.snapLen;
          this.precision = iface.unitsPerSec === 1_000_000n ? 'micro' : iface.unitsPerSec === 1_000_000_000n ? 'nano' : 'other';
        }
        this.interfaces.push(iface);
        break;
      }
      case 6:
      case 2: {
        // Enhanced Packet Block (6) and the obsolete Packet Block (2)
        if (bodyEnd - body < 20) return this.bad('packet block too short');
        const ifId = type === 6 ? v.getUint32(body, this.le) : v.getUint16(body, this.le);
        const iface = this.interfaces[ifId];
        if (!iface) return this.bad(`packet block names interface ${ifId}, which was never described`);
        const ts = (BigInt(v.getUint32(body + 4, this.le)) << 32n) | BigInt(v.getUint32(body + 8, this.le));
        const cap = v.getUint32(body + 12, this.le);
        const orig = v.getUint32(body + 16, this.le);
        if (body + 20 + cap > bodyEnd) return this.bad(`packet block captured length ${cap} overruns its block`);
        const sec = ts / iface.unitsPerSec;
        const nsec = ((ts % iface.unitsPerSec) * 1_000_000_000n) / iface.unitsPerSec;
        this.count++;
        out.push({
          index: this.count,
          tsSec: Number(sec),
          tsNsec: Number(nsec),
          capturedLength: cap,
          originalLength: orig,
          linkType: iface.linkType,
          ...(iface.name !== undefined ? { interfaceName: iface.name } : {}),
          data: this.buf.slice(body + 20, body + 20 + cap),
        });
        break;
      }
      case 3: {
        // Simple Packet Block: no timestamp, interface 0
        const iface = this.interfaces[0];
        if (!iface) return this.bad('simple packet block before any interface description');
        const orig = v.getUint32(body, this.le);
        const cap = Math.min(orig, bodyEnd - body - 4, iface.snapLen || Infinity);
        this.count++;
        out.push({
          index: this.count,
          tsSec: 0,
          tsNsec: 0,
          capturedLength: cap,
          originalLength: orig,
          linkType: iface.linkType,
          data: this.buf.slice(body + 4, body + 4 + cap),
        });
        break;
      }
      default:
        // Section header, statistics, name resolution, custom blocks: nothing a packet needs.
        break;
    }
    return len;
  }

  private bad(msg: string): number {
    this.error = `pcapng: ${msg}`;
    return 0;
  }

  private *options(v: DataView, start: number, end: number): Generator<[number, number, number]> {
    let o = start;
    while (o + 4 <= end) {
      const code = v.getUint16(o, this.le);
      const l = v.getUint16(o + 2, this.le);
      if (code === 0) return;
      if (o + 4 + l > end) return;
      yield [code, o + 4, l];
      o += 4 + l + ((4 - (l % 4)) % 4);
    }
  }
}

/** Parse a whole capture file held in memory. Never throws. */
export function parseCapture(bytes: Uint8Array): ParseResult {
  const p = new CaptureStreamParser();
  let packets: CapturedPacket[];
  try {
    packets = p.push(bytes);
  } catch (e) {
    return { ok: false, error: `unreadable capture: ${(e as Error).message}` };
  }
  const truncated = p.finish();
  if (p.error) {
    if (packets.length === 0) return { ok: false, error: p.error };
    return { ok: true, file: fileOf(p, packets, p.error) };
  }
  return { ok: true, file: fileOf(p, packets, truncated) };
}

function fileOf(p: CaptureStreamParser, packets: CapturedPacket[], truncated: string | undefined): CaptureFile {
  return {
    format: p.format ?? 'pcap',
    byteOrder: p.le ? 'le' : 'be',
    precision: p.precision,
    linkType: p.linkType,
    snapLen: p.snapLen,
    packets,
    ...(truncated !== undefined ? { truncated } : {}),
  };
}
