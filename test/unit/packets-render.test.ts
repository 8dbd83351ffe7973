import { readFileSync } from 'node:fs';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/packets/decode.js';
import { missingKeys } from '../../src/i18n/translate.js';
import { PACKET_MESSAGES } from '../../src/packets/messages.js';
import { parseCapture } from '../../src/packets/pcap.js';
import { encapsulation, renderCompare, renderLayers } from '../../src/packets/render.js';
import { wrapText } from '../../src/text/width.js';

const fx = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
function load(name: string) {
  const r = parseCapture(fx(name));
  if (!r.ok) throw new Error(r.error);
  return { file: r.file, packets: r.file.packets.map(decodePacket) };
}
describe('encapsulation rows', () => {
  it('IPIP: 20 B of overhead, inner packet untouched', () => {
    const e = encapsulation(load('ipip-v1p.pcap').packets[0]!);
    expect(e.kind).toBe('ipip');
    expect(e.overhead).toBe(20);
    expect(e.rows.map((r) => [r.role, r.bytes])).toEqual([
      ['link', 14],
      ['outer', 20],
      ['inner', 20],
      ['l4', 64],
    ]);
    expect(e.rows[1]!.detail).toBe('10.10.10.2 -> 10.10.20.2 ttl 64 proto 4 (IPIP)');
    expect(e.rows[2]!.detail).toBe('10.10.100.10 -> 10.10.200.10 ttl 64 proto 1 (ICMP)');
  });

  it('GRE: 24 B of overhead (20 IPv4 + 4 GRE); 36 with key, csum and seq', () => {
    expect(encapsulation(load('gre-v1p.pcap').packets[0]!).overhead).toBe(24);
    expect(encapsulation(load('gre-key-csum-seq-v1p.pcap').packets[0]!).overhead).toBe(36);
  });
});

describe('layer drawings', () => {
  const ipip = load('ipip-v1p.pcap').packets;
  const gre = load('gre-v1p.pcap').packets;
  const grek = load('gre-key-csum-seq-v1p.pcap').packets;
  const fits = (s: string, w: number) => s.split('\n').every((l) => stringWidth(l) <= w);

  for (const lang of ['en', 'zh'] as const) {
    it(`fit 76 columns in ${lang}, every line the same width inside the box`, () => {
      for (const p of [...ipip, ...gre, ...grek]) {
        const s = renderLayers(p, { lang, width: 76, dev: 'v1-P', note: lang === 'zh' ? '请求' : 'request' });
        expect(fits(s, 76)).toBe(true);
        expect(new Set(s.split('\n').map((l) => stringWidth(l)))).toEqual(new Set([76]));
      }
      expect(fits(renderCompare(ipip[0]!, gre[0]!, { lang }), 76)).toBe(true);
      expect(fits(renderCompare(ipip[1]!, grek[1]!, { lang, width: 60 }), 60)).toBe(true);
      expect(fits(renderLayers(grek[0]!, { lang, width: 44 }), 44)).toBe(true);
    });
  }

  it('show the real addresses, ttls, protocol numbers and the mtu arithmetic', () => {
    const s = renderLayers(ipip[0]!, { dev: 'v1-P', note: 'request' });
    expect(s).toContain('outer IPv4   10.10.10.2 -> 10.10.20.2 ttl 64 proto 4 (IPIP)');
    expect(s).toContain('inner IPv4  10.10.100.10 -> 10.10.200.10 ttl 64 proto 1 (ICMP)');
    expect(s).toContain('echo request id 732 seq 1');
    expect(s).toContain('1500 - 20 = 1480');
    expect(renderLayers(ipip[1]!)).toContain('ttl 63 proto 4 (IPIP)');
    expect(renderLayers(gre[0]!)).toContain('1500 - 24 = 1476');
    expect(renderLayers(grek[0]!)).toContain('1500 - 36 = 1464');
  });

  it('uses the glossary terms in Chinese', () => {
    const s = renderLayers(ipip[0]!, { lang: 'zh', dev: 'v1-P' });
    expect(s).toContain('外层 IPv4');
    expect(s).toContain('内层 IPv4');
    expect(s).toContain('隧道封装开销');
    expect(s).toContain('1480；线上共'); // full-width punctuation between Chinese phrases
  });

  it('compare puts the GRE header opposite nothing and shows both mtus', () => {
    const s = renderCompare(ipip[0]!, gre[0]!);
    const greRow = s.split('\n').find((l) => l.includes('GRE header'));
    expect(greRow).toMatch(/^\s+│ GRE header proto 0x0800\s+4 B$/);
    expect(s).toContain('1500 - 20 = 1480');
    expect(s).toContain('1500 - 24 = 1476');
  });

  it('wrapText never exceeds the width, also for CJK', () => {
    for (const w of [5, 10, 17])
      for (const l of wrapText('隧道封装开销：24 字节（外层IP 20 + GRE 4） and some english words', w))
        expect(stringWidth(l)).toBeLessThanOrEqual(w);
  });

  it('has every message in Chinese too', () => {
    expect(
      missingKeys(PACKET_MESSAGES, 'zh').filter((k) => !['ipv4', 'ipv6', 'icmp', 'tcp', 'udp', 'arp', 'no', 'rootNs'].includes(k)),
    ).toEqual([]);
  });
});
