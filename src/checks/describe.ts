import { tc } from '../i18n/checkMessages.js';
import type { Lang } from '../i18n/lang.js';
import type { CheckResult, MsgParams, MsgRef } from './evaluate.js';

// Turns a check result into the sentence a learner reads, in their language.
export function renderMsg(lang: Lang, msg: MsgRef): string {
  const flat: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(msg.params ?? ({} as MsgParams))) flat[k] = typeof v === 'object' ? renderMsg(lang, v) : v;
  return tc(lang, msg.key, flat);
}

export function describeCheck(r: CheckResult, lang: Lang): string {
  return renderMsg(lang, r);
}
