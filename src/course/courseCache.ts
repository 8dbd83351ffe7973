import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Course } from './load.js';
import { writeFileAtomic, xdgDir } from './userFiles.js';

// Parsing and validating the course's YAML files is most of a start (about 170 ms of YAML and
// zod, before any frame). The validated course is kept as JSON and used again while neither a
// file of the course nor the tutor itself has changed; on a miss the loader runs as before,
// with its precise errors, and only a course that loaded cleanly is written back. One file
// holds the last course opened: another --lessons directory replaces it rather than piling up.
// The build ships the shipped course already validated (dist/course-seed.json), keyed by the
// files' contents, so even the first start after an install skips the parse.

const FORMAT = 2; // 2: the course carries its id

interface CacheFile {
  format: number;
  key: string;
  course: Course;
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return xdgDir('XDG_CACHE_HOME', '.cache', env);
}

function stamp(file: string): string {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

/** Every file of the course directory and of its lesson directories (one level down, where lessons live). */
function courseFiles(courseDir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(courseDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory()) for (const f of readdirSync(join(courseDir, e.name)).sort()) out.push(`${e.name}/${f}`);
    else out.push(e.name);
  }
  return out;
}

/**
 * What the cached course depends on: the course's files (sizes and mtimes) and the tutor's own
 * code (a rebuild or an upgrade rewrites this module, and may change what loading produces).
 */
export function courseFingerprint(courseDir: string): string {
  const parts = [`course ${courseDir}`, `tutor ${stamp(fileURLToPath(import.meta.url))}`];
  for (const f of courseFiles(courseDir)) parts.push(`${f} ${stamp(join(courseDir, f))}`);
  return parts.join('\n');
}

/** The course's files by content (mtimes differ between the build and an install). */
export function courseContentKey(courseDir: string): string {
  const h = createHash('sha256');
  for (const f of courseFiles(courseDir))
    h.update(`${f}\0`)
      .update(readFileSync(join(courseDir, f)))
      .update('\0');
  return h.digest('hex');
}

interface Seed {
  format: number;
  content: string;
  course: Course;
}

/** The validated course as the build ships it; directories are kept relative to the course. */
export function makeSeed(course: Course): Seed {
  return {
    format: FORMAT,
    content: courseContentKey(course.dir),
    course: { ...course, dir: '.', lessons: course.lessons.map((l) => ({ ...l, dir: relative(course.dir, l.dir) })) },
  };
}

export const SHIPPED_SEED = fileURLToPath(new URL('../course-seed.json', import.meta.url));

function readSeed(file: string, courseDir: string): Course | null {
  try {
    const seed = JSON.parse(readFileSync(file, 'utf8')) as Seed;
    if (seed.format !== FORMAT || seed.content !== courseContentKey(courseDir)) return null;
    return { ...seed.course, dir: courseDir, lessons: seed.course.lessons.map((l) => ({ ...l, dir: join(courseDir, l.dir) })) };
  } catch {
    return null;
  }
}

function readCache(file: string, key: string): Course | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return c.format === FORMAT && c.key === key ? c.course : null;
  } catch {
    return null;
  }
}

function writeCache(file: string, data: CacheFile): void {
  try {
    writeFileAtomic(file, JSON.stringify(data));
  } catch {
    /* a cache that cannot be written only costs the next start its speed */
  }
}

/** The course in `courseDir`, from the cache when nothing changed, else loaded (and checked) from its files. */
export async function openCourse(courseDir: string, dir: string = cacheDir(), seedFile: string = SHIPPED_SEED): Promise<Course> {
  let key: string | null = null;
  try {
    key = courseFingerprint(courseDir);
  } catch {
    /* no such directory or unreadable: the loader says so precisely */
  }
  const file = join(dir, 'course.json');
  if (key !== null) {
    const hit = readCache(file, key);
    if (hit) return hit;
  }
  const seeded = key !== null ? readSeed(seedFile, courseDir) : null;
  const course = seeded ?? (await import('./load.js')).loadCourse(courseDir);
  if (key !== null) writeCache(file, { format: FORMAT, key, course });
  return course;
}
