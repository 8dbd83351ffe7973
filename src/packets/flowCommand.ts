import type { Lang } from '../i18n/lang.js';
import type { Sandbox } from '../sandbox/types.js';
import { analyzeFlow } from './flowReport.js';
import { describeDiagnosis, describeFault } from '../checks/describe.js';
import { renderFlow, renderFlowCompact } from './flowRender.js';
import { pm } from './messages.js';

// `tutor flow [NS] [DEST] [--on DEV] [--count N]`: the defaults come from the course
// (course.yaml `flow:`), the width from the front end that shows it.
export interface FlowDefaults {
  from: string;
  to: string;
  on: string;
}

export interface FlowArgs {
  fromNs: string;
  to: string;
  captureDev: string;
  count: number;
  /** every layer, every route answer, the counters (the default fits one screen) */
  full: boolean;
}

export function parseFlowArgs(args: readonly string[], defaults: FlowDefaults): FlowArgs | { error: string } {
  const out: FlowArgs = { fromNs: defaults.from, to: defaults.to, captureDev: defaults.on, count: 2, full: false };
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--on' || a === '-i') {
      const v = args[++i];
      if (!v) return { error: `${a} needs a device` };
      out.captureDev = v;
    } else if (a.startsWith('--on=')) out.captureDev = a.slice(5);
    else if (a === '--count' || a === '-c') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 50) return { error: 'count must be 1..50' };
      out.count = n;
    } else if (a === '--full') out.full = true;
    else if (a.startsWith('-')) return { error: `unknown option ${a}` };
    else pos.push(a);
  }
  if (pos.length > 2) return { error: 'too many arguments' };
  const isIp = (s: string) => /^\d{1,3}(\.\d{1,3}){3}$/.test(s);
  for (const p of pos) {
    if (isIp(p)) out.to = p;
    else if (/^[A-Za-z0-9_.-]+$/.test(p)) out.fromNs = p;
    else return { error: `not a namespace or IPv4 address: ${p}` };
  }
  return out;
}

export interface FlowCommandOptions {
  lang: Lang;
  defaults: FlowDefaults;
  /** columns of the screen it is shown on */
  width: number;
  signal?: AbortSignal;
}

export async function flowCommand(sandbox: Sandbox, args: readonly string[], o: FlowCommandOptions): Promise<string> {
  const parsed = parseFlowArgs(args, o.defaults);
  if ('error' in parsed) return `${parsed.error}\n${pm(o.lang, 'usageFlow')}`;
  try {
    const report = await analyzeFlow(sandbox, { ...parsed, ...(o.signal ? { signal: o.signal } : {}) });
    const width = Math.min(76, o.width);
    const diagnosis = report.fault ? [describeFault(report.fault, o.lang), ...describeDiagnosis(report.fault, o.lang)] : [];
    return parsed.full ? [renderFlow(report, o.lang, width), ...diagnosis].join('\n') : renderFlowCompact(report, o.lang, width, diagnosis);
  } catch (e) {
    return pm(o.lang, 'flowError', { msg: (e as Error).message });
  }
}
