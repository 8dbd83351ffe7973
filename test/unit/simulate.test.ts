import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IpLink, IpRoute } from '../../src/kernel/ipJson.js';
import { lookupKey, simulatePing, type PathState } from '../../src/kernel/simulate.js';

// Path reasoning over real kernel state: the worlds were read from a UML guest with the article's
// setup (the underlay ready; then the tunnels too), and each case breaks one thing the way a
// learner does, then asks where the packet dies.
const load = (name: string): PathState =>
  JSON.parse(readFileSync(new URL(`../fixtures/world-${name}.json`, import.meta.url), 'utf8')) as PathState;
const link = (w: PathState, ns: string, name: string): IpLink => w.ns[ns]!.links.find((l) => l.ifname === name)!;
const down = (w: PathState, ns: string, name: string) => {
  const l = link(w, ns, name);
  l.flags = l.flags.filter((f) => f !== 'UP' && f !== 'LOWER_UP');
  // the kernel takes the routes through a link that goes down away with it
  w.ns[ns]!.routes = w.ns[ns]!.routes.filter((r) => r.dev !== name);
};
const addRoute = (w: PathState, ns: string, r: IpRoute) => w.ns[ns]!.routes.push(r);

describe('simulatePing on the article setup', () => {
  it('the working underlay: there and back, one router hop (ttl 63), no fault', () => {
    const r = simulatePing(load('underlay'), 'ns1', '10.10.20.2');
    expect(r.verdict).toBe('ok');
    expect(r.ttl).toBe(63);
    expect(r.request.map((h) => `${h.ns}:${h.action}`)).toEqual(['ns1:send', 'root:forward', 'ns2:deliver']);
    expect(r.reply.map((h) => `${h.ns}:${h.action}`)).toEqual(['ns2:send', 'root:forward', 'ns1:deliver']);
  });

  it('the working tunnel: encapsulated in ns1, decapsulated by tunr (not tunl0), inner ttl 64', () => {
    const r = simulatePing(load('tunnel'), 'ns1', '10.10.200.10');
    expect(r.verdict).toBe('ok');
    expect(r.ttl).toBe(64);
    expect(r.request.map((h) => `${h.ns}:${h.action}:${h.dev ?? ''}`)).toEqual([
      'ns1:encap:tunl',
      'ns1:send:v1',
      'root:forward:v2-P',
      'ns2:decap:tunr',
      'ns2:deliver:tunr',
    ]);
  });

  it('forwarding off in the root namespace: the root namespace, with the sysctl that shows and fixes it', () => {
    const w = load('underlay');
    w.forwarding.root = false;
    const r = simulatePing(w, 'ns1', '10.10.20.2');
    expect(r.fault).toMatchObject({
      code: 'no_forward',
      ns: 'root',
      dev: 'v1-P',
      direction: 'request',
      show: ['cat /proc/sys/net/ipv4/ip_forward'],
      fix: ['echo 1 > /proc/sys/net/ipv4/ip_forward'],
    });
  });

  it("a route typed in the root namespace instead of ns1 (gateway = root's own address) is named, once the kernel settles the tie", () => {
    const w = load('underlay');
    addRoute(w, 'root', { dst: '10.10.20.0/24', gateway: '10.10.10.1', dev: 'v1-P' });
    const first = simulatePing(w, 'ns1', '10.10.20.2');
    // two routes of the same length and metric: only the kernel knows which one it uses
    expect(first.verdict).toBe('unsure');
    expect(first.need).toEqual([{ ns: 'root', dst: '10.10.20.2', from: '10.10.10.2', iif: 'v1-P' }]);
    const answers = new Map([[lookupKey(first.need![0]!), { dst: '10.10.20.2', gateway: '10.10.10.1', dev: 'v1-P' }]]);
    const r = simulatePing(w, 'ns1', '10.10.20.2', answers);
    expect(r.fault).toMatchObject({
      code: 'gateway_local',
      ns: 'root',
      route: '10.10.20.0/24 via 10.10.10.1 dev v1-P',
      fix: ['ip route del 10.10.20.0/24 via 10.10.10.1'],
    });
  });

  it('a missing route in ns2: the reply dies there, and the fix is the route via the router across the cable', () => {
    const w = load('underlay');
    w.ns.ns2!.routes = w.ns.ns2!.routes.filter((r) => r.dst !== '10.10.10.0/24');
    const r = simulatePing(w, 'ns1', '10.10.20.2');
    expect(r.fault).toMatchObject({
      code: 'no_route',
      ns: 'ns2',
      direction: 'reply',
      fix: ['ip netns exec ns2 ip route add 10.10.10.0/24 via 10.10.20.1'],
    });
  });

  it('a DOWN link on the way: the link and the command that brings it up', () => {
    const w = load('underlay');
    down(w, 'root', 'v2-P');
    const r = simulatePing(w, 'ns1', '10.10.20.2');
    expect(r.fault).toMatchObject({ code: 'link_down', ns: 'root', dev: 'v2-P', fix: ['ip link set v2-P up'] });
  });

  it('a cable whose other end is down: no carrier, and the far end is the fix', () => {
    const w = load('underlay');
    const peer = link(w, 'root', 'v1-P');
    peer.flags = peer.flags.filter((f) => f !== 'UP' && f !== 'LOWER_UP');
    const v1 = link(w, 'ns1', 'v1');
    v1.flags = v1.flags.filter((f) => f !== 'LOWER_UP');
    const r = simulatePing(w, 'ns1', '10.10.20.2');
    expect(r.fault).toMatchObject({
      code: 'no_carrier',
      ns: 'ns1',
      dev: 'v1',
      params: { peer: 'v1-P', peerNs: 'root' },
      fix: ['ip link set v1-P up'],
    });
  });

  it('tunl with local and remote swapped: its remote is an address of ns1 itself', () => {
    const w = load('tunnel');
    const d = link(w, 'ns1', 'tunl').linkinfo!.info_data!;
    [d.local, d.remote] = [d.remote, d.local];
    const r = simulatePing(w, 'ns1', '10.10.200.10');
    expect(r.fault).toMatchObject({
      code: 'tunnel_remote_local',
      ns: 'ns1',
      dev: 'tunl',
      fix: ['ip netns exec ns1 ip tunnel change tunl local 10.10.10.2 remote 10.10.20.2'],
    });
  });

  it('tunr expecting the wrong remote: the far end does not take the packets, and says from where it expects them', () => {
    const w = load('tunnel');
    link(w, 'ns2', 'tunr').linkinfo!.info_data!.remote = '10.10.10.99';
    const r = simulatePing(w, 'ns1', '10.10.200.10');
    expect(r.fault).toMatchObject({
      code: 'decap_near_miss',
      ns: 'ns2',
      dev: 'tunr',
      params: { found: '10.10.10.99', kind: 'ipip' },
      src: '10.10.10.2',
      fix: ['ip netns exec ns2 ip tunnel change tunr remote 10.10.10.2 local 10.10.20.2'],
    });
  });
});
