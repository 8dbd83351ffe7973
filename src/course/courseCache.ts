import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Course } from './load.js';

// Parsing and validating the course's YAML files is most of a start (about 170 ms of YAML and
// zod, before any frame). The validated course is kept as JSON and used again while neither a
// file of the course nor the tutor itself has changed; on a miss the loader runs as before,
// with its precise errors, and only a course that loaded cleanly is written back. One file
// holds the last course opened: another --lessons directory replaces it rather than piling up.

const FORMAT = 1;

interface CacheFile {
  format: number;
  key: string;
  course: Course;
}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'ipip-tutor');
}

function stamp(file: string): string {
  const s = statSync(file);
  return `${s.size}:${s.mtimeMs}`;
}

/**
 * What the cached course depends on: every file of the course directory and of its lesson
 * directories (one level down, where lessons live), and the tutor's own code (a rebuild or
 * an upgrade rewrites this module, and may change what loading produces).
 */
export function courseFingerprint(courseDir: string): string {
  const parts = [`course ${courseDir}`, `tutor ${stamp(fileURLToPath(import.meta.url))}`];
  for (const e of readdirSync(courseDir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(courseDir, e.name);
    if (e.isDirectory()) {
      for (const f of readdirSync(p).sort()) parts.push(`${e.name}/${f} ${stamp(join(p, f))}`);
    } else parts.push(`${e.name} ${stamp(p)}`);
  }
  return parts.join('\n');
}

function readCache(file: string, key: string): Course | null {
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    return c.format === FORMAT && c.key === key ? c.course : null;
  } catch {
    return null;
  }
}

function writeCache(dir: string, file: string, data: CacheFile): void {
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(data));
    renameSync(tmp, file);
  } catch {
    /* a cache that cannot be written only costs the next start its speed */
  }
}

/** The course in `courseDir`, from the cache when nothing changed, else loaded (and checked) from its files. */
export async function openCourse(courseDir: string, dir: string = cacheDir()): Promise<Course> {
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
  const { loadCourse } = await import('./load.js');
  const course = loadCourse(courseDir);
  if (key !== null) writeCache(dir, file, { format: FORMAT, key, course });
  return course;
}
