import { availableParallelism, freemem, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';
import type { BackendName } from '../../sandbox/types.js';

// How many attendees this machine can hold at once without slowing everybody: the smaller of
// what memory allows and what the cores allow. The per-attendee figures come from `npm run bench`'s
// lab section on the CI machine kind (2 cores, 24 GiB): RSS of one attendee's tutor with its
// sandbox, and the largest class per core whose command latency p95 stayed within 300 ms.

const MiB = 1024 * 1024;

/** Measured memory of one attendee (tutor process + sandbox), with headroom. */
export const MEMORY_PER_ATTENDEE: Record<BackendName, number> = { host: 160 * MiB, uml: 340 * MiB };
/** Measured attendees per core at a typical pace with p95 ≤ 300 ms. */
export const ATTENDEES_PER_CORE: Record<BackendName, number> = { host: 10, uml: 3 };
/** Memory kept for the server, the dashboard and the system. */
const RESERVE = 1024 * MiB;

export interface Capacity {
  max: number;
  byMemory: number;
  byCores: number;
  why: string;
}

/** MemAvailable (what can be had without swapping), else free memory. */
function availableMemory(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: the free figure
  }
  return freemem();
}

export function measuredCapacity(backend: BackendName, o: { memory?: number; cores?: number } = {}): Capacity {
  const memory = Math.min(o.memory ?? availableMemory(), totalmem());
  const cores = o.cores ?? availableParallelism();
  const byMemory = Math.max(0, Math.floor((memory - RESERVE) / MEMORY_PER_ATTENDEE[backend]));
  const byCores = Math.max(1, Math.floor(cores * ATTENDEES_PER_CORE[backend]));
  const max = Math.max(1, Math.min(byMemory, byCores));
  const why = `${max} (${backend}: memory allows ${byMemory} at ${MEMORY_PER_ATTENDEE[backend] / MiB} MiB each, ${cores} cores allow ${byCores})`;
  return { max, byMemory, byCores, why };
}
