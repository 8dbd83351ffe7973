import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { emptyProgress, type Progress } from './progress.js';

// Progress and settings live in the XDG state directory, one progress file per course
// (a custom course with --lessons must not overwrite the shipped course's progress).
export interface ProgressStore {
  load(): Progress;
  save(p: Progress): void;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME ?? homedir(), '.local', 'state');
  return join(base, 'ipip-tutor');
}

export function courseKey(courseDir: string): string {
  return createHash('sha256').update(courseDir).digest('hex').slice(0, 12);
}

function writeAtomic(file: string, data: string) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}

export function fileProgressStore(courseDir: string, dir: string = stateDir()): ProgressStore {
  const file = join(dir, `progress-${courseKey(courseDir)}.json`);
  return {
    load() {
      try {
        const p = JSON.parse(readFileSync(file, 'utf8')) as Progress;
        return p && p.version === 1 && typeof p.marks === 'object' ? { ...emptyProgress(), ...p } : emptyProgress();
      } catch {
        return emptyProgress(); // missing or unreadable: start fresh rather than fail
      }
    },
    save(p) {
      mkdirSync(dir, { recursive: true });
      writeAtomic(file, JSON.stringify(p, null, 2));
    },
  };
}

export function memoryProgressStore(initial: Progress = emptyProgress()): ProgressStore {
  let p = initial;
  return { load: () => p, save: (n) => void (p = n) };
}

export interface Settings {
  lang?: 'en' | 'zh';
  map?: boolean;
}

export function loadSettings(dir: string = stateDir()): Settings {
  try {
    return JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Settings;
  } catch {
    return {};
  }
}

export function saveSettings(s: Settings, dir: string = stateDir()): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'settings.json'), JSON.stringify(s, null, 2));
}
