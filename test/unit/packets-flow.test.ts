import { readFileSync } from 'node:fs';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { decodePacket } from '../../src/packets/decode.js';
import { counterDeltas } from '../../src/kernel/counters.js';
import type { World } from '../../src/kernel/snapshot.js';
import { tracePath } from '../../src/kernel/trace.js';
import { captureScript, parseCaptureRun, pickRequestReply } from '../../src/packets/capture.js';
import { parseFlowArgs as parse } from '../../src/packets/flowCommand.js';
import type { FlowReport } from '../../src/packets/flowReport.js';
import { renderFlow, renderFlowCompact } from '../../src/packets/flowRender.js';
import { parseCapture } from '../../src/packets/pcap.js';
import type { RunResult, Sandbox } from '../../src/sandbox/types.js';

const fx = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
function decoded(name: string) {
  const r = parseCapture(fx(name));
  if (!r.ok) throw new Error(r.error);
  return r.file.packets.map(decodePacket);
}

const res = (stdout: string, exitCode = 0, stderr = ''): RunResult => ({
  exitCode,
  signal: null,
  stdout,
  stderr,
  timedOut: false,
  truncated: false,
  interrupted: false,
  durationMs: 1,
});

/** A sandbox that answers `ip ... route get` like the kernel did in the UML guest (article setup). */
function fakeKernel(routes: Record<string, object | string>): Sandbox {
  return {
    info: { backend: 'uml', kernel: 'test', hostUid: 1000, features: { ipip: true, gre: true } },
    run: async () => res(''),
    close: async () => {},
    query: async (cmds) =>
      cmds.map((c) => {
        const key = c.filter((w) => w !== '-j').join(' ');
        const a = routes[key];
        if (a === undefined) return res('', 2, `unexpected query: ${key}`);
        if (typeof a === 'string') return res('', 2, a);
        return res(JSON.stringify([a]));
      }),
  };
}

const tun = (ifname: string, kind: string, local: string, remote: string, mtu = 1480) => ({
  ifindex: 9,
  ifname,
  mtu,
  linkinfo: { info_kind: kind, info_data: { local, remote } },
});
const any = (ifname: string) => tun(ifname, 'ipip', 'any', 'any');
const addr = (ip: string) => ({ addr_info: [{ family: 'inet', local: ip }] });
const NS = [
  {
    name: 'root',
    links: [
      { ifindex: 3, ifname: 'v1-P', ...addr('10.10.10.1') },
      { ifindex: 4, ifname: 'v2-P', ...addr('10.10.20.1') },
    ],
  },
  {
    name: 'ns1',
    links: [
      any('tunl0'),
      { ifindex: 3, ifname: 'v1', ...addr('10.10.10.2') },
      { ...tun('tunl', 'ipip', '10.10.10.2', '10.10.20.2'), ...addr('10.10.100.10') },
    ],
  },
  {
    name: 'ns2',
    links: [
      any('tunl0'),
      { ifindex: 3, ifname: 'v2', ...addr('10.10.20.2') },
      { ...tun('tunr', 'ipip', '10.10.20.2', '10.10.10.2'), ...addr('10.10.200.10') },
    ],
  },
];
const world = (ns: typeof NS): World =>
  ({ netns: ['ns1', 'ns2'], ns: Object.fromEntries(ns.map((n) => [n.name, { ...n, exists: true, routes: [] }])) }) as unknown as World;
const STATES = world(NS);
// Answers copied from `ip -j route get` in the guest.
const ARTICLE_ROUTES = {
  'ip -n ns1 route get 10.10.200.10': { dst: '10.10.200.10', dev: 'tunl', prefsrc: '10.10.100.10', flags: [], uid: 0, cache: [] },
  'ip -n ns1 route get 10.10.20.2 from 10.10.10.2': {
    dst: '10.10.20.2',
    from: '10.10.10.2',
    gateway: '10.10.10.1',
    dev: 'v1',
    flags: [],
    uid: 0,
    cache: [],
  },
  'ip route get 10.10.20.2 from 10.10.10.2 iif v1-P': {
    dst: '10.10.20.2',
    from: '10.10.10.2',
    dev: 'v2-P',
    flags: [],
    cache: [],
    iif: 'v1-P',
  },
  'ip -n ns2 route get 10.10.20.2 from 10.10.10.2 iif v2': {
    type: 'local',
    dst: '10.10.20.2',
    from: '10.10.10.2',
    dev: 'lo',
    flags: [],
    cache: ['local'],
    iif: 'v2',
  },
  'ip -n ns2 route get 10.10.200.10 from 10.10.100.10 iif tunr': {
    type: 'local',
    dst: '10.10.200.10',
    from: '10.10.100.10',
    dev: 'lo',
    flags: [],
    cache: ['local'],
    iif: 'tunr',
  },
};

describe('tracePath follows the kernel answers', () => {
  it('derives the article path: encap, route, forward, receive, decap (tunr, not tunl0), deliver', async () => {
    const hops = await tracePath(fakeKernel(ARTICLE_ROUTES), STATES, 'ns1', '10.10.200.10');
    expect(hops.map((h) => [h.ns, h.kind, h.dev])).toEqual([
      ['ns1', 'encap', 'tunl'],
      ['ns1', 'route', 'v1'],
      ['root', 'forward', 'v2-P'],
      ['ns2', 'receive', 'v2'],
      ['ns2', 'decap', 'tunr'],
      ['ns2', 'deliver', 'tunr'],
    ]);
    expect(hops[0]).toMatchObject({
      src: '10.10.100.10',
      dst: '10.10.200.10',
      answer: '10.10.200.10 dev tunl src 10.10.100.10',
      tunnel: { local: '10.10.10.2', remote: '10.10.20.2' },
    });
    expect(hops[1]).toMatchObject({ src: '10.10.10.2', dst: '10.10.20.2', command: 'ip -n ns1 route get 10.10.20.2 from 10.10.10.2' });
  });

  it('stops where the kernel says no', async () => {
    const broken = { ...ARTICLE_ROUTES, 'ip route get 10.10.20.2 from 10.10.10.2 iif v1-P': 'RTNETLINK answers: Network is unreachable' };
    const hops = await tracePath(fakeKernel(broken), STATES, 'ns1', '10.10.200.10');
    expect(hops.map((h) => h.kind)).toEqual(['encap', 'route', 'noroute']);
    expect(hops[2]).toMatchObject({ ns: 'root', error: 'RTNETLINK answers: Network is unreachable' });
  });

  it('says when no tunnel takes the packet at the far end', async () => {
    const states = world(NS.map((s) => (s.name === 'ns2' ? { ...s, links: s.links.filter((l) => l.ifname === 'v2') } : s)));
    const hops = await tracePath(fakeKernel(ARTICLE_ROUTES), states, 'ns1', '10.10.200.10');
    expect(hops.at(-1)).toMatchObject({ kind: 'noroute', ns: 'ns2' });
    expect(hops.at(-1)!.error).toMatch(/no ipip tunnel in ns2/);
  });
});

describe('flow pieces', () => {
  it('parses `tutor flow` arguments with defaults', () => {
    const parseFlowArgs = (a: string[]) => parse(a, { from: 'ns1', to: '10.10.200.10', on: 'v1-P' });
    expect(parseFlowArgs([])).toEqual({ fromNs: 'ns1', to: '10.10.200.10', captureDev: 'v1-P', count: 2, full: false });
    expect(parseFlowArgs(['--full'])).toMatchObject({ full: true });
    expect(parseFlowArgs(['ns2', '10.10.100.10', '--on', 'v2-P'])).toEqual({
      fromNs: 'ns2',
      to: '10.10.100.10',
      captureDev: 'v2-P',
      count: 2,
      full: false,
    });
    expect(parseFlowArgs(['10.10.201.10'])).toMatchObject({ fromNs: 'ns1', to: '10.10.201.10' });
    expect(parseFlowArgs(['--on'])).toHaveProperty('error');
    expect(parseFlowArgs(['a;b'])).toHaveProperty('error');
  });

  it('the capture script quotes what it is given', () => {
    const s = captureScript({ dev: 'v1-P', count: 2, filter: 'ip proto 4', ping: 'ping -c1 x' });
    expect(s).toContain('tcpdump -Z root --immediate-mode -U -n -i v1-P -c 2 -w "$f" \'ip proto 4\'');
    expect(s).toContain('dumpcap -q -i v1-P -c 2 -f \'ip proto 4\' -P -w "$f"');
  });

  it('reads the capture run output back', () => {
    const b64 = Buffer.from(fx('ipip-v1p.pcap')).toString('base64');
    const out = `IPIP-TUTOR-FLOW-TOOL dumpcap\nIPIP-TUTOR-FLOW-PING\nPING ...\nIPIP-TUTOR-FLOW-PINGRC 0\nIPIP-TUTOR-FLOW-PCAP\n${b64.slice(0, 76)}\n${b64.slice(76)}\nIPIP-TUTOR-FLOW-END\n`;
    const r = parseCaptureRun(out);
    expect(r).toMatchObject({ tool: 'dumpcap', pingRc: 0, pingOutput: 'PING ...' });
    expect(Buffer.from(r.pcap!).equals(Buffer.from(fx('ipip-v1p.pcap')))).toBe(true);
    expect(parseCaptureRun('IPIP-TUTOR-FLOW-ERROR\ntcpdump: nope\n').error).toBe('tcpdump: nope');
  });

  it('picks request and reply by ICMP type and the inner addresses', () => {
    const ps = decoded('ipip-any-sll2.pcap');
    const { request, reply } = pickRequestReply(ps, '10.10.200.10');
    expect(request).toBe(ps[0]);
    expect(reply).toBe(ps[2]);
    expect(pickRequestReply(ps, '10.1.1.1')).toEqual({});
  });

  it('counter deltas per namespace and device', () => {
    const st = (n: number) =>
      world([
        {
          name: 'ns1',
          links: [
            {
              ifindex: 1,
              ifname: 'tunl',
              linkinfo: { info_kind: 'ipip' },
              stats64: { tx: { packets: n, bytes: n * 84 }, rx: { packets: n, bytes: n * 84 } },
            },
          ],
        },
      ] as unknown as typeof NS);
    expect(counterDeltas(st(1), st(2))).toEqual([
      { ns: 'ns1', dev: 'tunl', kind: 'ipip', txPackets: 1, rxPackets: 1, txBytes: 84, rxBytes: 84 },
    ]);
  });

  it('renders a report within the width in en and zh', async () => {
    const [req, rep] = decoded('ipip-v1p.pcap');
    const path = await tracePath(fakeKernel(ARTICLE_ROUTES), STATES, 'ns1', '10.10.200.10');
    const report: FlowReport = {
      fromNs: 'ns1',
      to: '10.10.200.10',
      captureDev: 'v1-P',
      captureNs: 'root',
      namespaces: ['ns1', 'ns2'],
      tunnel: { ns: 'ns1', dev: 'tunl', kind: 'ipip', local: '10.10.10.2', remote: '10.10.20.2', mtu: 1480 },
      ping: { exitCode: 0, ok: true, output: '' },
      capture: { ok: true, tool: 'tcpdump', packets: [req!, rep!], request: req!, reply: rep! },
      path: { request: path, reply: [] },
      counters: [{ ns: 'ns1', dev: 'tunl', kind: 'ipip', txPackets: 1, rxPackets: 1, txBytes: 84, rxBytes: 84 }],
    };
    for (const lang of ['en', 'zh'] as const)
      for (const w of [76, 60]) {
        const text = renderFlow(report, lang, w);
        for (const line of text.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(w);
      }
    // The default view fits an 80x24 terminal with the REPL's own lines around it.
    for (const lang of ['en', 'zh'] as const) {
      const compact = renderFlowCompact(report, lang, 76).split('\n');
      expect(compact.length).toBeLessThanOrEqual(19);
      for (const line of compact) expect(stringWidth(line), line).toBeLessThanOrEqual(76);
    }
    expect(renderFlowCompact(report, 'en', 76)).toContain('there: [ns1] encapsulate on tunl › out of v1');
    const en = renderFlow(report, 'en');
    expect(en).toContain('outer ttl 64 on the request, 63 on the reply');
    expect(en).toContain('$ ip route get 10.10.20.2 from 10.10.10.2 iif v1-P');
    expect(renderFlow(report, 'zh')).toContain('解封装');
  });
});
