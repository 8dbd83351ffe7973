import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

// Where the tutor keeps a user's files (XDG base directories), and how it writes them: whole
// or not at all, so a crash or a second tutor never leaves half a file behind.

/** `$<variable>/ipip-tutor` when the variable holds an absolute path, else `~/<fallback>/ipip-tutor`. */
export function xdgDir(variable: 'XDG_STATE_HOME' | 'XDG_CACHE_HOME', fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const set = env[variable];
  return join(set && set.startsWith('/') ? set : join(env.HOME ?? homedir(), fallback), 'ipip-tutor');
}

/** Write through a temporary file and a rename; makes the directory if needed. */
export function writeFileAtomic(file: string, data: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
