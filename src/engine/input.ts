import { matchAnswer } from '../checks/answer.js';

// What a line typed at the prompt is. At a question, input equal to an accepted answer (as
// answer.ts compares them) is an answer; otherwise a word that is a command in the sandbox (on
// its PATH, or a shell builtin) runs, and anything else is a wrong answer. Elsewhere every line
// is a command, and `tutor ...` is the tutor's own.
export type InputKind = 'command' | 'answer' | 'builtin' | 'empty';

export interface ClassifyContext {
  /** the accepted answers when the prompt asks a question, else null */
  accepts: readonly string[] | null;
  /** is this word a command in the sandbox? */
  isCommand: (word: string) => Promise<boolean>;
}

/** Shell syntax no answer has: pipes, redirections, separators, substitutions. */
const SHELL = /[|;&<>`$]/;

export async function classifyInput(input: string, ctx: ClassifyContext): Promise<InputKind> {
  const t = input.trim();
  if (!t) return 'empty';
  const first = t.split(/\s+/)[0]!;
  if (first === 'tutor') return 'builtin';
  if (ctx.accepts === null) return 'command';
  if (matchAnswer(t, ctx.accepts) !== undefined) return 'answer';
  if (SHELL.test(t)) return 'command';
  return (await ctx.isCommand(first)) ? 'command' : 'answer';
}
