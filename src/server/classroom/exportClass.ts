import { csvCell } from './escape.js';
import type { ClassHub } from './hub.js';

// The class's results, at any time: one record per learner with where they are, how far they
// got and how (hints, solves, skips, recognised mistakes). JSON for scripts, CSV for a spreadsheet.

export interface ExportRow {
  name: string;
  status: string;
  lab: boolean;
  lessonId: string | null;
  stepId: string | null;
  completed: number;
  total: number;
  hints: number;
  solved: number;
  skipped: number;
  done: number;
  mistakes: number;
  commands: number;
  failingCheck: string | null;
  failingReason: string | null;
  joinedAt: string;
  lastSeen: string;
}

export function exportRows(hub: ClassHub): ExportRow[] {
  const snap = hub.snapshot();
  const counts = hub.store.eventCounts();
  const rows = new Map(hub.store.learners().map((l) => [l.id, l]));
  return snap.learners.map((l) => {
    const c = counts.get(l.id) ?? {};
    const row = rows.get(l.id)!;
    return {
      name: l.name,
      status: l.status,
      lab: l.lab,
      lessonId: l.lessonId,
      stepId: l.stepId,
      completed: l.completed,
      total: l.total,
      hints: c.hint ?? 0,
      solved: c.solved ?? 0,
      skipped: c.skipped ?? 0,
      done: c.done ?? 0,
      mistakes: c.mistakes ?? 0,
      commands: c.command ?? 0,
      failingCheck: l.failing?.id ?? null,
      failingReason: l.failing?.reason ?? null,
      joinedAt: new Date(row.joinedAt).toISOString(),
      lastSeen: new Date(row.lastSeen).toISOString(),
    };
  });
}

export function exportCsv(hub: ClassHub): string {
  const rows = exportRows(hub);
  const cols: (keyof ExportRow)[] = [
    'name',
    'status',
    'lab',
    'lessonId',
    'stepId',
    'completed',
    'total',
    'hints',
    'solved',
    'skipped',
    'done',
    'mistakes',
    'commands',
    'failingCheck',
    'failingReason',
    'joinedAt',
    'lastSeen',
  ];
  const lines = [cols.join(','), ...rows.map((r) => cols.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
