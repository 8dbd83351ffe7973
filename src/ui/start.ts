import type { Course } from '../course/load.js';
import type { Lang } from '../i18n/lang.js';
import type { BackendChoice } from '../sandbox/factory.js';

// Entry to the interactive tutor (only reached when stdin and stdout are TTYs). Colour is
// decided before ink and its chalk load: chalk ignores NO_COLOR, so NO_COLOR becomes
// FORCE_COLOR=0 here, and nothing UI-related is imported statically above this point.
export interface StartOptions {
  course: Course;
  courseDir: string;
  lang: Lang;
  backend: BackendChoice;
  unlockAll: boolean;
}

/** True when colours are wanted: NO_COLOR (any non-empty value, no-color.org) or FORCE_COLOR=0 turn them off. */
export function wantColor(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
  if (env.TERM === 'dumb') return false;
  return true;
}

export async function startInteractive(o: StartOptions): Promise<number> {
  const color = wantColor();
  if (!color) process.env.FORCE_COLOR = '0';
  const [{ createElement }, { render }, { App }, { Session }, { sandboxFactory }, store, { builtins }] = await Promise.all([
    import('react'),
    import('ink'),
    import('./App.js'),
    import('../course/session.js'),
    import('../sandbox/factory.js'),
    import('../course/progressStore.js'),
    import('../cli/builtins.js'),
  ]);
  const settings = store.loadSettings();
  let session: InstanceType<typeof Session> | null = null;
  let code = 0;

  const app = render(
    createElement(App, {
      lang: o.lang,
      mapOn: settings.map ?? false,
      color,
      makeSession: async ({ onPhase }) => {
        const factory = await sandboxFactory(o.backend, { onPhase });
        session = new Session({
          course: o.course,
          makeSandbox: factory.make,
          store: store.fileProgressStore(o.courseDir),
          lang: o.lang,
          unlockAll: o.unlockAll,
          builtins: builtins(),
        });
        return session;
      },
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
    }),
    { exitOnCtrlC: false },
  );

  // The terminal went away or we were told to stop: take the sandbox down with us.
  const stop = () => {
    void (session as InstanceType<typeof Session> | null)?.close().finally(() => app.unmount());
  };
  process.once('SIGTERM', stop);
  process.once('SIGHUP', stop);
  try {
    await app.waitUntilExit();
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGHUP', stop);
    await (session as InstanceType<typeof Session> | null)?.close().catch(() => {});
  }
  return code;
}
