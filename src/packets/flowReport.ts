import { counterDeltas, type CounterDelta } from '../kernel/counters.js';
import { ROOT } from '../kernel/namespaces.js';
import { readWorld } from '../kernel/snapshot.js';
import { simulatePing, type Fault } from '../kernel/simulate.js';
import { gatherState } from '../checks/state.js';
import { tracePath, type Hop, type TunnelInfo } from '../kernel/trace.js';
import type { RunOptions, Sandbox } from '../sandbox/types.js';
import { shQuote } from '../sandbox/host/tcpdumpArgs.js';
import { captureScript, parseCaptureRun, pickRequestReply } from './capture.js';
import { decodePacket, type DecodedPacket } from './decode.js';
import { parseCapture } from './pcap.js';

// The frame-flow analysis of the article's last section ("ipip隧道通信数据帧流转分析"), done with
// the real kernel inside the sandbox: one ping, captured on a device, decoded; the path derived
// hop by hop from the kernel's own `ip route get` answers and the tunnel configuration; and the
// per-device counters before and after, showing which devices the packets crossed.
export interface FlowOptions {
  fromNs: string;
  to: string;
  captureDev: string;
  /** Packets to capture before stopping (request + reply). */
  count?: number;
  signal?: AbortSignal;
}

export interface FlowCapture {
  ok: boolean;
  tool?: 'tcpdump' | 'dumpcap';
  error?: string;
  packets: DecodedPacket[];
  request?: DecodedPacket;
  reply?: DecodedPacket;
}

export interface FlowReport {
  fromNs: string;
  to: string;
  captureDev: string;
  captureNs?: string;
  namespaces: string[];
  /** The tunnel the request leaves through, if it does. */
  tunnel?: TunnelInfo;
  ping: { exitCode: number | null; ok: boolean; output: string };
  capture: FlowCapture;
  path: { request: Hop[]; reply: Hop[] };
  /** when the ping fails: where the packet dies, by path reasoning over the state */
  fault?: Fault;
  counters: CounterDelta[];
}

const faultOf = (r: ReturnType<typeof simulatePing>): { fault?: Fault } => (r.fault ? { fault: r.fault } : {});

export async function analyzeFlow(sandbox: Sandbox, opts: FlowOptions): Promise<FlowReport> {
  const { fromNs, to, captureDev } = opts;
  const count = opts.count ?? 2;
  const before = await gatherState(sandbox, [], { world: true });
  const namespaces = [...before.netns].sort();

  // Paths first (route get sends nothing), so the counters only move for the ping.
  const request = await tracePath(sandbox, before, fromNs, to);
  const first = request[0];
  const tunnel = request.find((h) => h.kind === 'encap')?.tunnel;
  const reqSrc = first?.src && first.src !== '?' ? first.src : undefined;
  const delivered = [...request].reverse().find((h) => h.kind === 'deliver');
  const reply = delivered && reqSrc ? await tracePath(sandbox, before, delivered.ns, reqSrc, to) : [];

  const devOwner = Object.values(before.ns).find((s) => s.links.some((l) => l.ifname === captureDev));
  // -w 2 bounds the ping even when the kernel drops the packet silently (a broken tunnel route).
  const ping = `${fromNs !== ROOT ? `ip netns exec ${shQuote(fromNs)} ` : ''}ping -c1 -W1 -w2 ${shQuote(to)}`;
  const runOpts: RunOptions = { timeoutMs: 15_000, ...(opts.signal ? { signal: opts.signal } : {}) };
  // Counters as close around the ping as possible: background traffic (IPv6 neighbour discovery,
  // MLD) moves them too.
  const counted = await readWorld(sandbox);
  const run = await sandbox.run(
    captureScript({ dev: captureDev, ...(devOwner && devOwner.name !== ROOT ? { devNs: devOwner.name } : {}), count, filter: 'ip', ping }),
    runOpts,
  );
  const parsed = parseCaptureRun(run.stdout);
  const after = await readWorld(sandbox);

  const capture: FlowCapture = { ok: false, packets: [], ...(parsed.tool ? { tool: parsed.tool } : {}) };
  if (parsed.error) capture.error = parsed.error;
  else if (parsed.pcap) {
    const r = parseCapture(parsed.pcap);
    if (!r.ok) capture.error = r.error;
    else {
      capture.ok = true;
      capture.packets = r.file.packets.map(decodePacket);
      Object.assign(capture, pickRequestReply(capture.packets, to));
    }
  } else if (run.timedOut) capture.error = 'timed out';

  return {
    fromNs,
    to,
    captureDev,
    ...(devOwner ? { captureNs: devOwner.name } : {}),
    namespaces,
    ...(tunnel ? { tunnel } : {}),
    ping: { exitCode: parsed.pingRc, ok: parsed.pingRc === 0, output: parsed.pingOutput },
    capture,
    path: { request, reply },
    ...(parsed.pingRc !== 0 ? faultOf(simulatePing(before, fromNs, to)) : {}),
    counters: counterDeltas(counted, after),
  };
}
