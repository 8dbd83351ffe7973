import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Course } from '../course/load.js';
import { chooseBackend } from '../sandbox/select.js';
import type { BackendName } from '../sandbox/types.js';
import { startClassroom } from '../server/classroom/server.js';
import { LabClient } from '../server/lab/labClient.js';
import { labPlugin, type LabHandle } from '../server/lab/plugin.js';
import { median, percentile } from './stats.js';

// The browser lab's capacity: a class of N simulated attendees on one classroom server, each a
// real lab session over WebSocket with a real sandbox (the backend this machine's tutor would
// choose), doing the course at a typical pace: they arrive over a few seconds, go through the
// first lesson's readings and quizzes, then type every task's solution from the namespaces
// lesson on, pausing 2-6 s before each command. Measured: the time from Enter to the command's
// end (what an attendee waits for), the memory of each attendee's tutor with its sandbox, and
// the machine's CPU while the class works.

export interface LabClassFigures {
  attendees: number;
  commands: number;
  p50: number;
  p95: number;
  /** PSS of one attendee's tutor process tree (sandbox included), mean at the busiest moment */
  mibPerAttendee: number;
  /** the machine's CPU busy, all cores = 100 % */
  cpuPct: number;
  seconds: number;
  failed: number;
}

function cpuBusy(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

function children(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const c = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim();
      if (c) out.push(...c.split(/\s+/).map(Number));
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

/**
 * Memory of a process and all its descendants, MiB: PSS, so that memory shared between them (a
 * UML guest's memory file is mapped by every host process of the guest) counts once.
 */
function treeMiB(pid: number): number {
  let kib = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      kib += m ? Number(m[1]) : 0;
    } catch {
      continue;
    }
    todo.push(...children(p));
  }
  return kib / 1024;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function benchLabClass(o: {
  course: Course;
  attendees: number;
  backend: BackendName;
  /** the last lesson the attendees work through */
  toLesson: string;
  log: (line: string) => void;
}): Promise<LabClassFigures> {
  const stateDir = mkdtempSync(path.join('/var/tmp', 'ipip-bench-lab-'));
  let lab: LabHandle | undefined;
  const room = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    stateDir,
    course: o.course,
    // as `classroom --lab` does: the whole class directory hidden from the sandboxes
    lab: labPlugin({
      backend: o.backend,
      resolvedBackend: o.backend,
      stateDir: path.join(stateDir, 'lab'),
      hide: [stateDir],
      max: o.attendees,
      onReady: (h) => (lab = h),
    }),
  });
  const base = new URL(room.joinUrl).origin;
  const solution = (key: string) => {
    const [l, s] = key.split('/');
    return o.course.lessons.find((x) => x.id === l)?.def.steps.find((x) => x.id === s)?.solution ?? [];
  };
  const lessonIndex = o.course.lessons.findIndex((l) => l.id === o.toLesson);
  const after = o.course.lessons[lessonIndex + 1];
  const target = after ? `${after.id}/${after.def.steps[0]!.id}` : '';
  const latencies: number[] = [];
  let failed = 0;
  let peakMiB = 0;
  let working = true;
  const clients: LabClient[] = [];
  const t0 = performance.now();
  const cpu0 = cpuBusy();
  // The busiest moment's memory: sampled while the class works.
  const sampler = (async () => {
    while (working) {
      const pids = lab!.manager.sessions().flatMap((s) => (s.pid ? [s.pid] : []));
      if (pids.length) peakMiB = Math.max(peakMiB, pids.reduce((a, p) => a + treeMiB(p), 0) / o.attendees);
      await sleep(2000);
    }
  })();
  try {
    await Promise.all(
      Array.from({ length: o.attendees }, async (_, i) => {
        await sleep((i * 8000) / o.attendees); // arriving over 8 s
        const c = await new LabClient({ base, code: room.classCode, name: `attendee ${i + 1}` }).open();
        clients.push(c);
        try {
          await c.walkTo(
            target,
            (key) => (o.course.lessons.findIndex((l) => key.startsWith(`${l.id}/`)) >= 1 ? solution(key) : []),
            300_000,
            {
              think: () => sleep(2000 + Math.random() * 4000),
              ran: (ms) => latencies.push(ms),
            },
          );
        } catch (e) {
          failed++;
          o.log(`lab: attendee ${i + 1}: ${(e as Error).message.slice(0, 200)}`);
        }
      }),
    );
  } finally {
    working = false;
    await sampler;
    for (const c of clients) c.close();
    await room.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const cpu1 = cpuBusy();
  return {
    attendees: o.attendees,
    commands: latencies.length,
    p50: median(latencies),
    p95: percentile(latencies, 95),
    mibPerAttendee: peakMiB,
    cpuPct: (100 * (cpu1.busy - cpu0.busy)) / Math.max(1, cpu1.total - cpu0.total),
    seconds: (performance.now() - t0) / 1000,
    failed,
  };
}

/** The backend a lab on this machine would use (as `classroom --lab` chooses it). */
export async function labBackend(): Promise<BackendName> {
  return (await chooseBackend('auto')).backend;
}
