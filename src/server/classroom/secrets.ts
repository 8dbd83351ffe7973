import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// The class code (for learners) and the instructor key (for the dashboard and the API): random
// and unguessable (96 and 192 bits), compared in constant time so a timing attack learns nothing.

export const newClassCode = (): string => randomBytes(12).toString('base64url');
export const newInstructorKey = (): string => randomBytes(24).toString('base64url');
/** A learner's id, chosen by their tutor: 128 random bits in hex. */
export const newLearnerId = (): string => randomBytes(16).toString('hex');

/** Equal strings, in time that does not depend on where they differ (hashes make the lengths equal). */
export function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length > 200) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
