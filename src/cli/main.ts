#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { loadCourse, defaultCourseDir, type Course } from '../course/load.js';
import { fileProgressStore, loadSettings, saveSettings } from '../course/progressStore.js';
import { langFromEnv, type Lang } from '../i18n/lang.js';
import { sandboxFactory } from '../sandbox/factory.js';
import { HELP, parseCli, type CliOptions } from './args.js';
import { builtins } from './builtins.js';
import { describeError, EXIT } from './errors.js';
import { playAuto, playCommands, readCommands } from './commands/play.js';
import { lessonsCommand } from './commands/lessons.js';
import { progressCommand } from './commands/progress.js';
import { lintCommand } from './commands/lint.js';
import { tu } from '../i18n/uiMessages.js';

// The thin entry point: parse flags, pick the subcommand, map every failure to a clear
// message and exit code in one place.
const out = (line: string) => process.stdout.write(`${line}\n`);

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
  const course = (): Course => loadCourse(courseDir);

  switch (o.command) {
    case 'lessons':
      lessonsCommand(course(), lang, o.json, out);
      return EXIT.ok;
    case 'progress':
      progressCommand(course(), fileProgressStore(courseDir).load(), lang, o.json, out);
      return EXIT.ok;
    case 'reset': {
      const c = course();
      const store = fileProgressStore(courseDir);
      const { reduce } = await import('../course/progress.js');
      if (o.lesson && !c.lessons.some((l) => l.id === o.lesson)) throw new (await import('./errors.js')).UsageError(`no lesson "${o.lesson}"`);
      store.save(reduce(store.load(), o.lesson ? { type: 'reset-lesson', lesson: o.lesson } : { type: 'reset-all' }));
      out(o.lesson ? `progress of lesson ${o.lesson} reset` : 'all progress reset');
      return EXIT.ok;
    }
    case 'doctor': {
      const { runDoctor } = await import('./commands/doctor.js');
      return runDoctor({ fix: o.fix, json: o.json, out });
    }
    case 'lint':
      return lintCommand({ dir: o.positionals[0] ?? courseDir, run: o.run, backend: o.backend, json: o.json, lang, out });
    case 'play': {
      const c = course();
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
      const common = { course: c, makeSandbox: factory.make, lang, from: o.from, to: o.to, builtins: builtins(), out, signal: abort.signal, pace: o.pace };
      return o.auto ? playAuto(common) : playCommands({ ...common, commands: readCommands(o.commands!), echo: o.echo });
    }
    case 'start': {
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        out(tu(lang, 'not_a_tty'));
        return EXIT.usage;
      }
      const c = course();
      const { startInteractive } = await import('../ui/start.js');
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
