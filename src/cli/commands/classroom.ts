import { join } from 'node:path';
import { stateDir } from '../../course/progressStore.js';
import { EXIT } from '../../engine/errors.js';
import { tcli } from '../../i18n/cliMessages.js';
import type { Lang } from '../../i18n/lang.js';
import type { BackendChoice } from '../../sandbox/factory.js';

// `ipip-tutor classroom`: start the instructor's server and keep it until Ctrl-C. stdout gets
// exactly two lines a script reads (`dashboard: URL`, `join: URL`); the big join URL and its QR
// code, for the projector, go to stderr.
export interface ClassroomCommandOptions {
  host?: string;
  port?: number;
  state?: string;
  title?: string;
  /** --lab: the browser lab on this server (src/server/lab/) */
  lab?: boolean;
  labMax?: number;
  labIdle?: number;
  backend?: BackendChoice;
  courseDir?: string;
  lang: Lang;
  out: (line: string) => void;
  err: (line: string) => void;
}

export const DEFAULT_PORT = 8370;

export async function classroomCommand(o: ClassroomCommandOptions): Promise<number> {
  const dir = o.state ?? join(stateDir(), 'classroom');
  // better-sqlite3 is an optional peer: say how to get it rather than fail with a stack trace.
  try {
    await import('better-sqlite3');
  } catch (e) {
    o.err(tcli(o.lang, 'classroom_needs_sqlite', { message: (e as Error).message.split('\n')[0]! }));
    return EXIT.failed;
  }
  const { startClassroom } = await import('../../server/classroom/server.js');
  const lab = o.lab ? await import('./classroomLab.js').then((m) => m.labFor({ ...o, dir })) : undefined;
  const room = await startClassroom({
    ...(lab ? { lab: lab.plugin } : {}),
    stateDir: dir,
    port: o.port ?? DEFAULT_PORT,
    lang: o.lang,
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.title !== undefined ? { title: o.title } : {}),
  });
  o.out(`dashboard: ${room.dashboardUrl}`);
  o.out(`join: ${room.joinUrl}`);
  const title = room.hub.title;
  o.err('');
  o.err(tcli(o.lang, 'classroom_banner', { title }));
  o.err('');
  o.err(`    ipip-tutor --join ${room.joinUrl}`);
  o.err('');
  const { default: qr } = await import('qrcode-terminal');
  qr.generate(room.joinUrl, { small: true }, (s: string) => s.split('\n').forEach((l) => o.err(`    ${l}`)));
  o.err(tcli(o.lang, 'classroom_dashboard_note', { dir }));
  if (lab) o.err(lab.describe());
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await room.close();
  o.err(tcli(o.lang, 'classroom_closed', { dir }));
  return EXIT.ok;
}
