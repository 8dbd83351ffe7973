/// <reference lib="dom" />
import type { LearnerSummary } from '../../classroom/status.js';
import { h, setText } from './dom.js';
import type { T } from './lang.js';

// One tile per learner, kept and updated in place: name, where they are, a progress bar, the
// status and the failing check's reason. Sorted so that who needs the instructor comes first.

export interface Tile {
  el: HTMLElement;
  update(l: LearnerSummary): void;
}

const minutes = (ms: number) => Math.floor(ms / 60_000);

export function statusText(t: T, l: LearnerSummary): string {
  switch (l.status) {
    case 'stuck':
      return t('status_stuck', { n: l.stuckMinutes ?? 0 });
    case 'help':
      return t('status_help');
    case 'done':
      return t('status_done');
    case 'offline':
      return t('status_offline');
    case 'joining':
      return t('status_joining');
    default:
      return t('status_working');
  }
}

export function makeTile(t: T, onOpen: (id: string) => void, onReset: (id: string) => void): Tile {
  const name = h('span', { class: 'name' });
  const badges = h('span', { class: 'badges' });
  const status = h('span', { class: 'status' });
  const where = h('div', { class: 'where' });
  const bar = h('div', { class: 'bar-fill' });
  const count = h('span', { class: 'count' });
  const reason = h('div', { class: 'reason' });
  const time = h('div', { class: 'time' });
  const reset = h('button', { class: 'reset', type: 'button' }, t('reset_sandbox'));
  const el = h(
    'article',
    { class: 'tile', tabindex: '0', role: 'button' },
    h('header', {}, name, badges, status),
    where,
    h('div', { class: 'progress' }, h('div', { class: 'bar' }, bar), count),
    reason,
    h('footer', {}, time, reset),
  );
  let id = '';
  el.addEventListener('click', (e) => {
    if (e.target !== reset) onOpen(id);
  });
  el.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') onOpen(id);
  });
  reset.addEventListener('click', () => onReset(id));
  return {
    el,
    update(l) {
      id = l.id;
      el.dataset.id = l.id;
      el.dataset.status = l.status;
      setText(name, l.name);
      setText(badges, [l.lab ? t('lab') : '', l.private ? t('private') : ''].filter(Boolean).join(' · '));
      setText(status, statusText(t, l));
      setText(
        where,
        l.lesson === null ? '' : `${t('lesson_step', { lesson: l.lesson + 1, step: (l.step ?? 0) + 1 })} — ${l.stepTitle ?? ''}`,
      );
      const pct = l.total ? Math.round((100 * l.completed) / l.total) : 0;
      bar.style.width = `${pct}%`;
      setText(count, `${l.completed}/${l.total}`);
      setText(reason, l.failing ? t('failing_reason', { reason: l.failing.reason }) : '');
      reason.hidden = !l.failing;
      const m = minutes(l.onStepMs);
      setText(time, l.status === 'done' || l.lesson === null ? '' : m > 0 ? t('on_step', { n: m }) : t('on_step_short'));
      reset.hidden = !l.lab;
    },
  };
}

const RANK: Record<string, number> = { help: 0, stuck: 1, working: 2, joining: 3, offline: 4, done: 5 };

/** Who needs the instructor first, then the furthest behind. */
export function tileOrder(a: LearnerSummary, b: LearnerSummary): number {
  return (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9) || a.completed - b.completed || a.name.localeCompare(b.name);
}
