import type { Course } from '../course/load.js';
import type { Controller } from '../engine/controller.js';
import type { Lang } from '../i18n/lang.js';
import type { BackendChoice } from '../sandbox/factory.js';
import { plainReason, runPlain } from './plain.js';

// Entry to the interactive tutor (only reached when stdin and stdout are TTYs). Colour is
// decided before ink and its chalk load: chalk ignores NO_COLOR, so NO_COLOR becomes
// FORCE_COLOR=0 here, and nothing UI-related is imported statically above this point.
export interface StartOptions {
  course: Course;
  courseDir: string;
  lang: Lang;
  backend: BackendChoice;
  unlockAll: boolean;
  /** a classroom to report to: called with the engine before it starts; returns the detach */
  joinClass?: (c: Controller) => () => void;
}

/** True when colours are wanted: NO_COLOR (any non-empty value, no-color.org) or FORCE_COLOR=0 turn them off. */
export function wantColor(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

/**
 * Run `load` with the global fetch hidden. yoga-layout (ink's layout engine) reads its inline
 * WebAssembly through fetch() whenever fetch exists, which loads Node's whole HTTP client
 * (undici, 20-40 ms of the first frame); without it, yoga decodes the same bytes directly.
 */
async function withoutFetch<T>(load: () => Promise<T>): Promise<T> {
  const fetch = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (!fetch?.configurable) return load();
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return await load();
  } finally {
    Object.defineProperty(globalThis, 'fetch', fetch);
  }
}

export interface RenderOptions {
  controller: Controller;
  mapOn: boolean;
  color: boolean;
  /** the tutor reports to a classroom (the REPL offers the raise-hand key) */
  inClass?: boolean;
  onSettings?: (patch: { lang?: Lang; map?: boolean }) => void;
  onExit?: (code: number) => void;
  /** Another terminal than the process's own: in-memory TTY streams (the browser lab's). */
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** The ink REPL on a terminal. One way to draw the tutor, for the process's terminal and the browser lab's. */
export async function renderTutor(o: RenderOptions): Promise<{ waitUntilExit: () => Promise<unknown>; unmount: () => void }> {
  const [{ default: React }, { render }, { App }] = await withoutFetch(() =>
    Promise.all([import('react'), import('ink'), import('./App.js')]),
  );
  return render(
    React.createElement(App, {
      controller: o.controller,
      mapOn: o.mapOn,
      color: o.color,
      inClass: o.inClass ?? false,
      ...(o.onSettings ? { onSettings: o.onSettings } : {}),
      ...(o.onExit ? { onExit: o.onExit } : {}),
    }),
    { exitOnCtrlC: false, ...(o.stdin ? { stdin: o.stdin } : {}), ...(o.stdout ? { stdout: o.stdout, stderr: o.stdout } : {}) },
  );
}

export async function startInteractive(o: StartOptions): Promise<number> {
  const color = wantColor();
  if (!color) process.env.FORCE_COLOR = '0';
  // ink and the app load beside the engine (renderTutor below finds them loaded).
  const [, , , { Controller }, store, { builtins }] = await withoutFetch(() =>
    Promise.all([
      import('react'),
      import('ink'),
      import('./App.js'),
      import('../engine/controller.js'),
      import('../course/progressStore.js'),
      import('../engine/builtins.js'),
    ]),
  );
  const settings = store.loadSettings();
  // The sandbox code is loaded and the backend chosen while the first step is already on
  // screen; a failure to find one surfaces when the session makes its sandbox.
  const factory = import('../sandbox/factory.js').then(({ sandboxFactory }) => sandboxFactory(o.backend, o.lang));
  factory.catch(() => {});
  const controller = new Controller({
    course: o.course,
    makeSandbox: async (m) => (await factory).make(m),
    store: store.fileProgressStore(o.course),
    lang: o.lang,
    unlockAll: o.unlockAll,
    builtins: builtins(),
    width: () => process.stdout.columns || 80,
    warmSpare: true, // one learner at this machine: a restart or a jump need not wait for a boot
  });
  const leave = o.joinClass?.(controller) ?? (() => {});
  const plain = plainReason();
  if (plain) return runPlain(controller, plain, undefined, o.joinClass !== undefined).finally(leave);
  void controller.start();
  let code = 0;

  const app = await renderTutor({
    controller,
    mapOn: settings.map ?? false,
    color,
    inClass: o.joinClass !== undefined,
    onSettings: (patch) => {
      try {
        store.saveSettings({ ...store.loadSettings(), ...patch });
      } catch {
        // an unwritable state directory must not end the lesson
      }
    },
    onExit: (c) => {
      code = c;
    },
  });

  // The terminal went away or we were told to stop: take the sandbox down with us.
  const stop = () => {
    void controller.close().finally(() => app.unmount());
  };
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    await controller.close().catch(() => {});
    leave();
  }
  return code;
}
