import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMode } from '../../src/packets/tcpdumpLite.js';
import { dumpcapCommandLine, tcpdumpShim, translateTcpdumpArgs } from '../../src/sandbox/host/tcpdumpShim.js';

describe('tcpdump argv -> dumpcap', () => {
  it('translates the usual capture line', () => {
    const p = translateTcpdumpArgs(['-i', 'v1-P', '-c', '2', '-nn', '-v', 'ip', 'proto', '4']);
    expect(p.error).toBeUndefined();
    expect(p.mode).toBe('capture');
    expect(p.options).toMatchObject({ interface: 'v1-P', count: 2, verbose: 1, filter: 'ip proto 4' });
    expect(p.dumpcapArgs).toEqual(['-q', '-i', 'v1-P', '-c', '2', '-f', 'ip proto 4', '-P', '-w', '-']);
    expect(dumpcapCommandLine(p)).toBe("dumpcap -q -i v1-P -c 2 -f 'ip proto 4' -P -w -");
  });

  it('handles bundled and attached short options', () => {
    expect(translateTcpdumpArgs(['-nnvvei', 'v2-P']).options).toMatchObject({ interface: 'v2-P', verbose: 2, ether: true });
    expect(translateTcpdumpArgs(['-c1', '-iv1-P']).options).toMatchObject({ interface: 'v1-P', count: 1 });
    expect(translateTcpdumpArgs(['-l', '-U', '-n', '-i', 'any']).dumpcapArgs).toEqual(['-q', '-i', 'any', '-P', '-w', '-']);
    expect(translateTcpdumpArgs(['--interface=tunl', '--immediate-mode', '-Z', 'root']).options.interface).toBe('tunl');
  });

  it('-w FILE is kept for tcpdumpLite to write (dumpcap streams to it)', () => {
    const p = translateTcpdumpArgs(['-i', 'v1-P', '-w', '/tmp/x.pcap', 'icmp']);
    expect(p.options.writeFile).toBe('/tmp/x.pcap');
    expect(p.dumpcapArgs).toEqual(['-q', '-i', 'v1-P', '-f', 'icmp', '-P', '-w', '-']);
    expect(dumpcapCommandLine(p)).toBe('dumpcap -q -i v1-P -f icmp -P -w /tmp/x.pcap');
  });

  it('-r FILE reads, with a warning when a filter cannot be applied', () => {
    const p = translateTcpdumpArgs(['-nn', '-r', 'flow.pcap', 'icmp']);
    expect(p.mode).toBe('read');
    expect(p.options.readFile).toBe('flow.pcap');
    expect(p.warnings.join()).toMatch(/filter/);
  });

  it('other modes and errors', () => {
    expect(translateTcpdumpArgs(['-D']).mode).toBe('list');
    expect(translateTcpdumpArgs(['-s', '96', '-p', '-i', 'v1']).dumpcapArgs).toEqual(['-q', '-i', 'v1', '-s', '96', '-p', '-P', '-w', '-']);
    expect(translateTcpdumpArgs(['-c', 'x']).error).toMatch(/invalid packet count/);
    expect(translateTcpdumpArgs(['-i']).error).toMatch(/requires an argument/);
    expect(translateTcpdumpArgs(['-k']).error).toMatch(/invalid option/);
    expect(translateTcpdumpArgs(['-X', '-i', 'v1']).warnings.join()).toMatch(/not supported/);
    expect(translateTcpdumpArgs(['--', '-i']).options.filter).toBe('-i');
  });
});

describe('tcpdump shim text', () => {
  const s = tcpdumpShim('/usr/bin/node', '/opt/ipip tutor/dist/packets/tcpdumpLite.js');
  it('is a sh script that tries the real tcpdump, then tcpdumpLite, else says what to install', () => {
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    expect(s).toContain('"$real" -r "$probe"');
    expect(s).toContain('exec /usr/bin/node \'/opt/ipip tutor/dist/packets/tcpdumpLite.js\' "$@"');
    expect(s).toContain('apt-get install tshark');
    expect(s).toContain('uml');
  });
});

describe('tcpdumpLite -r', () => {
  const run = (args: string[], bytes?: Uint8Array | Error) => {
    let out = '';
    let err = '';
    const code = readMode(translateTcpdumpArgs(args), { out: (x) => (out += x), err: (x) => (err += x) }, (f) => {
      if (bytes instanceof Error) throw bytes;
      return bytes ?? new Uint8Array(readFileSync(new URL(`../fixtures/${f}`, import.meta.url)));
    });
    return { code, out, err };
  };

  it('prints the lines and the reading-from line', () => {
    const r = run(['-nn', '-r', 'gre-v1p.pcap']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('reading from file gre-v1p.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n');
    expect(r.out).toMatch(
      /IP 10\.10\.10\.2 > 10\.10\.20\.2: GREv0, length 88: IP 10\.10\.101\.10 > 10\.10\.201\.10: ICMP echo request, id 754, seq 1, length 64\n/,
    );
    expect(run(['-c', '1', '-r', 'gre-v1p.pcap']).out.split('\n')).toHaveLength(2);
  });

  it('reports garbage and truncation with exit 1, without a stack trace', () => {
    const g = run(['-r', 'x'], new TextEncoder().encode('garbage garbage garbage garbage'));
    expect(g).toMatchObject({ code: 1, out: '' });
    expect(g.err).toMatch(/^tcpdump: x: not a pcap or pcapng file/);
    const t = run(['-r', 'ipip-v1p-truncated.pcap']);
    expect(t.code).toBe(1);
    expect(t.err).toContain('truncated dump file');
    const missing = run(['-r', 'nope'], Object.assign(new Error('x'), { code: 'ENOENT' }));
    expect(missing.err).toBe('tcpdump: nope: No such file or directory\n');
  });
});
