#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { openCourse } from '../course/courseCache.js';
import { defaultCourseDir } from '../course/courseDir.js';
import type { Course } from '../course/load.js';
import { fileProgressStore, loadSettings, saveSettings } from '../course/progressStore.js';
import { langFromEnv, type Lang } from '../i18n/lang.js';
import { HELP, parseCli, type CliOptions } from './args.js';
import { describeError, EXIT } from '../engine/errors.js';
import { lessonsCommand } from './commands/lessons.js';
import { progressCommand } from './commands/progress.js';
import { tu } from '../i18n/uiMessages.js';

// The thin entry point: parse flags, pick the subcommand, map every failure to a clear
// message and exit code in one place. Each subcommand's code is imported when it runs, so a
// start loads only what it uses (the interactive tutor never loads play or lint, nor they ink).
const out = (line: string) => process.stdout.write(`${line}\n`);
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

function resolveLang(o: CliOptions): Lang {
  const settings = loadSettings();
  if (o.lang) {
    if (settings.lang !== o.lang) saveSettings({ ...settings, lang: o.lang });
    return o.lang;
  }
  return settings.lang ?? langFromEnv();
}

async function run(argv: string[]): Promise<number> {
  const o = parseCli(argv);
  if (o.help) {
    out(HELP);
    return EXIT.ok;
  }
  if (o.version) {
    out(version());
    return EXIT.ok;
  }
  if (o.noColor) process.env.NO_COLOR = '1';
  const lang = resolveLang(o);
  const courseDir = o.lessonsDir ?? defaultCourseDir();
  const course = (): Promise<Course> => openCourse(courseDir);

  switch (o.command) {
    case 'lessons':
      lessonsCommand(await course(), lang, o.json, out);
      return EXIT.ok;
    case 'progress':
      progressCommand(await course(), fileProgressStore(courseDir).load(), lang, o.json, out);
      return EXIT.ok;
    case 'reset': {
      const c = await course();
      const store = fileProgressStore(courseDir);
      const { reduce } = await import('../course/progress.js');
      if (o.lesson && !c.lessons.some((l) => l.id === o.lesson))
        throw new (await import('../engine/errors.js')).UsageError(`no lesson "${o.lesson}"`);
      store.save(reduce(store.load(), o.lesson ? { type: 'reset-lesson', lesson: o.lesson } : { type: 'reset-all' }));
      out(o.lesson ? `progress of lesson ${o.lesson} reset` : 'all progress reset');
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
    case 'play': {
      const [c, { sandboxFactory }, { builtins }, { playAuto, playCommands, readCommands }] = await Promise.all([
        course(),
        import('../sandbox/factory.js'),
        import('../engine/builtins.js'),
        import('./commands/play.js'),
      ]);
      // Handlers first: a Ctrl-C while the backend is chosen or the kernel boots must still end cleanly.
      const abort = new AbortController();
      const onSignal = () => {
        if (!abort.signal.aborted) process.stderr.write(`${tu(lang, 'play_interrupted')}\n`);
        abort.abort();
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const factory = await sandboxFactory(o.backend);
      process.stderr.write(`${tu(lang, 'backend_chosen', { backend: factory.backend, reason: factory.reason })}\n`);
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
      };
      return o.auto ? playAuto(common) : playCommands({ ...common, commands: readCommands(o.commands!), echo: o.echo });
    }
    case 'start': {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        out(tu(lang, 'not_a_tty'));
        return EXIT.usage;
      }
      const ui = import('../ui/start.js'); // loads while the course is read
      ui.catch(() => {}); // a course error below is the one to report
      const c = await course();
      const { startInteractive } = await ui;
      return startInteractive({ course: c, courseDir, lang, backend: o.backend, unlockAll: o.unlockAll });
    }
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    const { text, code } = describeError(e);
    process.stderr.write(`${text}\n`);
    process.exitCode = code;
  },
);
