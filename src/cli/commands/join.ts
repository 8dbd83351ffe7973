import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { stateDir } from '../../course/progressStore.js';
import { writeFileAtomic } from '../../course/userFiles.js';
import type { Controller } from '../../engine/controller.js';
import { UsageError } from '../../engine/errors.js';
import { tcli } from '../../i18n/cliMessages.js';
import type { Lang } from '../../i18n/lang.js';
import { tu } from '../../i18n/uiMessages.js';
import { newLearnerId } from '../../server/classroom/secrets.js';
import { learnerIdSchema, parseJoinUrl } from '../../server/classroom/protocol.js';
import { joinClass } from '../../server/classroom/reporter.js';

// `--join URL` on the tutor and on `play`: the learner's name (asked when not given), an id
// kept in the state directory (so a tutor restarted mid-class is the same tile, not a new one),
// and the reporter attached to the engine.

/** This learner's id for a class: random once, then the same one for that class. */
export function learnerIdFor(joinUrl: string, dir: string = stateDir()): string {
  const code = parseJoinUrl(joinUrl)?.code ?? joinUrl;
  const file = join(dir, 'classroom-ids.json');
  let ids: Record<string, string> = {};
  try {
    ids = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch {
    // first class on this machine, or an unreadable file: start a new list
  }
  const known = ids[code];
  if (known && learnerIdSchema.safeParse(known).success) return known;
  const id = newLearnerId();
  try {
    writeFileAtomic(file, JSON.stringify({ ...ids, [code]: id }));
  } catch {
    // an unwritable state directory: this run still joins, a restart gets a new tile
  }
  return id;
}

/** Ask for a name on the terminal (the tutor asks before its screen opens). */
export async function askName(lang: Lang): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError(tcli(lang, 'classroom_name_missing'));
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const name = (await rl.question(tu(lang, 'class_name_prompt'))).trim();
      if (name && name.length <= 40) return name;
    }
  } finally {
    rl.close();
  }
}

export interface JoinOptions {
  join: string;
  name: string;
  private: boolean;
  width?: number;
}

/** Attach the reporter to an engine; returns what detaches it. */
export function joinWith(o: JoinOptions): (c: Controller) => () => void {
  return (controller) => {
    const r = joinClass({
      controller,
      joinUrl: o.join,
      name: o.name,
      private: o.private,
      learnerId: learnerIdFor(o.join),
      ...(o.width ? { width: o.width } : {}),
    });
    return () => r.close();
  };
}
