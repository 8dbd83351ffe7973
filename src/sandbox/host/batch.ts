import { randomBytes } from 'node:crypto';
import type { RunResult } from '../types.js';

// The engine's state queries cost one process entry into the sandbox instead of one each:
// a small bash script runs them all in parallel into a private temp dir, then prints every
// result between unique boundary lines.
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function batchScript(commands: readonly (readonly string[])[], boundary: string): string {
  const lines = ['d=$(mktemp -d)'];
  commands.forEach((argv, i) => {
    lines.push(`${argv.map(q).join(" ")} >"$d/${i}.o" 2>"$d/${i}.e" </dev/null; echo $? >"$d/${i}.c"`);
  });

  commands.forEach((_, i) => {
    lines.push(`printf '\\n${boundary} ${i} %s o\\n' "$(cat "$d/${i}.c")"; cat "$d/${i}.o"; printf '\\n${boundary} ${i} e\\n'; cat "$d/${i}.e"`);
  });
  lines.push(`printf '\\n${boundary} end\\n'; rm -rf "$d"`);
  return lines.join('\n');
}

export function newBoundary(): string {
  return `@@ipip-tutor-${randomBytes(6).toString('hex')}`;
}

/** Split the script's output back into one RunResult per command. */
export function parseBatch(out: string, count: number, boundary: string, durationMs: number): RunResult[] {
  const results: RunResult[] = [];
  for (let i = 0; i < count; i++) {
    const head = new RegExp(`\\n${boundary} ${i} (-?\\d+) o\\n`).exec(out);
    const mid = out.indexOf(`\n${boundary} ${i} e\n`);
    const next = out.indexOf(`\n${boundary} `, mid + 1);
    if (!head || mid < 0) {
      results.push({ exitCode: null, signal: null, stdout: '', stderr: 'no result', timedOut: true, truncated: false, interrupted: false, durationMs });
      continue;
    }
    const stdout = out.slice(head.index + head[0].length, mid);
    const stderr = out.slice(mid + `\n${boundary} ${i} e\n`.length, next < 0 ? undefined : next);
    results.push({ exitCode: Number(head[1]), signal: null, stdout, stderr, timedOut: false, truncated: false, interrupted: false, durationMs });
  }
  return results;
}
