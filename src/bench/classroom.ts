import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { parseJoinUrl, type LearnerState } from '../server/classroom/protocol.js';
import { median, percentile } from './stats.js';

// The classroom under load, on loopback: N simulated learners (protocol-level clients, no
// sandboxes) each report a state change and an event about once a second; one dashboard
// watches. Measured: the time from a learner's message to the dashboard's update that shows it
// (p50, p95), and the server's CPU and memory. The floor, in the same run: the same clients
// and rate against a bare ws echo server in its own process (the network and ws's own cost).

export interface ClassroomFigures {
  learners: number;
  seconds: number;
  latencyP50: number;
  latencyP95: number;
  latencySamples: number;
  floorP50: number;
  floorP95: number;
  serverCpuPct: number;
  serverRssMiB: number | null;
  serverPeakMiB: number | null;
  messagesPerSec: number;
}

const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}
function statusKiB(pid: number, field: string): number | null {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : null;
}

/** Start a child and wait for the stdout lines `want` names (`name: value`). */
function startChild(args: string[], want: string[]): Promise<{ child: ChildProcess; got: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const got: Record<string, string> = {};
    let buf = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start: ${err.slice(-300)}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n')) {
        const m = /^(\w+): (\S+)$/.exec(line);
        if (m) got[m[1]!] = m[2]!;
      }
      if (want.every((w) => got[w])) {
        clearTimeout(timer);
        resolve({ child, got });
      }
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-300)}`)));
  });
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function benchState(n: number, marker: string): LearnerState {
  return {
    lessonId: 'bench',
    stepId: `step-${n % 7}`,
    lesson: 0,
    step: n % 7,
    lessonTitle: 'bench',
    stepTitle: marker,
    completed: n % 70,
    total: 70,
    onStepMs: 1000,
    passed: false,
    failing: { id: `check-${n % 3}`, ok: false, reason: 'a reason the learner saw' },
    mistake: null,
    hand: false,
    courseDone: false,
    backend: 'uml',
  };
}

/** Each learner sends once a second at its own phase until `ms` ran out. */
async function drive(sockets: WebSocket[], ms: number, send: (ws: WebSocket, i: number, n: number) => void): Promise<number> {
  let sent = 0;
  const end = Date.now() + ms;
  await Promise.all(
    sockets.map(async (ws, i) => {
      await sleep(Math.random() * 1000);
      for (let n = 0; Date.now() < end; n++) {
        send(ws, i, n);
        sent++;
        await sleep(900 + Math.random() * 200);
      }
    }),
  );
  return sent;
}

export async function benchClassroom(o: {
  cli: string;
  echo: string;
  learners: number;
  seconds: number;
  log: (s: string) => void;
}): Promise<ClassroomFigures> {
  // ---- the floor: a bare ws echo server, same clients, same rate ----
  o.log(`classroom: floor (ws echo), ${o.learners} clients`);
  const echo = await startChild([o.echo], ['port']);
  const floorLat: number[] = [];
  try {
    const socks = await Promise.all(Array.from({ length: o.learners }, () => open(`ws://127.0.0.1:${echo.got.port}`)));
    for (const s of socks) s.on('message', (d) => floorLat.push(performance.now() - Number(JSON.parse(d.toString()).at)));
    await drive(socks, o.seconds * 1000, (ws) => ws.send(JSON.stringify({ at: performance.now(), state: benchState(0, 'x') })));
    await sleep(300);
    for (const s of socks) s.terminate();
  } finally {
    echo.child.kill();
  }

  // ---- the classroom server, in its own process as an instructor runs it ----
  o.log(`classroom: ${o.learners} learners for ${o.seconds} s`);
  const state = mkdtempSync(path.join(os.tmpdir(), 'ipip-bench-class-'));
  const server = await startChild([o.cli, 'classroom', '--host', '127.0.0.1', '--port', '0', '--state', state], ['dashboard', 'join']);
  const pid = server.child.pid!;
  try {
    const key = new URL(server.got.dashboard!).searchParams.get('key')!;
    const wsUrl = parseJoinUrl(server.got.join!)!.wsUrl;
    const sentAt = new Map<string, number>();
    const lat: number[] = [];
    const dash = await open(`${wsUrl.replace(/\/ws\/learner\/.*/, '')}/ws/dashboard?key=${key}`);
    dash.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { t: string; learners?: { stepTitle: string | null }[] };
      if (m.t !== 'update') return;
      const now = performance.now();
      for (const l of m.learners ?? []) {
        const t = l.stepTitle ? sentAt.get(l.stepTitle) : undefined;
        if (t !== undefined) {
          lat.push(now - t);
          sentAt.delete(l.stepTitle!);
        }
      }
    });
    const socks: WebSocket[] = [];
    for (let i = 0; i < o.learners; i++) {
      const ws = await open(wsUrl);
      ws.send(
        JSON.stringify({
          t: 'hello',
          v: 1,
          learnerId: i.toString(16).padStart(32, '0'),
          name: `learner ${i}`,
          private: false,
          lang: 'en',
          lastBroadcast: 0,
        }),
      );
      socks.push(ws);
    }
    await sleep(500);
    const cpu0 = cpuTicks(pid);
    const t0 = performance.now();
    const sent = await drive(socks, o.seconds * 1000, (ws, i, n) => {
      const marker = `m${i}-${n}`;
      ws.send(
        JSON.stringify({
          t: 'events',
          events: [
            { seq: n + 1, body: { kind: 'command', lessonId: 'bench', stepId: 's', command: `ip link show dev v${n}`, exitCode: 0 } },
          ],
        }),
      );
      sentAt.set(marker, performance.now());
      ws.send(JSON.stringify({ t: 'state', state: benchState(n, marker) }));
    });
    const wall = (performance.now() - t0) / 1000;
    const cpu = (cpuTicks(pid) - cpu0) / TICKS;
    await sleep(300);
    const rss = statusKiB(pid, 'VmRSS');
    const hwm = statusKiB(pid, 'VmHWM');
    for (const s of socks) s.terminate();
    dash.terminate();
    return {
      learners: o.learners,
      seconds: o.seconds,
      latencyP50: median(lat),
      latencyP95: percentile(lat, 95),
      latencySamples: lat.length,
      floorP50: median(floorLat),
      floorP95: percentile(floorLat, 95),
      serverCpuPct: (100 * cpu) / wall,
      serverRssMiB: rss === null ? null : rss / 1024,
      serverPeakMiB: hwm === null ? null : hwm / 1024,
      messagesPerSec: (2 * sent) / wall,
    };
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(state, { recursive: true, force: true });
  }
}
