import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodePacket, ipv4Layers, type DecodedPacket, type Layer } from '../../src/packets/decode.js';
import { parseCapture } from '../../src/packets/pcap.js';

// The decoder behind `tutor flow`'s layer views, checked field by field against what the real
// tcpdump 4.99.3 printed for the same captures (test/fixtures/*.tcpdump-*.txt, made with
// `tcpdump -r FILE -nn [-v|-e]` in a UML guest running the article). The learner's own tcpdump
// is the real one on both backends; this decoder only draws the tutor's views.

const fx = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
function packets(name: string): DecodedPacket[] {
  const r = parseCapture(new Uint8Array(fx(name)));
  if (!r.ok) throw new Error(r.error);
  return r.file.packets.map(decodePacket);
}

/** tcpdump's lines for one packet: the first starts with a time stamp, the others are indented. */
function perPacket(name: string): string[] {
  const out: string[] = [];
  for (const l of fx(name).toString('utf8').split('\n')) {
    if (/^\d\d:\d\d:\d\d\.\d{6} /.test(l)) out.push(l);
    else if (/^\s/.test(l) && out.length) out[out.length - 1] += `\n${l}`;
  }
  return out;
}

interface Ip {
  tos: number;
  ttl: number;
  id: number;
  offset: number;
  flags: string;
  proto: number;
  length: number;
  src: string;
  dst: string;
}

/** Every IPv4 header tcpdump -v described: `IP (tos .., ttl .., ...)` then `src > dst:`. */
function ipsFromVerbose(text: string): Ip[] {
  const re =
    /IP \(tos 0x([0-9a-f]+), ttl (\d+), id (\d+), offset (\d+), flags \[([^\]]*)\], proto \w+ \((\d+)\), length (\d+)\)\s+([\d.]+) > ([\d.]+)(?:\.\d+)?:/g;
  return [...text.matchAll(re)].map((m) => ({
    tos: parseInt(m[1]!, 16),
    ttl: Number(m[2]),
    id: Number(m[3]),
    offset: Number(m[4]),
    flags: m[5]!,
    proto: Number(m[6]),
    length: Number(m[7]),
    src: m[8]!,
    dst: m[9]!,
  }));
}

const flagsOf = (l: Extract<Layer, { kind: 'ipv4' }>) => [l.fields.mf ? '+' : '', l.fields.df ? 'DF' : ''].join('') || 'none';

const CAPTURES = [
  'ipip-v1p',
  'ipip-v1p-be',
  'ipip-v1p-nano',
  'gre-v1p',
  'gre-key-csum-seq-v1p',
  'ipip-tunl-raw',
  'ipip-tunl-ipv4',
  'ipip-any-sll1',
  'ipip-any-sll2',
];

describe('the decoder agrees with the real tcpdump, field by field', () => {
  for (const base of CAPTURES) {
    it(`${base}: every IPv4 header (tcpdump -v)`, () => {
      const decoded = packets(`${base}.pcap`);
      const printed = perPacket(`${base}.tcpdump-nn-v.txt`);
      expect(decoded).toHaveLength(printed.length);
      decoded.forEach((p, i) => {
        const mine = ipv4Layers(p.layers).map((l) => ({
          tos: l.fields.tos,
          ttl: l.fields.ttl,
          id: l.fields.id,
          offset: l.fields.fragmentOffset,
          flags: flagsOf(l),
          proto: l.fields.protocol,
          length: l.fields.totalLength,
          src: l.fields.src,
          dst: l.fields.dst,
        }));
        expect(mine).toEqual(ipsFromVerbose(printed[i]!));
      });
    });

    it(`${base}: ICMP, GRE and the link layer (tcpdump -v, -e)`, () => {
      const decoded = packets(`${base}.pcap`);
      const verbose = perPacket(`${base}.tcpdump-nn-v.txt`);
      const ether = perPacket(`${base}.tcpdump-nn-e.txt`);
      decoded.forEach((p, i) => {
        const icmp = p.layers.find((l) => l.kind === 'icmp');
        const m = /ICMP (echo request|echo reply), id (\d+), seq (\d+), length (\d+)/.exec(verbose[i]!);
        expect(icmp && { type: icmp.fields.typeName, id: icmp.fields.id, seq: icmp.fields.seq, length: icmp.fields.length }).toEqual(
          m ? { type: m[1], id: Number(m[2]), seq: Number(m[3]), length: Number(m[4]) } : undefined,
        );
        const gre = p.layers.find((l) => l.kind === 'gre');
        const g =
          /GREv(\d)(?:, Flags \[[^\]]*\])?(?:, sum 0x[0-9a-f]+)?(?:, off 0x[0-9a-f]+)?(?:, key=0x([0-9a-f]+))?(?:, seq (\d+))?, length (\d+)/.exec(
            verbose[i]!,
          );
        expect(gre && { v: gre.fields.version, key: gre.fields.key, seq: gre.fields.seq, length: gre.fields.length }).toEqual(
          g
            ? { v: Number(g[1]), key: g[2] ? parseInt(g[2], 16) : undefined, seq: g[3] ? Number(g[3]) : undefined, length: Number(g[4]) }
            : undefined,
        );
        const link = p.layers[0]!;
        const e = ether[i]!;
        if (link.kind === 'ethernet') {
          expect(e).toContain(
            `${link.fields.src} > ${link.fields.dst}, ethertype IPv4 (0x${link.fields.etherType.toString(16).padStart(4, '0')}), length ${p.originalLength}:`,
          );
        } else if (link.kind === 'sll' || link.kind === 'sll2') {
          const dir = ['In', 'B', 'M', 'P', 'Out'][link.fields.packetType]!;
          expect(e).toMatch(
            new RegExp(
              ` ${dir} +(ifindex ${link.fields.ifindex} )?${link.fields.addr} ethertype IPv4 \\(0x0800\\), length ${p.originalLength}:`,
            ),
          );
        } else expect(e).toMatch(/ (ip: )?[\d.]+ > [\d.]+:/);
      });
    });
  }

  it('the pcapng capture decodes to the packets tcpdump read from it', () => {
    const decoded = packets('ipip-v1p.pcapng');
    const printed = fx('ipip-v1p-pcapng.tcpdump-nn.txt')
      .toString('utf8')
      .split('\n')
      .filter((l) => /^\d\d:/.test(l));
    expect(
      decoded.map((p) =>
        ipv4Layers(p.layers)
          .map((l) => `${l.fields.src} > ${l.fields.dst}`)
          .join(': '),
      ),
    ).toEqual(printed.map((l) => [...l.matchAll(/([\d.]+) > ([\d.]+):/g)].map((m) => `${m[1]} > ${m[2]}`).join(': ')));
  });
});
