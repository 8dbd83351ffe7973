import { createInterface } from 'node:readline';
import { attachTranscript } from './transcript.js';
import type { Controller } from '../engine/controller.js';
import { tu } from '../i18n/uiMessages.js';

// The tutor for terminals that cannot take cursor movement or animation (TERM=dumb, and CI=true
// where ink freezes its live area): the same engine, one line in, plain lines out. Keys become
// words: `tutor hint`, `tutor solve`... (`tutor help` lists them).
export type PlainReason = 'dumb' | 'ci';

/** The variables by which ink (its is-in-ci) decides it writes to a CI log: then it draws no live area. */
export const CI_VARS = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

/** ink's own rule: set, and neither "0" nor "false". */
export const isCi = (env: NodeJS.ProcessEnv): boolean => CI_VARS.some((k) => k in env && env[k] !== '0' && env[k] !== 'false');

/** Why the ink screen cannot be used on this terminal, or null when it can. */
export function plainReason(env: NodeJS.ProcessEnv = process.env): PlainReason | null {
  if (env.TERM === 'dumb') return 'dumb';
  if (isCi(env)) return 'ci';
  return null;
}

const WORDS = ['hint', 'solve', 'skip', 'restart', 'lang', 'hand', 'quit', 'help'] as const;
type Word = (typeof WORDS)[number];

export interface PlainIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { columns?: number };
}

export async function runPlain(
  c: Controller,
  why: PlainReason,
  io: PlainIo = { input: process.stdin, output: process.stdout },
  /** the tutor reports to a classroom (--join): `tutor hand` asks the instructor for help */
  inClass = false,
): Promise<number> {
  const out = (l: string) => io.output.write(`${l}\n`);
  out(tu(c.lang, why === 'dumb' ? 'ui_plain_dumb' : 'ui_plain_ci'));
  const detach = attachTranscript(c, { out, width: io.output.columns || 80, stepText: true });
  const rl = createInterface({ input: io.input, output: io.output, prompt: '> ', terminal: false });
  const prompt = () => io.output.write(c.getView().passed ? `${tu(c.lang, 'ui_plain_next')}\n> ` : '> ');
  void c.start().then(prompt);
  let quitting = false;
  const quit = async () => {
    if (quitting) return;
    quitting = true;
    rl.close();
    detach();
    await c.close().catch(() => {});
  };
  const word = (line: string): Word | null => {
    const m = /^tutor\s+(\w+)\s*$/.exec(line.trim());
    return m && (WORDS as readonly string[]).includes(m[1]!) ? (m[1] as Word) : null;
  };
  rl.on('SIGINT', () => (c.busy ? c.interrupt() : void quit()));
  for await (const line of rl) {
    const w = word(line);
    switch (w) {
      case 'hint':
        await c.hint();
        break;
      case 'solve':
        await c.solve();
        break;
      case 'skip':
        await c.skip();
        break;
      case 'restart':
        await c.restart();
        break;
      case 'lang':
        c.setLang(c.lang === 'en' ? 'zh' : 'en');
        break;
      case 'hand':
        if (inClass) c.raiseHand();
        else out(tu(c.lang, 'ui_hand_no_class'));
        break;
      case 'quit':
        await quit();
        return 0;
      case 'help':
        out(tu(c.lang, 'ui_plain_help'));
        break;
      default:
        if (line.trim() === '') await c.enter();
        else await c.submit(line);
    }
    if (c.getView().stage === 'failed') break;
    prompt();
  }
  const failure = c.getView().failure;
  await quit();
  return failure ? failure.code : 0;
}
