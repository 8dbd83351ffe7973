#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { openCourse } from '../course/courseCache.js';
import { defaultCourseDir } from '../course/courseDir.js';
import type { Course } from '../course/load.js';
import { fileProgressStore, loadSettings } from '../course/progressStore.js';
import { tcli } from '../i18n/cliMessages.js';
import { langFromEnv, type Lang } from '../i18n/lang.js';
import { helpText, langInArgv, parseCli } from './args.js';
import { describeError, EXIT, UsageError } from '../engine/errors.js';
import { lessonsCommand } from './commands/lessons.js';
import { progressCommand } from './commands/progress.js';
import { tu } from '../i18n/uiMessages.js';

// The thin entry point: parse flags, pick the subcommand, map every failure to a clear
// message and exit code in one place. Each subcommand's code is imported when it runs, so a
// start loads only what it uses (the interactive tutor never loads play or lint, nor they ink).
// Results go to stdout; errors and notices to stderr.
const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);
// `ipip-tutor lessons | head`: the reader went away, so there is no one left to tell. End
// quietly, as a shell tool does on SIGPIPE; a sandbox still running dies with this process.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(EXIT.ok);
  throw e;
});

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** --lang for this run only; else the language chosen in the tutor (Ctrl-L); else the environment. */
function runLang(argv: readonly string[]): Lang {
  return langInArgv(argv) ?? loadSettings().lang ?? langFromEnv();
}

let lang: Lang = 'en';
/** The signal that stopped a play run: its status is 128 + signal, whatever broke on the way out. */
let stoppedBy: NodeJS.Signals | undefined;
const signalled = (s: NodeJS.Signals) => (s === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);

/** `--join`: the name (asked when missing) and the reporter to attach (loaded only then). */
async function joining(url: string, name: string | undefined, priv: boolean, lang: Lang) {
  const { askName, joinWith } = await import('./commands/join.js');
  return joinWith({ join: url, name: name ?? (await askName(lang)), private: priv, width: Math.min(process.stdout.columns || 100, 120) });
}

async function run(argv: string[]): Promise<number> {
  lang = runLang(argv);
  const o = parseCli(argv, lang);
  if (o.help) {
    process.stdout.write(helpText(lang, o.helpTopic));
    return EXIT.ok;
  }
  if (o.version) {
    out(version());
    return EXIT.ok;
  }
  if (o.noColor) process.env.NO_COLOR = '1';
  const courseDir = o.lessonsDir ?? defaultCourseDir();
  const course = (): Promise<Course> => openCourse(courseDir);

  switch (o.command) {
    case 'lessons':
      lessonsCommand(await course(), lang, o.json, out);
      return EXIT.ok;
    case 'progress': {
      const c = await course();
      progressCommand(c, fileProgressStore(c).load(), lang, o.json, out);
      return EXIT.ok;
    }
    case 'reset': {
      const c = await course();
      const store = fileProgressStore(c);
      const { reduce } = await import('../course/progress.js');
      if (o.lesson && !c.lessons.some((l) => l.id === o.lesson))
        throw new UsageError(tcli(lang, 'err_no_lesson', { lesson: o.lesson, ids: c.lessons.map((l) => l.id).join(', ') }), 'reset');
      store.save(reduce(store.load(), o.lesson ? { type: 'reset-lesson', lesson: o.lesson } : { type: 'reset-all' }));
      out(o.lesson ? tcli(lang, 'reset_lesson', { lesson: o.lesson }) : tcli(lang, 'reset_all'));
      return EXIT.ok;
    }
    case 'doctor': {
      const { runDoctor } = await import('./commands/doctor.js');
      return runDoctor({ fix: o.fix, json: o.json, lang, out });
    }
    case 'lint': {
      const { lintCommand } = await import('./commands/lint.js');
      return lintCommand({ dir: o.positionals[0] ?? courseDir, run: o.run, backend: o.backend, json: o.json, lang, out });
    }
    case 'classroom': {
      const { classroomCommand } = await import('./commands/classroom.js');
      return classroomCommand({
        lang,
        out,
        err,
        ...(o.host !== undefined ? { host: o.host } : {}),
        ...(o.port !== undefined ? { port: o.port } : {}),
        ...(o.state !== undefined ? { state: o.state } : {}),
        ...(o.title !== undefined ? { title: o.title } : {}),
        lab: o.lab,
        backend: o.backend,
        courseDir,
        ...(o.labMax !== undefined ? { labMax: o.labMax } : {}),
        ...(o.labIdle !== undefined ? { labIdle: o.labIdle } : {}),
      });
    }
    case 'play': {
      const joinClass = o.join ? await joining(o.join, o.name, o.private, lang) : undefined;
      const [c, { sandboxFactory }, { builtins }, { playAuto, playCommands, readCommands }] = await Promise.all([
        course(),
        import('../sandbox/factory.js'),
        import('../engine/builtins.js'),
        import('./commands/play.js'),
      ]);
      // Handlers first: a Ctrl-C while the backend is chosen or the kernel boots must still end cleanly.
      const abort = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (!abort.signal.aborted) err(tu(lang, 'play_interrupted'));
        stoppedBy ??= signal;
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const factory = await sandboxFactory(o.backend, lang);
      err(tu(lang, 'backend_chosen', { backend: factory.backend, reason: factory.reason }));
      const common = {
        course: c,
        makeSandbox: factory.make,
        lang,
        from: o.from,
        to: o.to,
        builtins: builtins(),
        out,
        signal: abort.signal,
        pace: o.pace,
        write: (t: string) => void process.stdout.write(t),
        width: process.stdout.columns || 80,
        ...(joinClass ? { joinClass } : {}),
      };
      const code = await (o.auto ? playAuto(common) : playCommands({ ...common, commands: readCommands(o.commands!, lang), echo: o.echo }));
      // A run cut short by a signal says so in its status, as a shell command does (128 + signal).
      if (stoppedBy) return signalled(stoppedBy);
      return code;
    }
    case 'start': {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        err(tu(lang, 'not_a_tty'));
        return EXIT.usage;
      }
      const ui = import('../ui/start.js'); // loads while the course is read
      ui.catch(() => {}); // a course error below is the one to report
      const joinClass = o.join ? await joining(o.join, o.name, o.private, lang) : undefined;
      const c = await course();
      const { startInteractive } = await ui;
      return startInteractive({
        course: c,
        courseDir,
        lang,
        backend: o.backend,
        unlockAll: o.unlockAll,
        ...(joinClass ? { joinClass } : {}),
      });
    }
    case 'help':
      return EXIT.ok; // handled above
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // a sandbox that was still starting when Ctrl-C came fails because of it: nothing to report
    if (stoppedBy) {
      process.exitCode = signalled(stoppedBy);
      return;
    }
    const { text, code } = describeError(e, lang);
    err(text);
    process.exitCode = code;
  },
);
