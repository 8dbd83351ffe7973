import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startClassroom, type Classroom } from '../../src/server/classroom/server.js';
import { LabClient } from '../../src/server/lab/labClient.js';
import { labPlugin, type LabHandle, type LabOptions } from '../../src/server/lab/plugin.js';
import type { BackendName } from '../../src/sandbox/types.js';
import { course } from './classroom.js';

// A classroom with the browser lab on loopback, for the lab's tests. Its state lives under
// /var/tmp (not /tmp, which every sandbox has a private one of anyway), so the tests show that
// the lab hides it from the sandboxes itself.

export interface LabRoom {
  room: Classroom;
  lab: LabHandle;
  base: string;
  stateDir: string;
  attendee(name: string, token?: string | null): Promise<LabClient>;
  close(): Promise<void>;
}

export async function labRoom(backend: BackendName, o: Partial<LabOptions> = {}): Promise<LabRoom> {
  const stateDir = mkdtempSync('/var/tmp/ipip-lab-test-');
  let lab: LabHandle | undefined;
  const room = await startClassroom({
    host: '127.0.0.1',
    port: 0,
    stateDir,
    course: await course(),
    lab: labPlugin({
      backend,
      resolvedBackend: backend,
      stateDir: join(stateDir, 'lab'),
      hide: [stateDir],
      max: 4,
      ...o,
      onReady: (h) => (lab = h),
    }),
  });
  const base = new URL(room.joinUrl).origin;
  const clients: LabClient[] = [];
  return {
    room,
    lab: lab!,
    base,
    stateDir,
    async attendee(name, token = null) {
      const c = await new LabClient({ base, code: room.classCode, name, token }).open();
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await room.close();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

let marks = 0;
/**
 * Type a command line at the prompt and return what it printed, once the tutor has shown it:
 * an `echo` of a computed marker follows it (the typed line shows the sum, the output its value).
 */
export async function run(c: LabClient, line: string, ms = 60_000): Promise<string> {
  const n = ++marks;
  c.type(`${line}; echo LAB-END-$((${n * 1000}+1))\r`);
  const end = `LAB-END-${n * 1000 + 1}`;
  const start = Date.now();
  for (;;) {
    const screen = await c.screenText();
    const i = screen.lastIndexOf(end);
    if (i >= 0) {
      const typed = screen.lastIndexOf(`echo LAB-END-$((${n * 1000}+1))`, i);
      return screen.slice(typed < 0 ? 0 : typed, i);
    }
    if (Date.now() - start > ms)
      throw new Error(`"${line}" did not finish in ${ms} ms; screen:\n${screen.split('\n').slice(-30).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
