import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';
import { hostShims } from '../../src/sandbox/hostShims.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { createUmlSandbox } from '../../src/sandbox/uml/umlSandbox.js';

// What a learner sees from `tcpdump` in the sandbox, line by line, against the real tcpdump on
// this machine reading the same packets: a second capture (-w) taken at the same time, copied
// out of the sandbox. On the host backend the sandbox's tcpdump is dumpcap inside plus the
// real tcpdump outside; on uml it is the guest's real tcpdump. The traffic covers what the
// home-made renderer used to get wrong: a DNS query, later fragments, "need to frag".

function need(program: string, install: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${program} is not installed: \`${install}\` (this test compares with the real tcpdump)`);
  }
}

const UNDERLAY = `set -e
ip netns add ns1
ip netns add ns2
ip link add v1 netns ns1 type veth peer name v1-P
ip link add v2 netns ns2 type veth peer name v2-P
ip addr add 10.10.10.1/24 dev v1-P
ip link set v1-P up
ip addr add 10.10.20.1/24 dev v2-P
ip link set v2-P up mtu 1400
ip netns exec ns1 ip addr add 10.10.10.2/24 dev v1
ip netns exec ns2 ip addr add 10.10.20.2/24 dev v2
ip netns exec ns1 ip link set v1 up
ip netns exec ns2 ip link set v2 up mtu 1400
echo 1 > /proc/sys/net/ipv4/ip_forward
ip netns exec ns1 ip route add 10.10.20.0/24 via 10.10.10.1
ip netns exec ns2 ip route add 10.10.10.0/24 via 10.10.20.1
ip netns exec ns1 ping -c1 -W2 10.10.20.2 >/dev/null
`;

const TUNNEL = `set -e
modprobe ipip
ip netns exec ns1 ip tunnel add tunl mode ipip remote 10.10.20.2 local 10.10.10.2
ip netns exec ns1 ip link set tunl up mtu 1300
ip netns exec ns1 ip addr add 10.10.100.10 peer 10.10.200.10 dev tunl
ip netns exec ns2 ip tunnel add tunr mode ipip remote 10.10.10.2 local 10.10.20.2
ip netns exec ns2 ip link set tunr up mtu 1300
ip netns exec ns2 ip addr add 10.10.200.10 peer 10.10.100.10 dev tunr
ip netns exec ns1 ping -c1 -W2 10.10.200.10 >/dev/null
`;

// A DNS query for example.com (id 0x1234), sent from ns1 to a port nobody listens on.
const DNS = `printf '\\022\\064\\001\\000\\000\\001\\000\\000\\000\\000\\000\\000\\007example\\003com\\000\\000\\001\\000\\001'`;
const TRAFFIC = (tunnel: boolean) =>
  [
    'ip netns exec ns1 ip route flush cache', // forget the path mtu the last run learned
    'ip netns exec ns1 ping -c1 -W2 10.10.20.2',
    `ip netns exec ns1 bash -c "${DNS} > /dev/udp/10.10.20.2/53"`,
    'sleep 0.3',
    'ip netns exec ns1 ping -c1 -W2 -s 2000 10.10.20.2',
    'ip netns exec ns1 ping -c1 -W1 -M do -s 1450 10.10.20.2',
    ...(tunnel ? ['ip netns exec ns1 ping -c1 -W2 10.10.200.10', 'ip netns exec ns1 ping -c1 -W2 -s 1600 10.10.200.10'] : []),
  ].join(' >/dev/null; ') + ' >/dev/null';

// request + reply, query + port unreachable, 2 + 2 fragments, request + frag needed; tunnel: 2 + 4 (+ frags)
const PACKETS = (tunnel: boolean) => (tunnel ? 16 : 10);

function realTcpdump(pcap: Buffer, flags: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'ipip-tcpdump-ref-'));
  try {
    writeFileSync(join(dir, 'ref.pcap'), pcap);
    return execFileSync('tcpdump', ['-r', join(dir, 'ref.pcap'), ...flags], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const backends: { name: string; make: () => Promise<Sandbox>; needs: [string, string]; tunnel: boolean }[] = [
  { name: 'host', make: () => createHostSandbox({ shims: hostShims() }), needs: ['dumpcap', 'apt-get install tshark'], tunnel: false },
  { name: 'uml', make: () => createUmlSandbox(), needs: ['linux.uml', 'apt-get install user-mode-linux'], tunnel: true },
];

describe.each(backends)('tcpdump in the $name sandbox is the real tcpdump', ({ make, needs, tunnel }) => {
  let sb: Sandbox;

  beforeAll(async () => {
    need('tcpdump', 'apt-get install tcpdump');
    need(...needs);
    sb = await make();
    const r = await sb.run(UNDERLAY + (tunnel ? TUNNEL : ''), { timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  }, 90_000);

  afterAll(async () => {
    await sb?.close();
  });

  for (const flags of [['-nn'], ['-nn', '-v'], ['-nn', '-e'], ['-n', '-vv', '-e']]) {
    it(`tcpdump ${flags.join(' ')}: the same lines as the real tcpdump reading the same packets`, async () => {
      const n = PACKETS(tunnel);
      const r = await sb.run(
        `rm -f /tmp/ref.pcap; tcpdump -i v1-P -c ${n} -w /tmp/ref.pcap ip 2>/dev/null & tcpdump -i v1-P -c ${n} ${flags.join(' ')} ip & sleep 1.5; ${TRAFFIC(tunnel)}; wait`,
        { timeoutMs: 30_000 },
      );
      expect(r.stderr).toMatch(/listening on v1-P, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes/);
      expect(r.stderr).toContain(`${n} packets captured`);
      const ref = await sb.run('base64 -w0 /tmp/ref.pcap');
      const expected = realTcpdump(Buffer.from(ref.stdout, 'base64'), flags);
      expect(expected.length).toBeGreaterThanOrEqual(n);
      // Two captures stamp an outgoing packet a few microseconds apart: compare without the time
      // here; reading one file back (below) compares the times too.
      const untimed = (lines: string[]) => lines.map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{6} /, ''));
      expect(untimed(r.stdout.split('\n').filter(Boolean))).toEqual(untimed(expected));
      // what the old home-made renderer printed differently
      const all = expected.join('\n');
      expect(all).toContain('A? example.com.');
      expect(all).toMatch(/unreachable - need to frag \(mtu 1400\)/);
      expect(all).toMatch(/ip-proto-1|frag \d+:/);
    });
  }

  it('reads its own -w file back exactly like the real tcpdump (times too), with filters and -c', async () => {
    const ref = Buffer.from((await sb.run('base64 -w0 /tmp/ref.pcap')).stdout, 'base64');
    for (const args of [['-nn'], ['-nn', '-v'], ['-nn', '-e'], ['-nn', '-c', '3', 'icmp'], ['-n', '-X', 'udp']]) {
      const r = await sb.run(`tcpdump -r /tmp/ref.pcap ${args.join(' ')}`);
      expect(r.stdout.split('\n').filter(Boolean)).toEqual(realTcpdump(ref, args));
      expect(r.stderr).toMatch(/^reading from file \/tmp\/ref\.pcap, link-type EN10MB \(Ethernet\), snapshot length 262144$/m);
    }
  });

  it('works in a pipeline, with -X, and stops at Ctrl-C with the counts', async () => {
    const piped = await sb.run(
      `tcpdump -l -i v1-P -c 2 -nn -X icmp | grep -c 0x0000 & sleep 1.5; ip netns exec ns1 ping -c1 -W2 10.10.20.2 >/dev/null; wait`,
    );
    expect(piped.stdout.trim()).toBe('2');
    const ac = new AbortController();
    const running = sb.run('tcpdump -i v1-P -nn icmp', { signal: ac.signal, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 1500));
    await sb.run('ip netns exec ns1 ping -c1 -W2 10.10.20.2');
    // dumpcap has no immediate mode: the kernel hands it packets in blocks, within 250 ms
    await new Promise((r) => setTimeout(r, 700));
    ac.abort();
    const r = await running;
    expect(r.stdout).toMatch(/10\.10\.10\.2 > 10\.10\.20\.2: ICMP echo request/);
    expect(r.stderr).toMatch(/2 packets captured\n\d+ packets? received by filter\n0 packets dropped by kernel/);
    // started in the background by a script, stopped with kill -INT (what `tutor flow` does, and
    // with its --immediate-mode: without it the real tcpdump gets packets from the kernel in blocks
    // retired once a second, and a kill within that second loses the block, on any Linux)
    const bg = await sb.run(
      'tcpdump --immediate-mode -i v1-P -nn -w /tmp/bg.pcap icmp 2>/tmp/bg.err & p=$!; for i in $(seq 100); do grep -q "listening on" /tmp/bg.err && break; sleep 0.1; done; ip netns exec ns1 ping -c1 -W2 10.10.20.2 >/dev/null; sleep 0.7; kill -INT $p; wait $p; echo "rc=$?"; tcpdump -r /tmp/bg.pcap -nn 2>/dev/null | wc -l; cat /tmp/bg.err >&2',
      { timeoutMs: 20_000 },
    );
    expect(bg.stdout).toBe('rc=0\n2\n');
    expect(bg.stderr).toMatch(/2 packets captured/);
  });

  it('says what is wrong in tcpdump words', async () => {
    const bad = await sb.run('tcpdump -i v1-P -c 1 "foo bar"');
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("tcpdump: can't parse filter expression: syntax error");
    const noDev = await sb.run('tcpdump -i nosuch -c 1');
    expect(noDev.stderr).toMatch(/tcpdump: nosuch: No such device exists/);
    const missing = await sb.run('tcpdump -r /tmp/nope.pcap');
    expect(missing.stderr).toContain('tcpdump: /tmp/nope.pcap: No such file or directory');
  });
});
