import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';

// Per-attendee bounds on everything an attendee's tutor process starts (its sandbox included:
// children inherit both a cgroup and a nice value at fork). A cgroup when this process may make
// one under its own (cgroup v2 with cpu, memory and pids delegated, or v1's cpu, memory and pids
// hierarchies, as root usually may): an equal CPU share per attendee however many processes they
// run, a memory ceiling, a task ceiling. Without one, nice: the attendees' tutors yield to the
// server (which keeps serving every page and keystroke), and the sandbox's own limits remain
// (256 tasks, RLIMIT_AS per process, UML's mem=). `describe()` says which applies.

export interface AttendeeBounds {
  /** CPU weight relative to other attendees (each gets the same) */
  cpuShares: number;
  memoryBytes: number;
  tasks: number;
  /** nice value of the attendee's processes (the server stays at its own) */
  nice: number;
}

export const DEFAULT_BOUNDS: AttendeeBounds = { cpuShares: 1024, memoryBytes: 768 * 1024 * 1024, tasks: 512, nice: 5 };

export interface BoundsPlacer {
  /** 'cgroup v1', 'cgroup v2' or 'nice only', with the reason when there is no cgroup */
  readonly kind: string;
  readonly detail: string;
  /** Put a just-started process (before it starts anything) under this attendee's bounds. */
  place(pid: number, attendee: string): void;
  /** Remove an attendee's cgroup once its processes are gone. */
  release(attendee: string): void;
  /** Remove the server's own cgroup folders, attendees' included: nothing is left behind. */
  close(): Promise<void>;
}

const CG = '/sys/fs/cgroup';

/** The path of this process's own cgroup in a v1 hierarchy ('cpu', 'memory', 'pids') or v2 (''). */
function ownCgroup(controller: string): string | null {
  try {
    for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
      const [, ctrls, p] = line.split(':');
      if (p === undefined) continue;
      if (controller === '' ? ctrls === '' : ctrls!.split(',').includes(controller)) return p;
    }
  } catch {
    // no /proc: no cgroup
  }
  return null;
}

function writable(dir: string): boolean {
  const probe = path.join(dir, `ipip-lab-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

interface Layout {
  kind: string;
  /** controller → the directory this server's attendee groups go under */
  roots: Record<string, string>;
  files: (b: AttendeeBounds) => Record<string, [string, string][]>;
}

function v2Layout(): Layout | null {
  const own = ownCgroup('');
  if (own === null || !existsSync(path.join(CG, 'cgroup.controllers'))) return null;
  const dir = path.join(CG, own);
  try {
    const enabled = readFileSync(path.join(dir, 'cgroup.subtree_control'), 'utf8');
    if (!['cpu', 'memory', 'pids'].every((c) => enabled.split(/\s+/).includes(c))) return null;
  } catch {
    return null;
  }
  if (!writable(dir)) return null;
  return {
    kind: 'cgroup v2',
    roots: { '': path.join(dir, `ipip-lab-${process.pid}`) },
    files: (b) => ({
      '': [
        ['cpu.weight', String(Math.max(1, Math.round(b.cpuShares / 10.24)))],
        ['memory.max', String(b.memoryBytes)],
        ['pids.max', String(b.tasks)],
      ],
    }),
  };
}

function v1Layout(): Layout | null {
  const roots: Record<string, string> = {};
  for (const c of ['cpu', 'memory', 'pids']) {
    const own = ownCgroup(c);
    const dir = own === null ? null : path.join(CG, c, own);
    if (!dir || !existsSync(dir) || !writable(dir)) return null;
    roots[c] = path.join(dir, `ipip-lab-${process.pid}`);
  }
  return {
    kind: 'cgroup v1',
    roots,
    files: (b) => ({
      cpu: [['cpu.shares', String(b.cpuShares)]],
      memory: [['memory.limit_in_bytes', String(b.memoryBytes)]],
      pids: [['pids.max', String(b.tasks)]],
    }),
  };
}

export function boundsPlacer(bounds: AttendeeBounds = DEFAULT_BOUNDS, useCgroup = true): BoundsPlacer {
  const layout = useCgroup ? (v2Layout() ?? v1Layout()) : null;
  const renice = (pid: number) => {
    try {
      setPriority(pid, bounds.nice);
    } catch {
      // lowering a priority needs no privilege; a process already gone needs nothing
    }
  };
  if (!layout) {
    return {
      kind: 'nice only',
      detail: useCgroup ? 'no writable cgroup (v2 with cpu, memory, pids delegated, or v1 as root)' : 'cgroups turned off',
      place: renice,
      release: () => {},
      close: async () => {},
    };
  }
  for (const root of Object.values(layout.roots)) mkdirSync(root, { recursive: true });
  const files = layout.files(bounds);
  return {
    kind: layout.kind,
    detail: `cpu ${bounds.cpuShares} shares, memory ${Math.round(bounds.memoryBytes / 1048576)} MiB, ${bounds.tasks} tasks per attendee`,
    place(pid, attendee) {
      renice(pid);
      for (const [c, root] of Object.entries(layout.roots)) {
        const dir = path.join(root, attendee);
        mkdirSync(dir, { recursive: true });
        for (const [f, v] of files[c] ?? []) writeFileSync(path.join(dir, f), v);
        writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
      }
    },
    release(attendee) {
      for (const root of Object.values(layout.roots)) {
        try {
          rmdirSync(path.join(root, attendee));
        } catch {
          // still has processes (they are ending) or already gone
        }
      }
    },
    async close() {
      // An attendee's processes may still be ending when the server closes: a cgroup folder can
      // only go once it is empty, so try again for a while.
      for (let tries = 0; tries < 40; tries++) {
        let left = 0;
        for (const root of Object.values(layout.roots)) {
          if (!existsSync(root)) continue;
          for (const attendee of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
            try {
              rmdirSync(path.join(root, attendee.name));
            } catch {
              // still has processes
            }
          }
          try {
            rmdirSync(root);
          } catch {
            left++;
          }
        }
        if (left === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** The cgroup a process is in, per controller (tests and the bench read where an attendee's tutor went). */
export function cgroupsOf(pid: number): string {
  return readFileSync(`/proc/${pid}/cgroup`, 'utf8');
}
