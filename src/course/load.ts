import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import { LANGS, type Lang } from '../i18n/lang.js';
import { CourseError } from './courseError.js';
import { defaultCourseDir } from './courseDir.js';
import { courseSchema, lessonSchema, lessonTextSchema, type CourseDef, type LessonDef, type LessonText } from './schema.js';

// Loads a course directory: course.yaml lists lesson directories; each holds lesson.yaml
// (structure) and <lang>.yaml (texts). Every problem names the file, the step and the field.
export interface Lesson {
  id: string;
  dir: string;
  def: LessonDef;
  texts: Partial<Record<Lang, LessonText>>;
}

export interface Course {
  /** course.yaml's id: what progress is kept under */
  id: string;
  dir: string;
  title: Partial<Record<Lang, string>>;
  lessons: Lesson[];
  flow?: { from: string; to: string; on: string };
}

function readYaml(file: string, shown: string): unknown {
  if (!existsSync(file)) throw new CourseError(shown, 'file not found');
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new CourseError(shown, `YAML syntax error${where}: ${msg}`);
  }
}

/** Turn a zod issue path like ["steps", 2, "checks", 0, "to"] into a step id and a field. */
function locate(raw: unknown, path: readonly PropertyKey[]): { step?: string; field: string } {
  const parts = path.map(String);
  if (parts[0] === 'steps' && parts.length >= 2) {
    const idx = Number(parts[1]);
    const steps = (raw as { steps?: unknown[] })?.steps;
    const stepRaw = Array.isArray(steps) ? (steps[idx] as { id?: unknown } | undefined) : undefined;
    // In text files steps are a map keyed by id, so the key itself is the step.
    const step = Number.isNaN(idx) ? parts[1] : typeof stepRaw?.id === 'string' ? stepRaw.id : `#${idx + 1}`;
    return { step, field: formatPath(parts.slice(2)) || '(the step)' };
  }
  return { field: formatPath(parts) || '(top level)' };
}

function formatPath(parts: string[]): string {
  return parts.map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function validate<T>(schema: z.ZodType<T>, raw: unknown, shown: string): T {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const { step, field } = locate(raw, issue.path);
  throw new CourseError(shown, issue.message, step, field);
}

export function loadLesson(courseDir: string, lessonDir: string): Lesson {
  const dir = join(courseDir, lessonDir);
  const shown = (f: string) => relative(process.cwd(), join(dir, f)) || f;
  const raw = readYaml(join(dir, 'lesson.yaml'), shown('lesson.yaml'));
  const def = validate(lessonSchema, raw, shown('lesson.yaml'));
  const seen = new Set<string>();
  def.steps.forEach((s) => {
    if (seen.has(s.id)) throw new CourseError(shown('lesson.yaml'), `duplicate step id "${s.id}"`, s.id, 'id');
    seen.add(s.id);
    const checkIds = new Set(s.checks.map((c) => c.id).filter(Boolean));
    const where = (field: string) => [shown('lesson.yaml'), s.id, field] as const;
    const ids = new Set<string>();
    s.checks.forEach((c, i) => {
      if (c.id && ids.has(c.id)) throw new CourseError(...where(`checks[${i}].id`), `duplicate check id "${c.id}"`);
      if (c.id) ids.add(c.id);
    });
    s.mistakes.forEach((m, i) => {
      if (!checkIds.has(m.fails)) throw new CourseError(...where(`mistakes[${i}].fails`), `mistake refers to unknown check "${m.fails}"`);
    });
    const answers = [...s.checks, ...(s.debrief ? [s.debrief] : [])].filter((c) => c.type === 'answer');
    if (answers.some((c) => c.type === 'answer' && c.fromBreak) && !s.breakOneOf.some((b) => b.answer))
      throw new CourseError(...where('breakOneOf'), 'an answer with fromBreak needs breakages that declare `answer`');
    s.breakOneOf.forEach((b, i) => {
      if (s.debrief?.fromBreak && !b.answer)
        throw new CourseError(
          ...where(`breakOneOf[${i}].answer`),
          'the debrief accepts the answer of the breakage picked: give each breakage one',
        );
    });
  });
  const texts: Partial<Record<Lang, LessonText>> = {};
  for (const lang of LANGS) {
    const file = join(dir, `${lang}.yaml`);
    if (!existsSync(file)) {
      if (lang === 'en') throw new CourseError(shown('en.yaml'), 'file not found (English texts are required)');
      continue;
    }
    const text = validate(lessonTextSchema, readYaml(file, shown(`${lang}.yaml`)), shown(`${lang}.yaml`));
    for (const s of def.steps) {
      const t = text.steps[s.id];
      if (!t) {
        if (lang === 'en') throw new CourseError(shown('en.yaml'), 'no text for this step', s.id, 'steps');
        continue;
      }
      const file = shown(`${lang}.yaml`);
      const known = (kind: string, keys: Record<string, string>, allowed: Set<string>) => {
        for (const k of Object.keys(keys))
          if (!allowed.has(k))
            throw new CourseError(
              file,
              `no ${kind === 'hints' ? 'check' : kind.replace(/s$/, '')} "${k}" in this step`,
              s.id,
              `${kind}.${k}`,
            );
      };
      const checkIds = s.checks.map((c) => c.id).filter((x): x is string => !!x);
      known('hints', t.hints, new Set(['nudge', ...checkIds, ...(s.debrief ? [s.debrief.id ?? 'debrief'] : [])]));
      known('mistakes', t.mistakes, new Set(s.mistakes.map((m) => m.id)));
      known('breaks', t.breaks, new Set(s.breakOneOf.map((b) => b.id)));
    }
    for (const id of Object.keys(text.steps))
      if (!def.steps.some((s) => s.id === id))
        throw new CourseError(shown(`${lang}.yaml`), `text for a step that lesson.yaml does not have`, id, 'steps');
    texts[lang] = text;
  }
  return { id: def.id, dir, def, texts };
}

export function loadCourse(courseDir: string = defaultCourseDir()): Course {
  if (!existsSync(courseDir) || !statSync(courseDir).isDirectory()) throw new CourseError(courseDir, 'lesson directory does not exist');
  const shown = relative(process.cwd(), join(courseDir, 'course.yaml')) || 'course.yaml';
  const def: CourseDef = validate(courseSchema, readYaml(join(courseDir, 'course.yaml'), shown), shown);
  const lessons = def.lessons.map((d) => loadLesson(courseDir, d));
  const ids = new Set<string>();
  for (const l of lessons) {
    if (ids.has(l.id)) throw new CourseError(shown, `duplicate lesson id "${l.id}"`, undefined, 'lessons');
    ids.add(l.id);
  }
  return { id: def.id, dir: courseDir, title: def.title, lessons, ...(def.flow ? { flow: def.flow } : {}) };
}
