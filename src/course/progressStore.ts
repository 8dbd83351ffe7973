import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { emptyProgress, type Progress } from './progress.js';
import { writeFileAtomic, xdgDir } from './userFiles.js';

// Progress and settings live in the XDG state directory, one progress file per course
// (a custom course with --lessons must not overwrite the shipped course's progress).
export interface ProgressStore {
  load(): Progress;
  save(p: Progress): void;
}

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return xdgDir('XDG_STATE_HOME', join('.local', 'state'), env);
}

export function courseKey(courseDir: string): string {
  return createHash('sha256').update(courseDir).digest('hex').slice(0, 12);
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
      writeFileAtomic(file, JSON.stringify(p, null, 2));
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
  writeFileAtomic(join(dir, 'settings.json'), JSON.stringify(s, null, 2));
}
