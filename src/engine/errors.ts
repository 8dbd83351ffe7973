import { CourseError } from '../course/courseError.js';
import { SandboxError } from '../sandbox/types.js';

// The few kinds of failure, each handled here once: the learner or author can fix it (usage,
// lesson file, sandbox prerequisites), or it is a bug. None of them prints a stack trace
// unless IPIP_TUTOR_DEBUG is set.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit statuses of the command line, in one place (130: stopped by SIGINT, as a shell reports it). */
export const EXIT = { ok: 0, failed: 1, lesson: 2, sandbox: 3, usage: 64, bug: 70, interrupted: 130 } as const;

export function describeError(e: unknown): { text: string; code: number } {
  if (e instanceof UsageError) return { text: `ipip-tutor: ${e.message}\nRun \`ipip-tutor --help\` for usage.`, code: EXIT.usage };
  if (e instanceof CourseError) return { text: `Lesson error: ${e.message}`, code: EXIT.lesson };
  if (e instanceof SandboxError) {
    const parts = [`Sandbox error: ${e.message}`];
    if (e.fix) parts.push(`What to do: ${e.fix}`);
    if (e.log)
      parts.push(
        `Last lines:\n${e.log
          .split('\n')
          .slice(-12)
          .map((l) => `  ${l}`)
          .join('\n')}`,
      );
    return { text: parts.join('\n'), code: EXIT.sandbox };
  }
  const msg = e instanceof Error ? e.message : String(e);
  const stack = process.env.IPIP_TUTOR_DEBUG && e instanceof Error ? `\n${e.stack}` : '';
  return {
    text: `ipip-tutor: internal error: ${msg}${stack}\nThis is a bug; set IPIP_TUTOR_DEBUG=1 for details.`,
    code: EXIT.bug,
  };
}
