import React from 'react';
import { render } from 'ink-testing-library';
import { App } from '../../src/ui/App.js';
import { Controller } from '../../src/engine/controller.js';
import type { Builtin } from '../../src/engine/types.js';
import { memoryProgressStore } from '../../src/course/progressStore.js';
import { emptyProgress, type Progress } from '../../src/course/progress.js';
import type { Course } from '../../src/course/load.js';
import type { Lang } from '../../src/i18n/lang.js';
import type { SandboxInfo } from '../../src/sandbox/types.js';
import { FakeSandbox, tinyCourse } from './fakes.js';

export const KEY = {
  enter: '\r',
  up: '\u001B[A',
  down: '\u001B[B',
  esc: '\u001B',
  tab: '\t',
  backspace: '\u007F',
  ctrl: (c: string) => String.fromCharCode(c.toUpperCase().charCodeAt(0) - 64),
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll a condition until it holds (screens update asynchronously). */
export async function until(pred: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface Mounted {
  lastFrame: () => string;
  frames: string[];
  type: (text: string) => Promise<void>;
  press: (key: string) => Promise<void>;
  /** raw bytes to the terminal's stdin, at once (a fast typist, a paste) */
  write: (data: string) => void;
  /** wait until the screen shows this (or the predicate holds) */
  waitFor: (what: string | RegExp | ((f: string) => boolean), ms?: number) => Promise<string>;
  sandbox: () => FakeSandbox;
  session: Controller;
  controller: Controller;
  settings: { lang?: Lang; map?: boolean }[];
  exitCode: () => number | null;
  unmount: () => void;
}

export async function mount(
  opts: {
    course?: Course;
    lang?: Lang;
    size?: { columns: number; rows: number };
    progress?: Progress;
    unlockAll?: boolean;
    info?: Partial<SandboxInfo>;
    builtins?: Record<string, Builtin>;
    mapOn?: boolean;
    /** a session of the test's own (its sandbox, its store) instead of the default one */
    session?: Controller;
    delayMs?: number;
    waitReady?: boolean;
  } = {},
): Promise<Mounted> {
  let box: FakeSandbox | null = null;
  const session =
    opts.session ??
    new Controller({
      course: opts.course ?? tinyCourse(),
      makeSandbox: async () => (box = new FakeSandbox(opts.info, opts.delayMs)),
      store: memoryProgressStore(opts.progress ?? emptyProgress()),
      lang: opts.lang ?? 'en',
      unlockAll: opts.unlockAll,
      builtins: opts.builtins,
    });
  const settings: { lang?: Lang; map?: boolean }[] = [];
  let code: number | null = null;
  started(session);
  const r = render(
    <App
      controller={session}
      size={opts.size ?? { columns: 80, rows: 24 }}
      color={false}
      mapOn={opts.mapOn}
      onSettings={(s) => settings.push(s)}
      onExit={(c) => (code = c)}
    />,
  );
  const lastFrame = () => r.lastFrame() ?? '';
  const waitFor = async (what: string | RegExp | ((f: string) => boolean), ms = 5000) => {
    const pred =
      typeof what === 'function' ? what : typeof what === 'string' ? (f: string) => f.includes(what) : (f: string) => what.test(f);
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (pred(lastFrame())) return lastFrame();
      await sleep(10);
    }
    throw new Error(`timed out waiting for ${String(what)}; screen:\n${lastFrame()}`);
  };
  const m: Mounted = {
    lastFrame,
    frames: r.frames,
    type: async (text) => {
      // one key at a time, as a person types
      for (const ch of text) {
        r.stdin.write(ch);
        await sleep(1);
      }
      await sleep(10);
    },
    write: (data) => r.stdin.write(data),
    press: async (key) => {
      r.stdin.write(key);
      await sleep(30);
    },
    waitFor,
    sandbox: () => box!,
    session,
    controller: session,
    settings,
    exitCode: () => code,
    unmount: () => r.unmount(),
  };
  if (opts.waitReady !== false) {
    await until(() => session.getView().stage === 'ready' && session.getView().busy === null, 5000, 'the sandbox');
    await waitFor((f) => /^─ \d+\/\d+ /m.test(f) && /^❯/m.test(live(f)) && !/starting the sandbox/.test(live(f)));
  }
  return m;
}

/** Start a controller's sandbox in the background, as the tutor does before it draws. */
export function started(c: Controller): Controller {
  void c.start();
  return c;
}

/** The live part of the screen: what follows the last header rule. */
export function live(frame: string): string {
  const i = frame.lastIndexOf('\n─ ');
  return i >= 0 ? frame.slice(i + 1) : frame;
}
