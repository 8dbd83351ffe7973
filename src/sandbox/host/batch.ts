import { randomBytes } from 'node:crypto';
import type { RunResult } from '../types.js';

// The engine's state queries cost one process entry into the sandbox instead of one each: a
// small bash script starts them all at once (a failing `ping -W1` waits its second beside the
// `ip` reads, not after them), then prints every result between unique boundary lines. Each
// command's output goes to files that already begin with its boundary, so one `cat` prints
// them all: the script forks only the commands, mktemp, cat and rm.
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function batchScript(commands: readonly (readonly string[])[], boundary: string): string {
  const lines = ['d=$(mktemp -d) || exit 1'];
  commands.forEach((argv, i) => {
    lines.push(`printf '\\n${boundary} ${i} o\\n' >"$d/${i}o"; printf '\\n${boundary} ${i} e\\n' >"$d/${i}e"`);
    lines.push(`${argv.map(q).join(' ')} >>"$d/${i}o" 2>>"$d/${i}e" </dev/null & p${i}=$!`);
  });
  commands.forEach((_, i) => lines.push(`wait $p${i}; c${i}=$?`));
  lines.push(`cat ${commands.map((_, i) => `"$d/${i}o" "$d/${i}e"`).join(' ')}`);
  lines.push(`printf '\\n${boundary} codes %s\\n' "${commands.map((_, i) => `$c${i}`).join(' ')}"`);
  lines.push(`printf '${boundary} end\\n'; rm -rf "$d"`);
  return lines.join('\n');
}

export function newBoundary(): string {
  return `@@ipip-tutor-${randomBytes(6).toString('hex')}`;
}

/** Split the script's output back into one RunResult per command. */
export function parseBatch(out: string, count: number, boundary: string, durationMs: number): RunResult[] {
  const codes = new RegExp(`\\n${boundary} codes ([-\\d ]*)\\n${boundary} end\\n`).exec(out)?.[1]?.split(' ').map(Number);
  const results: RunResult[] = [];
  for (let i = 0; i < count; i++) {
    const oHead = `\n${boundary} ${i} o\n`;
    const eHead = `\n${boundary} ${i} e\n`;
    const o = out.indexOf(oHead);
    const e = out.indexOf(eHead, o + 1);
    const next = out.indexOf(`\n${boundary} `, e + 1);
    const code = codes?.[i];
    if (o < 0 || e < 0 || next < 0 || code === undefined || Number.isNaN(code)) {
      results.push({
        exitCode: null,
        signal: null,
        stdout: '',
        stderr: 'no result',
        timedOut: true,
        truncated: false,
        interrupted: false,
        durationMs,
      });
      continue;
    }
    const stdout = out.slice(o + oHead.length, e);
    const stderr = out.slice(e + eHead.length, next);
    results.push({ exitCode: code, signal: null, stdout, stderr, timedOut: false, truncated: false, interrupted: false, durationMs });
  }
  return results;
}
