import { describe, expect, it } from 'vitest';
import { describeCheck } from '../../src/checks/describe.js';
import { evaluateCheck } from '../../src/checks/evaluate.js';
import type { IpLink } from '../../src/kernel/ipJson.js';
import { parsePing, type Snapshot } from '../../src/checks/state.js';
import { checkSchema, type Check } from '../../src/checks/schema.js';

// Snapshots shaped like real `ip -j -d addr` / `ip -j route` output after the article's steps.
const link = (o: Partial<IpLink> & Pick<IpLink, 'ifindex' | 'ifname'>): IpLink => ({
  flags: ['BROADCAST', 'MULTICAST'],
  mtu: 1500,
  addr_info: [],
  ...o,
});
function snapshot(): Snapshot {
  return {
    netns: ['ns1', 'ns2'],
    ns: {
      root: {
        name: 'root',
        exists: true,
        links: [
          link({ ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536 }),
          link({
            ifindex: 2,
            ifname: 'v1-P',
            link_index: 2,
            link_netnsid: 0,
            linkinfo: { info_kind: 'veth' },
            flags: ['BROADCAST', 'UP', 'LOWER_UP'],
            addr_info: [{ family: 'inet', local: '10.10.10.1', prefixlen: 24 }],
          }),
          link({
            ifindex: 3,
            ifname: 'v2-P',
            link_index: 2,
            link_netnsid: 1,
            linkinfo: { info_kind: 'veth' },
            addr_info: [{ family: 'inet', local: '10.10.20.1', prefixlen: 16 }],
          }),
        ],
        routes: [{ dst: '10.10.10.0/24', dev: 'v1-P', scope: 'link', protocol: 'kernel' }],
      },
      ns1: {
        name: 'ns1',
        exists: true,
        links: [
          link({
            ifindex: 2,
            ifname: 'v1',
            link_index: 2,
            link_netnsid: 0,
            linkinfo: { info_kind: 'veth' },
            flags: ['UP'],
            addr_info: [{ family: 'inet', local: '10.10.10.2', prefixlen: 24 }],
          }),
          link({
            ifindex: 4,
            ifname: 'tunl',
            mtu: 1480,
            flags: ['POINTOPOINT', 'NOARP', 'UP'],
            linkinfo: { info_kind: 'ipip', info_data: { local: '10.10.20.2', remote: '10.10.10.2' } },
            addr_info: [{ family: 'inet', local: '10.10.100.10', prefixlen: 32 }],
          }),
        ],
        routes: [
          { dst: '10.10.10.0/24', dev: 'v1', scope: 'link' },
          { dst: '10.10.20.0/24', gateway: '10.10.10.9', dev: 'v1' },
          { dst: '10.10.200.10', dev: 'tunl', scope: 'link' },
        ],
      },
      ns2: {
        name: 'ns2',
        exists: true,
        links: [link({ ifindex: 2, ifname: 'v2', link_index: 3, linkinfo: { info_kind: 'veth' }, flags: ['BROADCAST'] })],
        routes: [],
      },
    },
    sysctl: { 'root|net.ipv4.ip_forward': '0' },
    modules: ['veth'],
    builtinModules: [],
    echoesSent: {},
    forwarding: {},
    pings: {},
    outputs: {},
  };
}

const check = (c: unknown): Check => checkSchema.parse(c);
const verdict = (c: unknown, snap = snapshot()) => {
  const r = evaluateCheck(check(c), snap);
  return { ok: r.ok, text: describeCheck(r, 'en'), zh: describeCheck(r, 'zh') };
};

describe('check evaluation reads the snapshot, with specific reasons', () => {
  it('netns present and missing', () => {
    expect(verdict({ type: 'netns', name: 'ns1' })).toMatchObject({ ok: true });
    expect(verdict({ type: 'netns', name: 'ns3' }).text).toBe('namespace ns3 does not exist yet');
    expect(verdict({ type: 'netns', name: 'ns1', absent: true }).text).toBe('namespace ns1 still exists');
  });

  it('a link left down names the namespace', () => {
    const v = verdict({ type: 'link', name: 'v2-P', state: 'UP' });
    expect(v).toMatchObject({ ok: false, text: 'v2-P exists in the root namespace but is DOWN' });
    expect(v.zh).toBe('根网络命名空间中的 v2-P 已存在，但状态是 DOWN'); // no stray space where a Chinese name meets Chinese text
  });

  it('veth peer and its namespace are checked both ways', () => {
    expect(verdict({ type: 'link', netns: 'ns1', name: 'v1', kind: 'veth', peer: 'v1-P', peerNetns: 'root' }).ok).toBe(true);
    expect(verdict({ type: 'link', netns: 'ns1', name: 'v1', peer: 'v2-P' }).text).toBe("v1's peer is v1-P, expected v2-P");
    expect(verdict({ type: 'link', netns: 'ns1', name: 'v1', peer: 'v1-P', peerNetns: 'ns2' }).text).toBe(
      "v1's peer v1-P is in the root namespace, expected ns2",
    );
  });

  it('a veth made without `netns ns1`: both ends in the root namespace, and the reason says so', () => {
    const snap = snapshot();
    // iproute2 names a peer in the same namespace (`link`) instead of giving its index
    snap.ns.root!.links = [
      link({ ifindex: 7, ifname: 'v1', link: 'v1-P', linkinfo: { info_kind: 'veth' } }),
      link({ ifindex: 8, ifname: 'v1-P', link: 'v1', linkinfo: { info_kind: 'veth' } }),
    ];
    expect(verdict({ type: 'link', name: 'v1-P', kind: 'veth', peer: 'v1', peerNetns: 'ns1' }, snap).text).toBe(
      "v1-P's peer v1 is in the root namespace, expected ns1",
    );
  });

  it('a link in the wrong namespace says where it is', () => {
    expect(verdict({ type: 'link', netns: 'ns2', name: 'v1' }).text).toBe('v1 is not in ns2, it is in ns1');
  });

  it('wrong prefix, missing address, missing peer', () => {
    expect(verdict({ type: 'address', dev: 'v2-P', address: '10.10.20.1/24' }).text).toBe(
      'v2-P in the root namespace has 10.10.20.1/16, expected /24',
    );
    expect(verdict({ type: 'address', netns: 'ns2', dev: 'v2', address: '10.10.20.2/24' }).text).toBe(
      'v2 in ns2 has no address 10.10.20.2/24 (it has no IPv4 address)',
    );
    expect(verdict({ type: 'address', netns: 'ns1', dev: 'tunl', address: '10.10.100.10', peer: '10.10.200.10' }).text).toBe(
      'tunl in ns1 has 10.10.100.10 but no peer; expected peer 10.10.200.10',
    );
  });

  it('routes: missing, wrong gateway, host route with scope', () => {
    expect(verdict({ type: 'route', netns: 'ns2', dst: '10.10.10.0/24', via: '10.10.20.1' }).text).toBe(
      'ns2 has no route to 10.10.10.0/24',
    );
    expect(verdict({ type: 'route', netns: 'ns1', dst: '10.10.20.0/24', via: '10.10.10.1' }).text).toBe(
      'ns1 sends 10.10.20.0/24 via 10.10.10.9, expected via 10.10.10.1',
    );
    expect(verdict({ type: 'route', netns: 'ns1', dst: '10.10.200.10', dev: 'tunl', scope: 'link' }).ok).toBe(true);
  });

  it('ip_forward 0 fails with the value found', () => {
    expect(verdict({ type: 'sysctl', key: 'net.ipv4.ip_forward', value: '1' }).text).toBe(
      'net.ipv4.ip_forward is 0 in the root namespace, expected 1',
    );
  });

  it('tunnel with local and remote swapped is named as such', () => {
    expect(verdict({ type: 'tunnel', netns: 'ns1', name: 'tunl', mode: 'ipip', local: '10.10.10.2', remote: '10.10.20.2' }).text).toBe(
      'tunl in ns1 has local and remote swapped (local 10.10.20.2, remote 10.10.10.2)',
    );
    expect(verdict({ type: 'tunnel', netns: 'ns1', name: 'tunl', mode: 'gre' }).text).toBe('tunl in ns1 is mode ipip, expected gre');
    expect(verdict({ type: 'tunnel', netns: 'ns2', name: 'tunr', mode: 'ipip' }).text).toBe('there is no tunnel tunr in ns2');
  });

  it('module loaded or not', () => {
    expect(verdict({ type: 'module', name: 'ipip' }).text).toBe('kernel module ipip is not loaded');
    expect(verdict({ type: 'module', name: 'veth' }).ok).toBe(true);
  });

  it('a check in a namespace that does not exist says so', () => {
    const snap = snapshot();
    snap.ns.ns3 = { name: 'ns3', exists: false, links: [], routes: [] };
    expect(verdict({ type: 'route', netns: 'ns3', dst: '10.0.0.0/8' }, snap).text).toBe(
      'ns3 does not exist, so 10.0.0.0/8 cannot be checked',
    );
  });

  it('answers are compared case- and space-insensitively', () => {
    const c = check({ type: 'answer', accept: ['sit'] });
    expect(evaluateCheck(c, snapshot(), '  SIT ').ok).toBe(true);
    expect(describeCheck(evaluateCheck(c, snapshot(), 'gre'), 'en')).toBe('"gre" is not it');
  });
});

describe('ping output parsing', () => {
  const r = (exitCode: number, stdout: string, stderr = '') => ({
    exitCode,
    signal: null,
    stdout,
    stderr,
    timedOut: false,
    truncated: false,
    interrupted: false,
    durationMs: 1,
  });
  it('reads the ttl of a reply', () => {
    expect(parsePing(r(0, '64 bytes from 10.10.20.2: icmp_seq=1 ttl=63 time=0.1 ms\n'))).toMatchObject({ ok: true, ttl: 63 });
  });
  it('classifies failures', () => {
    expect(parsePing(r(2, '', 'ping: connect: Network is unreachable\n')).why).toBe('unreachable');
    expect(parsePing(r(1, '1 packets transmitted, 0 received, 100% packet loss')).why).toBe('no_reply');
    expect(parsePing(r(1, 'ping: local error: message too long, mtu=1480\n'))).toMatchObject({ why: 'too_long', mtu: 1480 });
  });
});
