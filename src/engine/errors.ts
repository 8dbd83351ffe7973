import { CourseError } from '../course/courseError.js';
import { tcli } from '../i18n/cliMessages.js';
import type { Lang } from '../i18n/lang.js';
import { SandboxError } from '../sandbox/types.js';

// The few kinds of failure, each handled here once: the learner or author can fix it (usage,
// lesson file, sandbox prerequisites), or it is a bug. None of them prints a stack trace
// unless IPIP_TUTOR_DEBUG is set.
export class UsageError extends Error {
  constructor(
    message: string,
    /** The subcommand whose help explains the options, when the mistake is in them. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit statuses of the command line, in one place (130/143: stopped by SIGINT/SIGTERM, as a shell reports it). */
export const EXIT = { ok: 0, failed: 1, lesson: 2, sandbox: 3, usage: 64, bug: 70, interrupted: 130, terminated: 143 } as const;

export function describeError(e: unknown, lang: Lang = 'en'): { text: string; code: number } {
  if (e instanceof UsageError)
    return {
      text: `${tcli(lang, 'err_usage', { message: e.message })}\n${e.command ? tcli(lang, 'err_see_command_help', { command: e.command }) : tcli(lang, 'err_see_help')}`,
      code: EXIT.usage,
    };
  if (e instanceof CourseError) return { text: tcli(lang, 'err_lesson_file', { message: e.message }), code: EXIT.lesson };
  if (e instanceof SandboxError) {
    const said = e.in(lang);
    const parts = [tcli(lang, 'err_sandbox', { message: said.message })];
    if (said.fix) parts.push(tcli(lang, 'err_sandbox_fix', { fix: said.fix }));
    if (e.log)
      parts.push(
        `${tcli(lang, 'err_sandbox_log')}\n${e.log
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
    text: `${tcli(lang, 'err_internal', { message: msg })}${stack}\n${tcli(lang, 'err_internal_hint')}`,
    code: EXIT.bug,
  };
}
