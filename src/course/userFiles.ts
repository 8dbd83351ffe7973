import { closeSync, fsyncSync, mkdirSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

// Where the tutor keeps a user's files (XDG base directories), and how it writes them: whole
// or not at all, so a crash or a second tutor never leaves half a file behind.

type XdgVariable = 'XDG_STATE_HOME' | 'XDG_CACHE_HOME' | 'XDG_CONFIG_HOME';

/** `$<variable>/ipip-tutor` when the variable holds an absolute path, else `~/<fallback>/ipip-tutor`. */
export function xdgDir(variable: XdgVariable, fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  const set = env[variable];
  return join(set && set.startsWith('/') ? set : join(env.HOME ?? homedir(), fallback), 'ipip-tutor');
}

/**
 * Write through a temporary file and a rename (write-file-atomic removes the temporary file when
 * a write fails); makes the directory if needed. `durable`: the data and the rename reach the
 * disk before this returns (progress and settings; a cache need not pay for it).
 */
export function writeFileAtomic(file: string, data: string, o: { durable?: boolean } = {}): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  writeFileAtomicLib.sync(file, data, { fsync: o.durable ?? false });
  if (o.durable) {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 2_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Run `fn` while holding `<file>.lock` (created exclusively, removed after). A lock older than
 * 10 s is a crashed tutor's and is taken over; after waiting 2 s `fn` runs anyway, since a
 * lost race costs at most one mark while a stuck tutor costs the lesson.
 */
export function withLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  let fd: number | undefined;
  for (const started = Date.now(); fd === undefined && Date.now() - started < LOCK_WAIT_MS;) {
    try {
      fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock);
      } catch {
        /* released meanwhile */
      }
      Atomics.wait(pause, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      try {
        unlinkSync(lock);
      } catch {
        /* already gone */
      }
    }
  }
}
