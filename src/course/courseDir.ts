import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The course shipped with the package (lessons/ next to dist/ or src/). */
export function defaultCourseDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lessons');
}
