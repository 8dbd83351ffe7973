import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll } from 'vitest';
import { openCourse } from '../../src/course/courseCache.js';
import type { Course } from '../../src/course/load.js';
import { emptyProgress, type Progress } from '../../src/course/progress.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { builtins } from '../../src/engine/builtins.js';
import { Controller } from '../../src/engine/controller.js';
import type { Lang } from '../../src/i18n/lang.js';
import type { Sandbox } from '../../src/sandbox/types.js';
import { newLearnerId } from '../../src/server/classroom/secrets.js';
import { joinClass, type Reporter } from '../../src/server/classroom/reporter.js';
import type { ClassSnapshot } from '../../src/server/classroom/hub.js';
import { REPO } from './tutor.js';

// What the classroom tests share: the shipped course, real tutors (a real Controller on a real
// sandbox, reporting through the real reporter), the instructor's API, and Debian's chromium.

export const course = (): Promise<Course> => openCourse(join(REPO, 'lessons'));

// A class's state directory, removed when the test file ends (a test leaves nothing behind either).
const stateDirs: string[] = [];
afterAll(() => {
  for (const d of stateDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
export const tmpState = () => {
  const d = mkdtempSync(join(tmpdir(), 'ipip-class-'));
  stateDirs.push(d);
  return d;
};

/** Fail loudly when the dashboard was not built (the server serves it from dist/web). */
export function requireDashboard(): void {
  if (!existsSync(join(REPO, 'dist/web/dashboard.js')))
    throw new Error('dist/web/dashboard.js is missing: run `npm run build` first (`npm test` does)');
}

export interface Tutor {
  name: string;
  controller: Controller;
  reporter: Reporter;
  learnerId: string;
  close(): Promise<void>;
}

/** A learner's tutor at a step of the course, joined to the class. */
export function tutorAt(o: {
  course: Course;
  makeSandbox: () => Promise<Sandbox>;
  joinUrl: string;
  name: string;
  at: { lesson: string; step: string };
  private?: boolean;
  lang?: Lang;
  progress?: Progress;
}): Tutor {
  const store = memoryProgressStore({ ...(o.progress ?? emptyProgress()), current: o.at });
  const controller = new Controller({
    course: o.course,
    makeSandbox: o.makeSandbox,
    store,
    lang: o.lang ?? 'en',
    builtins: builtins(),
    width: () => 100,
  });
  const learnerId = newLearnerId();
  const reporter = joinClass({
    controller,
    joinUrl: o.joinUrl,
    name: o.name,
    private: o.private ?? false,
    learnerId,
    minBackoffMs: 100,
    maxBackoffMs: 400,
  });
  return {
    name: o.name,
    controller,
    reporter,
    learnerId,
    async close() {
      await controller.close();
      reporter.close();
    },
  };
}

export async function getClass(base: string, key: string): Promise<ClassSnapshot> {
  const r = await fetch(`${base}/api/class`, { headers: { authorization: `Bearer ${key}` } });
  if (!r.ok) throw new Error(`GET /api/class: ${r.status}`);
  return (await r.json()) as ClassSnapshot;
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Debian's chromium, headless, nothing sent anywhere on its own. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync('/usr/bin/chromium')) throw new Error('/usr/bin/chromium is missing: apt-get install chromium');
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export const baseOf = (url: string) => new URL(url).origin;
