import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CaptureStreamParser, LINKTYPE, parseCapture } from '../../src/packets/pcap.js';

// Fixtures were captured for real in a UML guest (kernel 6.1, tcpdump 4.99.3 / dumpcap 4.0.17) during one
// `ping -c1` through the article's tunnel; *-be, *-sll1, *-ipv4 and *-truncated are byte-level rewrites
// of those captures, checked with `tcpdump -r` (outputs saved next to them).
const fx = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

function ok(name: string) {
  const r = parseCapture(fx(name));
  if (!r.ok) throw new Error(r.error);
  return r.file;
}

describe('pcap reader', () => {
  it('reads a little-endian microsecond pcap (tcpdump -w on v1-P)', () => {
    const f = ok('ipip-v1p.pcap');
    expect(f).toMatchObject({ format: 'pcap', byteOrder: 'le', precision: 'micro', linkType: LINKTYPE.ETHERNET, snapLen: 262144 });
    expect(f.truncated).toBeUndefined();
    expect(f.packets).toHaveLength(2);
    expect(f.packets[0]).toMatchObject({ index: 1, capturedLength: 118, originalLength: 118, tsSec: 1795892480, tsNsec: 1095000 });
    expect(f.packets[0]!.data.length).toBe(118);
  });

  it('reads the same capture written big-endian', () => {
    const le = ok('ipip-v1p.pcap');
    const be = ok('ipip-v1p-be.pcap');
    expect(be.byteOrder).toBe('be');
    expect(be.packets.map((p) => [p.tsSec, p.tsNsec, Buffer.from(p.data).toString('hex')])).toEqual(
      le.packets.map((p) => [p.tsSec, p.tsNsec, Buffer.from(p.data).toString('hex')]),
    );
  });

  it('reads nanosecond timestamps (magic a1b23c4d)', () => {
    const f = ok('ipip-v1p-nano.pcap');
    expect(f.precision).toBe('nano');
    expect(f.packets[0]!.tsNsec).toBe(351081680); // tshark: 1795892490.351081680
  });

  it('reads pcapng as dumpcap writes it by default, with the interface name', () => {
    const f = ok('ipip-v1p.pcapng');
    expect(f).toMatchObject({ format: 'pcapng', byteOrder: 'le', linkType: LINKTYPE.ETHERNET, precision: 'nano' });
    expect(f.packets).toHaveLength(2);
    expect(f.packets[0]).toMatchObject({ interfaceName: 'v1-P', capturedLength: 118, tsSec: 1795892488, linkType: 1 });
    expect(f.packets[0]!.tsNsec).toBe(973758160); // tshark: frame.time_epoch 1795892488.973758160
  });

  it('knows the Linux cooked and raw IP link types', () => {
    expect(ok('ipip-any-sll2.pcap').linkType).toBe(LINKTYPE.LINUX_SLL2);
    expect(ok('ipip-any-sll1.pcap').linkType).toBe(LINKTYPE.LINUX_SLL);
    expect(ok('ipip-tunl-raw.pcap').linkType).toBe(LINKTYPE.RAW);
    expect(ok('ipip-tunl-ipv4.pcap').linkType).toBe(LINKTYPE.IPV4);
  });

  it('keeps the packets before a cut and reports the truncation like tcpdump', () => {
    const r = parseCapture(fx('ipip-v1p-truncated.pcap'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.file.packets).toHaveLength(1);
    expect(r.file.truncated).toBe('truncated dump file; tried to read 118 captured bytes, only got 78');
  });

  it('returns a clean error for garbage, empty and too-short input', () => {
    const bad = [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3]),
      new TextEncoder().encode('hello, this is not a capture file at all'),
      fx('ipip-v1p.pcap').slice(0, 20),
    ];
    for (const b of bad) {
      const r = parseCapture(b);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/capture file|magic|short|empty/);
    }
  });

  it('rejects an absurd record length instead of waiting for it', () => {
    const b = fx('ipip-v1p.pcap').slice();
    new DataView(b.buffer).setUint32(24 + 8, 0x7fffffff, true);
    const r = parseCapture(b);
    expect(r.ok).toBe(false);
  });

  it('survives every truncation and random corruption of a pcapng without throwing', () => {
    const b = fx('ipip-v1p.pcapng');
    for (let n = 0; n <= b.length; n += 7) expect(() => parseCapture(b.slice(0, n))).not.toThrow();
    let seed = 7;
    for (let k = 0; k < 300; k++) {
      const c = b.slice();
      for (let j = 0; j < 4; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        c[seed % c.length] = seed & 0xff;
      }
      expect(() => parseCapture(c)).not.toThrow();
    }
  });

  it('parses a stream fed in small chunks (dumpcap -w - into a pipe)', () => {
    for (const name of ['ipip-v1p.pcap', 'ipip-v1p.pcapng']) {
      const b = fx(name);
      const p = new CaptureStreamParser();
      const got = [];
      for (let i = 0; i < b.length; i += 5) got.push(...p.push(b.subarray(i, i + 5)));
      expect(p.finish()).toBeUndefined();
      expect(got.map((x) => x.capturedLength)).toEqual([118, 118]);
    }
  });
});
