import { tc } from '../i18n/checkMessages.js';
import type { Lang } from '../i18n/lang.js';
import type { Fault } from '../kernel/simulate.js';
import { faultRef, type CheckResult, type MsgParams, type MsgRef } from './evaluate.js';

// Turns a check result into the sentence a learner reads, in their language.
export function renderMsg(lang: Lang, msg: MsgRef): string {
  const flat: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(msg.params ?? ({} as MsgParams))) flat[k] = typeof v === 'object' ? renderMsg(lang, v) : v;
  return tc(lang, msg.key, flat);
}

export function describeCheck(r: CheckResult, lang: Lang): string {
  return renderMsg(lang, r);
}

/** Under a failing ping: the commands that show where the packet dies, and the fix when one is known. */
export function describeDiagnosis(d: Fault | 'silent', lang: Lang): string[] {
  if (d === 'silent') return [tc(lang, 'diag_silent')];
  const out: string[] = [];
  if (d.show.length) out.push(tc(lang, 'diag_show', { commands: d.show.map((c) => `\`${c}\``).join(' · ') }));
  if (d.fix.length) out.push(tc(lang, 'diag_fix', { commands: d.fix.map((c) => `\`${c}\``).join(' · ') }));
  return out;
}

/** Where a packet dies, as a sentence. */
export function describeFault(f: Fault, lang: Lang): string {
  return renderMsg(lang, faultRef(f));
}
