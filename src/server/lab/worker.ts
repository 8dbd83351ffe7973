import { mkdirSync } from 'node:fs';
import { SerializeAddon } from '@xterm/addon-serialize';
import xtermHeadless from '@xterm/headless';
import { openCourse } from '../../course/courseCache.js';
import { fileProgressStore, loadSettings, saveSettings } from '../../course/progressStore.js';
import { Controller } from '../../engine/controller.js';
import { builtins } from '../../engine/builtins.js';
import type { EngineEvent } from '../../engine/events.js';
import { sandboxFactory } from '../../sandbox/factory.js';
import { renderTutor } from '../../ui/start.js';
import { joinClass } from '../classroom/reporter.js';
import { virtualTerminal } from './virtualTerminal.js';
import type { FromWorker, Milestone, ToWorker, WorkerStart } from './workerProtocol.js';

// One attendee's tutor, in a process of its own so that the lab can bound it (cgroup, nice) with
// everything it starts, its sandbox included: the same engine and the same ink REPL as on a
// laptop, drawn on a terminal made of memory. A headless xterm keeps the screen as the browser
// shows it, so a reloaded page gets it back whole.

const send = (m: FromWorker) => process.send?.(m);
const SCROLLBACK = 2000;

async function run(s: WorkerStart): Promise<void> {
  mkdirSync(s.progressDir, { recursive: true, mode: 0o700 });
  // While a snapshot is being made, later output waits so the page gets it exactly once, after the snapshot.
  let held: string[] | null = null;
  const screen = new xtermHeadless.Terminal({ cols: s.columns, rows: s.rows, scrollback: SCROLLBACK, allowProposedApi: true });
  const serializer = new SerializeAddon();
  screen.loadAddon(serializer as unknown as xtermHeadless.ITerminalAddon);
  const term = virtualTerminal({
    columns: s.columns,
    rows: s.rows,
    onOutput: (data) => {
      screen.write(data);
      if (held) held.push(data);
      else send({ t: 'out', data });
    },
  });

  const course = await openCourse(s.courseDir);
  const settings = loadSettings(s.progressDir, s.progressDir);
  const factory = sandboxFactory(s.backend);
  factory.catch(() => {});
  const controller = new Controller({
    course,
    makeSandbox: async (m) => (await factory).make(m),
    store: fileProgressStore(course, s.progressDir),
    lang: settings.lang ?? s.lang,
    builtins: builtins(),
    width: () => term.stdout.columns,
  });
  const milestone = (kind: Milestone['kind'], passed?: boolean) => {
    const c = controller.current;
    send({
      t: 'milestone',
      m: {
        kind,
        lesson: c.pos.lesson,
        step: c.pos.step,
        stepId: c.key,
        reading: c.isReading,
        quiz: c.isQuiz,
        ...(passed === undefined ? {} : { passed }),
      },
    });
  };
  controller.subscribe((e: EngineEvent) => {
    if (e.type === 'ready') milestone('ready');
    else if (e.type === 'step-entered') milestone('step');
    else if (e.type === 'command') milestone('command');
    else if (e.type === 'checks') milestone('checks', e.passed);
    else if (e.type === 'completed') milestone('completed');
  });
  const reporter = joinClass({
    controller,
    joinUrl: s.joinUrl,
    name: s.name,
    private: false,
    learnerId: s.learnerId,
    lab: true,
    width: 100,
  });

  void controller.start();
  let code = 0;
  const app = await renderTutor({
    controller,
    mapOn: settings.map ?? false,
    color: true,
    inClass: true,
    stdin: term.stdin,
    stdout: term.stdout,
    onSettings: (patch) => {
      try {
        saveSettings({ ...loadSettings(s.progressDir, s.progressDir), ...patch }, s.progressDir);
      } catch {
        // an unwritable state directory must not end the lesson
      }
    },
    onExit: (c) => {
      if (process.env.IPIP_TUTOR_DEBUG) process.stderr.write(`lab worker: the tutor quit (${c})\n`);
      code = c;
    },
  });

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    reporter.close();
    await controller.close().catch(() => {});
    app.unmount();
  };
  handle = (m: ToWorker) => {
    switch (m.t) {
      case 'in':
        term.type(m.data);
        return;
      case 'resize':
        screen.resize(m.columns, m.rows);
        term.resize(m.columns, m.rows);
        return;
      case 'attach':
        held ??= [];
        // xterm parses writes later: the empty write's callback runs once everything before it is on the screen.
        screen.write('', () => {
          send({ t: 'screen', data: serializer.serialize({ scrollback: SCROLLBACK }) });
          for (const data of held ?? []) send({ t: 'out', data });
          held = null;
        });
        return;
      case 'reset':
        void controller.restart().then(() => milestone('reset'));
        return;
      case 'close':
        void stop();
        return;
      case 'start':
        return;
    }
  };
  for (const m of early.splice(0)) handle(m);
  // The lab server went away: so does this tutor, and its sandbox with it.
  process.once('disconnect', () => {
    if (process.env.IPIP_TUTOR_DEBUG) process.stderr.write('lab worker: the server went away\n');
    void stop();
  });
  await app.waitUntilExit().catch(() => {});
  await stop();
  send({ t: 'exit', code });
  term.end();
  process.disconnect?.();
  // Timers of the engine or reporter must not keep a finished session alive.
  setTimeout(() => process.exit(0), 500).unref();
}

// Keys, resizes and attaches that come while the tutor is still starting wait for it.
const early: ToWorker[] = [];
let handle: ((m: ToWorker) => void) | null = null;
let started = false;
process.on('message', (m: ToWorker) => {
  if (m.t === 'start' && !started) {
    started = true;
    run(m).catch((e: unknown) => {
      process.stderr.write(`lab worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      send({ t: 'exit', code: 1 });
      process.exit(1);
    });
  } else if (handle) handle(m);
  else early.push(m);
});
