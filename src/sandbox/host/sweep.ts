import { readdirSync, readlinkSync } from 'node:fs';
import { LIMITS } from '../confine.js';
import type { RunResult } from '../types.js';

// A sandbox full of processes (a fork bomb that left its command's process group, e.g. with
// setsid) cannot start anything more: nsenter's own fork fails. Then every process of the
// sandbox's pid namespace but its init is killed, from outside, and the command is tried again.
const FULL = /^nsenter: fork failed: Resource temporarily unavailable/m;

export const fullNote = (): string =>
  `[ipip-tutor: the sandbox reached its limit of ${LIMITS.tasks} processes; every process in it was ended]\n`;

export function sandboxFull(r: RunResult): boolean {
  return r.exitCode === 1 && FULL.test(r.stderr);
}

/** Kill every process in the pid namespace of `init` except `init` itself; returns how many were signalled. */
export function killAllBut(init: number): number {
  let ns: string;
  try {
    ns = readlinkSync(`/proc/${init}/ns/pid`);
  } catch {
    return 0;
  }
  let total = 0;
  // Processes fork while they are being killed: sweep until a round finds none.
  for (let round = 0; round < 50; round++) {
    let found = 0;
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name) || Number(name) === init) continue;
      try {
        if (readlinkSync(`/proc/${name}/ns/pid`) !== ns) continue;
        process.kill(Number(name), 'SIGKILL');
        found++;
      } catch {
        /* gone, or not ours to read */
      }
    }
    total += found;
    if (found === 0) break;
  }
  return total;
}
