import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodePacket, ipv4Layers, tunnelKind, type Layer } from '../../src/packets/decode.js';
import { LINKTYPE, parseCapture } from '../../src/packets/pcap.js';

const fx = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
function packets(name: string) {
  const r = parseCapture(fx(name));
  if (!r.ok) throw new Error(r.error);
  return r.file.packets.map(decodePacket);
}
const kinds = (ls: Layer[]) => ls.map((l) => l.kind);
function rawPackets(name: string) {
  const r = parseCapture(fx(name));
  if (!r.ok) throw new Error(r.error);
  return r.file.packets;
}

describe('decode: the IPIP ping captured on v1-P', () => {
  // Request bytes (hand-read from the fixture):
  // f2a06a31281f 42fa83895df7 0800 | 45 00 0068 15e0 4000 40 04 f29a 0a0a0a02 0a0a1402
  // | 45 00 0054 e9f2 4000 40 01 108e 0a0a640a 0a0ac80a | 08 00 42bc 02dc 0001 ...
  const [req, rep] = packets('ipip-v1p.pcap');

  it('has Ethernet, outer IPv4, inner IPv4, ICMP, data', () => {
    expect(kinds(req!.layers)).toEqual(['ethernet', 'ipv4', 'ipv4', 'icmp', 'payload']);
    expect(tunnelKind(req!.layers)).toBe('ipip');
  });

  it('decodes the Ethernet header', () => {
    expect(req!.layers[0]).toEqual({
      kind: 'ethernet',
      name: 'Ethernet',
      headerLength: 14,
      fields: { dst: 'f2:a0:6a:31:28:1f', src: '42:fa:83:89:5d:f7', etherType: 0x0800 },
    });
  });

  it('decodes every field of the outer IPv4 header (proto 4)', () => {
    expect(req!.layers[1]).toEqual({
      kind: 'ipv4',
      name: 'IPv4',
      headerLength: 20,
      fields: {
        version: 4,
        ihl: 5,
        tos: 0,
        totalLength: 104,
        id: 0x15e0,
        df: true,
        mf: false,
        fragmentOffset: 0,
        ttl: 64,
        protocol: 4,
        protocolName: 'IPIP',
        checksum: 0xf29a,
        checksumOk: true,
        src: '10.10.10.2',
        dst: '10.10.20.2',
      },
    });
  });

  it('decodes every field of the inner IPv4 header (proto 1)', () => {
    expect(req!.layers[2]).toEqual({
      kind: 'ipv4',
      name: 'IPv4',
      headerLength: 20,
      fields: {
        version: 4,
        ihl: 5,
        tos: 0,
        totalLength: 84,
        id: 0xe9f2,
        df: true,
        mf: false,
        fragmentOffset: 0,
        ttl: 64,
        protocol: 1,
        protocolName: 'ICMP',
        checksum: 0x108e,
        checksumOk: true,
        src: '10.10.100.10',
        dst: '10.10.200.10',
      },
    });
  });

  it('decodes the ICMP echo request', () => {
    expect(req!.layers[3]).toEqual({
      kind: 'icmp',
      name: 'ICMP',
      headerLength: 8,
      fields: { type: 8, code: 0, typeName: 'echo request', checksum: 0x42bc, id: 732, seq: 1, length: 64 },
    });
    expect(req!.layers[4]).toEqual({ kind: 'payload', name: 'payload', headerLength: 0, fields: { length: 56 } });
  });

  it('sees the reply come back with outer ttl 63 (forwarded by the root namespace) over inner ttl 64', () => {
    const [outer, inner] = ipv4Layers(rep!.layers);
    expect(outer!.fields).toMatchObject({ src: '10.10.20.2', dst: '10.10.10.2', ttl: 63, protocol: 4, df: true });
    expect(inner!.fields).toMatchObject({ src: '10.10.200.10', dst: '10.10.100.10', ttl: 64, protocol: 1, df: false, checksumOk: true });
    expect(rep!.layers[3]).toMatchObject({ kind: 'icmp', fields: { type: 0, typeName: 'echo reply', id: 732, seq: 1 } });
  });

  it('header lengths add up to the frame: 14 + 20 + 20 + 8 + 56 = 118', () => {
    const sum = req!.layers.reduce((n, l) => n + (l.kind === 'payload' ? l.fields.length : l.headerLength), 0);
    expect(sum).toBe(118);
    expect(req!.originalLength).toBe(118);
  });
});

describe('decode: GRE', () => {
  it('decodes a plain GRE packet: proto 47, 4-byte GRE header, 0x0800, inner IPv4', () => {
    // ... 45 00 006c e4f6 4000 40 2f 2355 0a0a0a02 0a0a1402 | 0000 0800 | 45 00 0054 140f 4000 40 01 e471 0a0a650a 0a0ac90a | 08 00 ...
    const [req, rep] = packets('gre-v1p.pcap');
    expect(kinds(req!.layers)).toEqual(['ethernet', 'ipv4', 'gre', 'ipv4', 'icmp', 'payload']);
    expect(tunnelKind(req!.layers)).toBe('gre');
    expect(req!.layers[1]!.fields).toMatchObject({
      totalLength: 108,
      id: 0xe4f6,
      ttl: 64,
      protocol: 47,
      protocolName: 'GRE',
      checksum: 0x2355,
      checksumOk: true,
      src: '10.10.10.2',
      dst: '10.10.20.2',
    });
    expect(req!.layers[2]).toEqual({
      kind: 'gre',
      name: 'GRE',
      headerLength: 4,
      fields: {
        checksumPresent: false,
        routingPresent: false,
        keyPresent: false,
        seqPresent: false,
        version: 0,
        protocolType: 0x0800,
        length: 88,
      },
    });
    expect(req!.layers[3]!.fields).toMatchObject({
      totalLength: 84,
      id: 0x140f,
      ttl: 64,
      protocol: 1,
      src: '10.10.101.10',
      dst: '10.10.201.10',
      checksum: 0xe471,
      checksumOk: true,
    });
    expect(req!.layers[4]!.fields).toMatchObject({ type: 8, typeName: 'echo request', id: 754, seq: 1, length: 64 });
    expect(ipv4Layers(rep!.layers)[0]!.fields.ttl).toBe(63);
  });

  it('decodes the optional checksum, key and sequence fields (ip tunnel ... key 7 csum seq)', () => {
    // ... 40 2f ... | b000 0800 | 0000 0000 | 0000 0007 | 0000 0001 | 45 00 0054 ...
    const [req] = packets('gre-key-csum-seq-v1p.pcap');
    expect(req!.layers[2]).toEqual({
      kind: 'gre',
      name: 'GRE',
      headerLength: 16,
      fields: {
        checksumPresent: true,
        routingPresent: false,
        keyPresent: true,
        seqPresent: true,
        version: 0,
        protocolType: 0x0800,
        checksum: 0,
        offset: 0,
        key: 7,
        seq: 1,
        length: 100,
      },
    });
    expect(req!.layers[3]!.fields).toMatchObject({ src: '10.10.101.10', dst: '10.10.201.10', protocol: 1 });
  });
});

describe('decode: other link types', () => {
  it('Linux cooked v2 (tcpdump -i any): direction and ifindex', () => {
    const ps = packets('ipip-any-sll2.pcap');
    expect(ps.map((p) => p.layers[0]!.kind)).toEqual(['sll2', 'sll2', 'sll2', 'sll2']);
    expect(ps.map((p) => (p.layers[0]!.kind === 'sll2' ? [p.layers[0]!.fields.ifindex, p.layers[0]!.fields.packetType] : []))).toEqual([
      [3, 0],
      [4, 4],
      [4, 0],
      [3, 4],
    ]);
    // The request crossed the router: ttl 64 coming in on v1-P, 63 going out on v2-P.
    expect(ps.map((p) => ipv4Layers(p.layers)[0]!.fields.ttl)).toEqual([64, 63, 64, 63]);
  });

  it('Linux cooked v1', () => {
    const [p] = packets('ipip-any-sll1.pcap');
    expect(p!.layers[0]).toMatchObject({
      kind: 'sll',
      headerLength: 16,
      fields: { packetType: 0, protocol: 0x0800, addr: '42:fa:83:89:5d:f7' },
    });
    expect(kinds(p!.layers).slice(1)).toEqual(['ipv4', 'ipv4', 'icmp', 'payload']);
  });

  it('raw IP on the tunnel device itself: only the inner packet exists there', () => {
    for (const name of ['ipip-tunl-raw.pcap', 'ipip-tunl-ipv4.pcap']) {
      const [p] = packets(name);
      expect(kinds(p!.layers)).toEqual(['ipv4', 'icmp', 'payload']);
      expect(p!.layers[0]!.fields).toMatchObject({ src: '10.10.100.10', dst: '10.10.200.10', protocol: 1 });
      expect(tunnelKind(p!.layers)).toBeUndefined();
    }
  });
});

describe('decode: damaged input', () => {
  it('ends with a truncated layer instead of throwing, at every cut of a real frame', () => {
    const [p] = rawPackets('gre-key-csum-seq-v1p.pcap');
    for (let n = 0; n < p!.data.length; n++) {
      const ls = decodeFrame(LINKTYPE.ETHERNET, p!.data.slice(0, n));
      expect(ls.length).toBeGreaterThan(0);
    }
    expect(decodeFrame(LINKTYPE.ETHERNET, p!.data.slice(0, 30)).at(-1)).toMatchObject({
      kind: 'truncated',
      fields: { what: 'IPv4 header', need: 20, have: 16 },
    });
  });

  it('flags a bad IPv4 header checksum', () => {
    const [p] = rawPackets('ipip-tunl-raw.pcap');
    const d = p!.data.slice();
    d[8] = 1; // ttl 64 -> 1 without fixing the checksum
    expect(decodeFrame(LINKTYPE.RAW, d)[0]!.fields).toMatchObject({ ttl: 1, checksumOk: false });
  });

  it('treats random bytes as data, never crashing', () => {
    let seed = 1;
    for (let k = 0; k < 500; k++) {
      const b = new Uint8Array(k % 90);
      for (let j = 0; j < b.length; j++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        b[j] = seed & 0xff;
      }
      if (b.length > 14) {
        b[12] = 8;
        b[13] = 0;
        b[14] = 0x45;
      }
      for (const lt of [1, 101, 113, 228, 276, 9999]) expect(() => decodeFrame(lt, b)).not.toThrow();
    }
  });
});
