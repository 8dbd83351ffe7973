import { execa } from 'execa';

// A tiny watchdog that outlives a `kill -9` of the tutor. It blocks reading a pipe whose only
// writer is this process; when we die the kernel closes it, `read` returns, and the watchdog
// kills the sandbox's process groups and removes its temporary paths.
export interface Reaper {
  /** Clean up now (normal exit) and stop the watchdog. */
  release(): void;
}

export function startReaper(target: { processGroups: number[]; paths: string[] }): Reaper {
  const kills = target.processGroups.map((g) => `kill -KILL -- -${g} 2>/dev/null`).join('; ');
  const removes = target.paths.map((p) => `rm -rf -- '${p.replace(/'/g, `'\\''`)}'`).join('; ');
  const script = `trap '' INT TERM HUP; read _ignored; ${kills || ':'}; sleep 0.2; ${kills || ':'}; ${removes || ':'}`;
  const child = execa('/bin/sh', ['-c', script], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // own process group: a Ctrl-C or SIGTERM to the tutor's group must not reach it
    cleanup: false, // it must outlive us: its whole point
    reject: false,
    buffer: false,
  });
  child.unref();
  (child.stdin as NodeJS.WritableStream & { unref?: () => void }).on('error', () => {});
  // The pipe must not keep the event loop alive.
  (child.stdin as unknown as { _handle?: { unref?: () => void } })._handle?.unref?.();
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      child.stdin?.end();
    },
  };
}
