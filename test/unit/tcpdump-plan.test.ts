import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { planTcpdump, renderArgv, shimPlan, type TcpdumpPlan } from '../../src/sandbox/host/tcpdumpArgs.js';
import { confinedArgv } from '../../src/sandbox/host/tcpdumpRelay.js';
import { tcpdumpShim } from '../../src/sandbox/host/tcpdumpShim.js';
import { dumpcapReport, stderrRewriter } from '../../src/sandbox/host/tcpdumpText.js';

const capture = (argv: string[]) => {
  const p = planTcpdump(argv);
  if (p.kind !== 'capture') throw new Error(`expected a capture plan, got ${JSON.stringify(p)}`);
  return p;
};

describe('a typed tcpdump command line -> what runs where', () => {
  it('captures with dumpcap inside and prints with the real tcpdump outside', () => {
    const p = capture(['-i', 'v1-P', '-c', '2', '-nn', '-v', 'ip', 'proto', '4']);
    expect(p.device).toBe('v1-P');
    expect(p.dumpcap).toEqual(['-q', '-c', '2', '-f', 'ip proto 4', '-P', '-w', '-']);
    expect(renderArgv(p)).toEqual(['-r', '-', '-l', '-n', '-n', '-v']);
    expect(p.verbose).toBe(true);
  });

  it('bundled, attached and long options; the filter may come first (getopt permutes)', () => {
    expect(capture(['-nnvvei', 'v2-P']).tcpdump).toEqual(['-n', '-n', '-v', '-v', '-e']);
    expect(capture(['-c1', '-iv1-P']).device).toBe('v1-P');
    expect(capture(['icmp', '-c', '1', '--interface=tunl']).dumpcap).toContain('icmp');
    expect(capture(['-l', '-U', '--immediate-mode', '-Z', 'root', '-i', 'any']).tcpdump).toEqual([]);
    expect(capture(['-s', '0', '-p', '-B', '4096', '-y', 'LINUX_SLL2', '-i', 'any']).dumpcap).toEqual([
      '-q',
      '-s',
      '262144',
      '-p',
      '-B',
      '4',
      '-y',
      'LINUX_SLL2',
      '-P',
      '-w',
      '-',
    ]);
    expect(capture(['-X', '-A', '-tttt', '-#', '--nano', '-T', 'vxlan']).tcpdump).toEqual([
      '-X',
      '-A',
      '-t',
      '-t',
      '-t',
      '-t',
      '-#',
      '-T',
      'vxlan',
      '--time-stamp-precision=nano',
    ]);
    expect(capture(['--', '-i']).dumpcap).toContain('-i');
  });

  it('-w writes inside the sandbox (the real tcpdump only reads, quietly); --print prints too', () => {
    const w = capture(['-i', 'v1-P', '-w', '/tmp/x.pcap', 'icmp']);
    expect(w).toMatchObject({ writeFile: '/tmp/x.pcap', print: false, tcpdump: ['-q'] });
    expect(capture(['-w', '-', '--print', '-nn']).print).toBe(true);
  });

  it('-r reads a file inside the sandbox; the real tcpdump applies the filter and the count', () => {
    const p = planTcpdump(['-nn', '-r', 'flow.pcap', '-c', '3', 'icmp', 'or', 'udp']);
    expect(p).toEqual({ kind: 'read', file: 'flow.pcap', tcpdump: ['-n', '-n', '-c', '3', '--', 'icmp or udp'] });
  });

  it("usage errors are the real tcpdump's own (it is run with just the offending option)", () => {
    expect(planTcpdump(['-k'])).toEqual({ kind: 'delegate', args: ['-k'] });
    expect(planTcpdump(['-i'])).toEqual({ kind: 'delegate', args: ['-i'] });
    expect(planTcpdump(['-c', 'x'])).toEqual({ kind: 'delegate', args: ['-c', 'x'] });
    expect(planTcpdump(['--bogus'])).toEqual({ kind: 'delegate', args: ['--bogus'] });
    expect(planTcpdump(['-h', '-i', 'v1-P'])).toEqual({ kind: 'delegate', args: ['-h'] });
    expect(planTcpdump(['--version'])).toEqual({ kind: 'delegate', args: ['--version'] });
  });

  it('never hands the real tcpdump an option that reads, writes or runs anything', () => {
    for (const argv of [
      ['-z', 'sh'],
      ['-F', '/etc/shadow'],
      ['-V', 'list'],
      ['-C', '1', '-w', 'x'],
      ['-G', '5'],
      ['-W', '2'],
      ['-E', 'file x'],
      ['-m', 'mib'],
    ]) {
      const p = planTcpdump(argv);
      expect(p.kind).toBe('fail');
      expect((p as Extract<TcpdumpPlan, { kind: 'fail' }>).message).toMatch(/^tcpdump: .* not supported here/);
    }
    // whatever is typed, the outside argv is -r -, -l, display flags, -c, and the filter after --
    const allowed = /^(-[AbefHKnNOqStuvxX#]|-[cTM]|--time-stamp-precision=(micro|nano)|--count|--)$/;
    for (const argv of [
      ['-w', '/etc/passwd', '--print', '-nn'],
      ['-r', '/root/x', '-X', '-c', '5', '--', '-w', 'y'],
      ['-i', 'x', 'port', '53'],
    ]) {
      const p = planTcpdump(argv);
      if (p.kind !== 'capture' && p.kind !== 'read') throw new Error('unexpected');
      const out = renderArgv(p);
      expect(out.slice(0, 3)).toEqual(['-r', '-', '-l']);
      for (let i = 3; i < out.length; i++) {
        if (out[i] === '--') break;
        expect(out[i]).toMatch(allowed);
        if (['-c', '-T', '-M'].includes(out[i]!)) i++;
      }
    }
  });

  it('-D and -L list with dumpcap inside', () => {
    expect(planTcpdump(['-D'])).toEqual({ kind: 'list', dumpcap: ['-D'] });
    expect(planTcpdump(['-L', '-i', 'v1-P'])).toEqual({ kind: 'list', dumpcap: ['-L', '-i', 'v1-P'] });
  });

  it('the plan the shim evals quotes every word', () => {
    const text = shimPlan(capture(['-i', 'v1-P', '-c', '1', "host 1.2.3.4 and 'x' $(reboot)"]));
    const out = execFileSync('sh', ['-c', `${text}\nprintf '%s|' "$mode" "$dev" "$@"`], { encoding: 'utf8' });
    expect(out).toBe(`capture|v1-P|-i|v1-P|-q|-c|1|-f|host 1.2.3.4 and 'x' $(reboot)|-P|-w|-|`);
    expect(shimPlan({ kind: 'fail', message: 'x' })).toBe('mode=none');
  });
});

describe('what the learner reads on stderr', () => {
  const live = capture(['-i', 'v1-P']);
  it('a live capture says "listening on", like tcpdump', () => {
    const r = stderrRewriter(live, () => 'v1-P');
    expect(r.push('reading from file -, link-type EN10MB (Ethernet), snapshot length 262144\ntcpdump: x')).toBe(
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on v1-P, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n',
    );
    expect(r.end()).toBe('tcpdump: x');
    const quiet = stderrRewriter(capture(['-v', '-i', 'tunl']), () => '?');
    expect(quiet.push('reading from file -, link-type RAW (Raw IP), snapshot length 96\n')).toBe(
      'tcpdump: listening on tunl, link-type RAW (Raw IP), snapshot length 96 bytes\n',
    );
  });

  it('-r FILE names the file', () => {
    const p = planTcpdump(['-r', '/tmp/a.pcap']);
    if (p.kind !== 'read') throw new Error('read');
    expect(stderrRewriter(p, () => '').push('reading from file -, link-type EN10MB (Ethernet), snapshot length 262144\n')).toBe(
      'reading from file /tmp/a.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n',
    );
  });

  it("dumpcap's counts and errors in tcpdump's words", () => {
    const stats =
      "Capturing on 'v1-P'\nFile: -\nPackets captured: 1\nPackets received/dropped on interface 'v1-P': 3/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0) (100.0%)\n";
    expect(dumpcapReport(stats, false)).toEqual({
      text: '1 packet captured\n3 packets received by filter\n0 packets dropped by kernel\n',
      code: 0,
    });
    expect(dumpcapReport(stats, true).text.startsWith('\n1 packet captured')).toBe(true);
    expect(dumpcapReport('Capturing on \'nosuch\'\ndumpcap: There is no device named "nosuch".\n(No such device exists)\n', false)).toEqual(
      {
        text: 'tcpdump: nosuch: No such device exists\n(No such device exists)\n',
        code: 1,
      },
    );
    expect(
      dumpcapReport(
        `Capturing on 'Loopback: lo'\ndumpcap: Invalid capture filter "foo bar" for interface 'lo'.\n\nThat string isn't a valid capture filter (can't parse filter expression: syntax error).\nSee the User's Guide for a description of the capture filter syntax.\n`,
        false,
      ),
    ).toEqual({ text: "tcpdump: can't parse filter expression: syntax error\n", code: 1 });
    expect(dumpcapReport('', false)).toEqual({ text: '', code: 0 });
  });
});

describe('the shim and the confinement', () => {
  it('is a POSIX sh script that dash accepts', () => {
    const s = tcpdumpShim();
    expect(s.startsWith('#!/bin/sh\n')).toBe(true);
    execFileSync('sh', ['-n'], { input: s });
    expect(s).toContain('apt-get install tshark');
  });

  it('runs the real tcpdump as the learner, read-only, without network, found by name', () => {
    const a = confinedArgv(['setpriv', '--reuid=1000', '--'], '/usr/bin/bwrap', '/usr/sbin/tcpdump', ['-r', '-']);
    expect(a.slice(0, 4)).toEqual(['setpriv', '--reuid=1000', '--', '/usr/bin/bwrap']);
    for (const f of ['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']) expect(a).toContain(f);
    expect(a.join(' ')).toContain('--ro-bind / /');
    expect(a.slice(-3)).toEqual(['tcpdump', '-r', '-']);
    expect(a[a.indexOf('PATH') + 1]!.startsWith('/usr/sbin:')).toBe(true);
  });
});
