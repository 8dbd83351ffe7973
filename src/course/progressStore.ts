import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { emptyProgress, type Progress } from './progress.js';
import { withLock, writeFileAtomic, xdgDir } from './userFiles.js';

// Progress lives in the XDG state directory, one file per course, named by the course's id
// (course.yaml `id:`; the shipped course is `ipip-tutor`), so it survives an upgrade, a second
// install, npx's cache and a moved checkout. Two tutors on one course each save only what they
// changed on top of what is on disk (under a lock), so neither loses the other's marks.
// Settings are configuration: they live in the XDG config directory.

export interface ProgressStore {
  load(): Progress;
  save(p: Progress): void;
}

/** What the store needs to know of a course (a loaded Course has it). */
export interface CourseIdentity {
  id: string;
  dir: string;
  lessons: readonly { id: string; def: { steps: readonly { id: string }[] } }[];
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return xdgDir('XDG_STATE_HOME', join('.local', 'state'), env);
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return xdgDir('XDG_CONFIG_HOME', '.config', env);
}

export function progressFile(courseId: string, dir: string = stateDir()): string {
  return join(dir, `progress-${courseId}.json`);
}

/** How versions before 0.2 named a course's progress file: a hash of the course folder's path. */
export function legacyCourseKey(courseDir: string): string {
  return createHash('sha256').update(courseDir).digest('hex').slice(0, 12);
}

function readProgress(file: string): Progress | null {
  try {
    const p = JSON.parse(readFileSync(file, 'utf8')) as Progress;
    return p && p.version === 1 && typeof p.marks === 'object' ? { ...emptyProgress(), ...p } : null;
  } catch {
    return null; // missing or unreadable: start fresh rather than fail
  }
}

/** `mine` holds what this tutor changed since `base`; everything else comes from `theirs` (the file now). */
export function mergeProgress(base: Progress, mine: Progress, theirs: Progress): Progress {
  const merge = <T>(b: Record<string, T>, m: Record<string, T>, t: Record<string, T>): Record<string, T> => {
    const out = { ...t };
    for (const k of new Set([...Object.keys(b), ...Object.keys(m)])) {
      if (m[k] === b[k]) continue;
      if (m[k] === undefined) delete out[k];
      else out[k] = m[k];
    }
    return out;
  };
  const sameCurrent = JSON.stringify(base.current) === JSON.stringify(mine.current);
  return {
    version: 1,
    marks: merge(base.marks, mine.marks, theirs.marks),
    hints: merge(base.hints, mine.hints, theirs.hints),
    current: sameCurrent ? theirs.current : mine.current,
  };
}

/** Old progress files of this course: the one named by its folder, and any whose every key names one of its steps. */
function legacyFiles(course: CourseIdentity, dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^progress-[0-9a-f]{12}\.json$/.test(n));
  } catch {
    return [];
  }
  const steps = new Set(course.lessons.flatMap((l) => l.def.steps.map((s) => `${l.id}/${s.id}`)));
  const own = `progress-${legacyCourseKey(course.dir)}.json`;
  return names.filter((n) => {
    if (n === own) return true;
    const p = readProgress(join(dir, n));
    if (!p) return false;
    const keys = [...Object.keys(p.marks), ...Object.keys(p.hints), ...(p.current ? [`${p.current.lesson}/${p.current.step}`] : [])];
    return keys.length > 0 && keys.every((k) => steps.has(k));
  });
}

/** One-time move of the old files into the new one (marks and hints united, the newest position). */
function migrate(course: CourseIdentity, dir: string, file: string): void {
  const old = legacyFiles(course, dir).sort((a, b) => statSync(join(dir, a)).mtimeMs - statSync(join(dir, b)).mtimeMs);
  if (old.length === 0) return;
  let merged = emptyProgress();
  for (const n of old) {
    const p = readProgress(join(dir, n))!;
    merged = {
      version: 1,
      marks: { ...merged.marks, ...Object.fromEntries(Object.entries(p.marks).filter(([k]) => merged.marks[k] !== 'done')) },
      hints: Object.fromEntries(
        [...new Set([...Object.keys(merged.hints), ...Object.keys(p.hints)])].map((k) => [
          k,
          Math.max(merged.hints[k] ?? 0, p.hints[k] ?? 0),
        ]),
      ),
      current: p.current ?? merged.current,
    };
  }
  writeFileAtomic(file, JSON.stringify(merged, null, 2), { durable: true });
  for (const n of old) renameSync(join(dir, n), join(dir, `${n}.migrated`));
}

export function fileProgressStore(course: CourseIdentity, dir: string = stateDir()): ProgressStore {
  const file = progressFile(course.id, dir);
  // What this tutor last read or wrote: a save writes only the changes made since.
  let base = emptyProgress();
  return {
    load() {
      let p = readProgress(file);
      if (!p) {
        try {
          withLock(file, () => {
            if (!readProgress(file)) migrate(course, dir, file);
          });
        } catch {
          /* an unwritable state directory: start fresh */
        }
        p = readProgress(file);
      }
      base = p ?? emptyProgress();
      return base;
    },
    save(p) {
      withLock(file, () => {
        const merged = mergeProgress(base, p, readProgress(file) ?? emptyProgress());
        writeFileAtomic(file, JSON.stringify(merged, null, 2), { durable: true });
      });
      base = p;
    },
  };
}

export function memoryProgressStore(initial: Progress = emptyProgress()): ProgressStore {
  let p = initial;
  return { load: () => p, save: (n) => void (p = n) };
}

export interface Settings {
  lang?: 'en' | 'zh';
  map?: boolean;
}

function readSettings(file: string): Settings | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Settings;
  } catch {
    return null;
  }
}

/** Settings from the config directory; older versions kept them in the state directory (moved once). */
export function loadSettings(dir: string = configDir(), oldDir: string = stateDir()): Settings {
  const file = join(dir, 'settings.json');
  const now = readSettings(file);
  if (now) return now;
  const old = readSettings(join(oldDir, 'settings.json'));
  if (!old) return {};
  try {
    writeFileAtomic(file, JSON.stringify(old, null, 2), { durable: true });
    renameSync(join(oldDir, 'settings.json'), join(oldDir, 'settings.json.migrated'));
  } catch {
    /* read-only: use them where they are */
  }
  return old;
}

export function saveSettings(s: Settings, dir: string = configDir()): void {
  writeFileAtomic(join(dir, 'settings.json'), JSON.stringify(s, null, 2), { durable: true });
}
