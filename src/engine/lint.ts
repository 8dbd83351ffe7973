import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkCatalog } from '../i18n/checkMessages.js';
import { LANGS, type Lang } from '../i18n/lang.js';
import { missingKeys } from '../i18n/translate.js';
import { uiCatalog } from '../i18n/uiMessages.js';
import { SandboxError, type Sandbox } from '../sandbox/types.js';
import { checkState } from '../checks/checkState.js';
import { describeCheck } from '../checks/describe.js';
import type { Check } from '../checks/schema.js';
import { CourseError } from '../course/courseError.js';
import { loadCourse, loadLesson, type Course } from '../course/load.js';
import { emptyProgress, flatSteps } from '../course/progress.js';
import { memoryProgressStore } from '../course/progressStore.js';
import { Controller } from './controller.js';

// The author's check: what `ipip-tutor lint` reports. Static problems come first (every lesson
// is loaded on its own so one broken file does not hide the others); --run then proves each
// step's solution passes and each declared near-miss fails the check it names.
export interface LintProblem {
  level: 'error' | 'warning';
  where: string;
  message: string;
}

export function lintStatic(dir: string): { course: Course | null; problems: LintProblem[] } {
  const problems: LintProblem[] = [];
  const err = (where: string, message: string, level: LintProblem['level'] = 'error') => problems.push({ level, where, message });
  let lessonDirs: string[] = [];
  try {
    const raw = parseYaml(readFileSync(join(dir, 'course.yaml'), 'utf8')) as { lessons?: unknown };
    lessonDirs = Array.isArray(raw?.lessons) ? raw.lessons.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    /* loadCourse below reports it precisely */
  }
  for (const d of lessonDirs) {
    if (!existsSync(join(dir, d))) continue;
    try {
      const lesson = loadLesson(dir, d);
      for (const lang of LANGS) {
        const t = lesson.texts[lang];
        if (!t) {
          err(`${d}/${lang}.yaml`, `no ${lang} texts (English is shown instead)`);
          continue;
        }
        for (const s of lesson.def.steps) {
          const st = t.steps[s.id];
          if (!st) {
            err(`${d}/${lang}.yaml`, `step "${s.id}" has no ${lang} text`);
            continue;
          }
          if (lang === 'en' && s.checks.length > 0 && !st.hints.nudge)
            err(`${d}/${lang}.yaml`, `step "${s.id}" has no hints.nudge (the first hint a learner gets)`, 'warning');
          if (lang === 'en')
            for (const m of s.mistakes)
              if (!m.signature || !m.repair)
                err(
                  `${d}/lesson.yaml`,
                  `step "${s.id}", mistake "${m.id}": needs a signature and a repair, so the tutor can recognise it and say how to undo it`,
                );
          for (const m of s.mistakes)
            if (!st.mistakes?.[m.id]) err(`${d}/${lang}.yaml`, `step "${s.id}" does not explain mistake "${m.id}"`, 'warning');
        }
        for (const id of Object.keys(t.steps))
          if (!lesson.def.steps.some((s) => s.id === id)) err(`${d}/${lang}.yaml`, `text for unknown step "${id}"`);
      }
    } catch (e) {
      if (e instanceof CourseError) err(e.file, e.message.slice(e.file.length + 2));
      else throw e;
    }
  }
  let course: Course | null = null;
  try {
    course = loadCourse(dir);
  } catch (e) {
    if (!(e instanceof CourseError)) throw e;
    if (!problems.some((p) => p.level === 'error')) err(e.file, e.message.slice(e.file.length + 2));
  }
  for (const lang of LANGS.filter((l) => l !== 'en')) {
    for (const k of missingKeys(checkCatalog, lang))
      err('src/i18n/checkMessages.ts', `message "${k}" has no ${lang} translation`, 'warning');
    for (const k of missingKeys(uiCatalog, lang)) err('src/i18n/uiMessages.ts', `message "${k}" has no ${lang} translation`, 'warning');
  }
  return { course, problems };
}

export interface RunReport {
  step: string;
  ok: boolean;
  message: string;
  /** a finding that does not fail lint */
  warning?: boolean;
}

/** All of a mistake's signature checks hold in this sandbox now. */
async function signatureHolds(sandbox: Sandbox, signature: readonly Check[]): Promise<boolean> {
  return (await checkState(sandbox, signature)).results.every((r) => r.ok);
}

function controllerAt(course: Course, makeSandbox: () => Promise<Sandbox>, lang: Lang, key: string | null): Controller {
  const [lesson, step] = key ? key.split('/') : [];
  const progress = { ...emptyProgress(), ...(lesson && step ? { current: { lesson, step } } : {}) };
  return new Controller({ course, makeSandbox, store: memoryProgressStore(progress), lang, unlockAll: true, evaluateOnEntry: false });
}

async function started(c: Controller): Promise<Sandbox> {
  await c.start();
  const v = c.getView();
  if (v.failure) throw new SandboxError(v.failure.message, v.failure.fix, v.failure.log);
  return c.box!;
}

/**
 * Play every solution in one sandbox; then each mistake in a fresh sandbox at its step's start:
 * it must fail the check it names, its signature must recognise it, and the signature must stay
 * silent after the solution.
 */
export async function lintRun(
  course: Course,
  makeSandbox: () => Promise<Sandbox>,
  lang: Lang,
  report: (r: RunReport) => void,
  concurrency = 2,
): Promise<boolean> {
  let allOk = true;
  const note = (r: RunReport) => {
    if (!r.ok && !r.warning) allOk = false;
    report(r);
  };
  const flat = flatSteps(course);
  const c = controllerAt(course, makeSandbox, lang, flat[0]!.key);
  try {
    await started(c);
    for (const s of flat) {
      const label = s.key;
      const v = c.current;
      const missing = c.unavailable();
      if (missing.length > 0) {
        note({ step: label, ok: false, message: `needs ${missing.join(', ')}, which this sandbox lacks` });
      } else {
        // A goal that already holds is only reached by the learner's own evidence: pings carry it,
        // other checks do not (a quiz about what the state shows is the better step).
        const stateOnly = v.step.checks.filter((ch) => ch.type !== 'answer');
        if (stateOnly.length > 0 && !stateOnly.some((ch) => ch.type === 'ping') && !v.step.breakOneOf.length) {
          const entry = await checkState(c.box!, stateOnly);
          if (entry.results.every((r) => r.ok))
            note({
              step: label,
              ok: false,
              warning: true,
              message: 'the goal already holds when the step opens: any command completes it (ask a question instead?)',
            });
        }
        await c.solve();
        const bad = c.checks.filter((ch) => !ch.ok);
        note({
          step: label,
          ok: c.stepPassed,
          message: c.stepPassed
            ? 'solution passes'
            : `solution fails: ${bad.map((b) => `${b.check.id ?? b.check.type} (${describeCheck(b, lang)})`).join(', ')}`,
        });
        for (const m of v.step.mistakes) {
          const fired = m.signature !== undefined && (await signatureHolds(c.box!, m.signature));
          if (fired) note({ step: `${label}#${m.id}`, ok: false, message: 'its signature fires after the solution too' });
        }
      }
      if (!(await c.next())) break;
    }
  } finally {
    await c.close();
  }
  // Each mistake needs a fresh sandbox at its step's start; two run at once (UML guests are
  // mostly waiting on process starts, so a second one nearly halves the wall time).
  const jobs = flat.flatMap((s) => c.stepView(s.pos).step.mistakes.map((m) => ({ s, m })));
  const probeOne = async ({ s, m }: (typeof jobs)[number]): Promise<RunReport> => {
    const step = c.stepView(s.pos).step;
    const probe = controllerAt(course, makeSandbox, lang, s.key);
    try {
      const box = await started(probe);
      await box.run(m.commands.join('\n'));
      const { results } = await checkState(box, step.checks);
      const target = results.find((r) => r.check.id === m.fails);
      const fails = target !== undefined && !target.ok;
      const fired = m.signature !== undefined && (await signatureHolds(box, m.signature));
      const why = [
        fails
          ? `fails "${m.fails}" as declared: ${describeCheck(target!, lang)}`
          : `mistake wrongly passes check "${m.fails}"${target ? `: ${describeCheck(target, lang)}` : ''}`,
        fired ? 'its signature recognises it' : 'its signature does not recognise it',
      ];
      return { step: `${s.key}#${m.id}`, ok: fails && fired, message: why.join('; ') };
    } finally {
      await probe.close();
    }
  };
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) note(await probeOne(jobs[next++]!));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  return allOk;
}
