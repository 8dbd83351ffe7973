/// <reference lib="dom" />
import type { ClassSnapshot } from '../../classroom/hub.js';
import { fill, h } from './dom.js';
import type { T } from './lang.js';

// The class at a glance: the help queue (oldest first, resolved by the instructor), how many
// learners are at each step, and the checks most of them fail right now.

// Widths through the CSSOM: the page's CSP allows no inline style attributes.
function meterFill(pct: number): HTMLElement {
  const el = h('span', { class: 'meter-fill' });
  el.style.width = `${Math.round(pct)}%`;
  return el;
}

export function renderSidebar(el: HTMLElement, t: T, s: ClassSnapshot, resolve: (handId: number) => void): void {
  const hands = s.hands.length
    ? h(
        'ol',
        { class: 'hands' },
        ...s.hands.map((x) =>
          h(
            'li',
            { 'data-hand': String(x.id) },
            h('span', { class: 'who' }, x.name),
            h('span', { class: 'dim' }, t('waiting', { n: Math.floor((s.now - x.raisedAt) / 60_000) })),
            h('button', { type: 'button', class: 'resolve', onclick: () => resolve(x.id) }, t('resolve')),
          ),
        ),
      )
    : h('p', { class: 'dim' }, t('hands_empty'));
  const max = Math.max(1, ...s.glance.atStep.map((a) => a.count));
  const steps = h(
    'ul',
    { class: 'at-step' },
    ...s.glance.atStep.map((a) =>
      h(
        'li',
        {},
        h('span', { class: 'label' }, `${a.lesson + 1}.${a.step + 1} ${a.title}`),
        h('span', { class: 'meter' }, meterFill((100 * a.count) / max)),
        h('span', { class: 'n' }, String(a.count)),
      ),
    ),
  );
  const failing = s.glance.failing.length
    ? h(
        'ol',
        { class: 'failing' },
        ...s.glance.failing.map((f) =>
          h(
            'li',
            {},
            h('span', { class: 'n' }, `×${f.count}`),
            h('span', { class: 'reason' }, f.reason),
            h('span', { class: 'dim id' }, `${f.lessonId}/${f.stepId} · ${f.checkId}`),
          ),
        ),
      )
    : h('p', { class: 'dim' }, t('failing_empty'));
  fill(
    el,
    h(
      'section',
      { class: 'panel panel-hands' },
      h('h2', {}, t('hands_title'), s.hands.length ? h('span', { class: 'badge' }, String(s.hands.length)) : null),
      hands,
    ),
    h('section', { class: 'panel' }, h('h2', {}, t('at_step_title')), steps),
    h('section', { class: 'panel' }, h('h2', {}, t('failing_title')), failing),
  );
}
