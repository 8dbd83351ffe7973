/// <reference lib="dom" />
import type { LearnerDetail } from '../../classroom/hub.js';
import { fill, h, setText } from './dom.js';
import type { T } from './lang.js';
import { statusText } from './tiles.js';

// A learner opened from their tile: their mirrored screen, their kernel map and their last
// commands, kept live while open (the server pushes it). Esc or the button closes it.

export interface DetailView {
  show(d: LearnerDetail): void;
  close(): void;
}

export function openDetail(t: T, onClose: () => void): DetailView {
  const title = h('h2', {});
  const sub = h('div', { class: 'dim' });
  const screen = h('pre', { class: 'screen' });
  const map = h('pre', { class: 'map' });
  const commands = h('ol', { class: 'commands' });
  const note = h('p', { class: 'dim', hidden: true }, t('detail_private'));
  const closeBtn = h('button', { type: 'button', class: 'close' }, t('close'));
  const dialog = h(
    'div',
    { class: 'overlay', role: 'dialog', 'aria-modal': 'true' },
    h(
      'div',
      { class: 'detail' },
      h('header', {}, h('div', {}, title, sub), closeBtn),
      note,
      h(
        'div',
        { class: 'detail-body' },
        h('section', { class: 'col-screen' }, h('h3', {}, t('detail_screen')), screen),
        h(
          'div',
          { class: 'col-side' },
          h('section', {}, h('h3', {}, t('detail_map')), map),
          h('section', {}, h('h3', {}, t('detail_commands')), commands),
        ),
      ),
    ),
  );
  let atBottom = true;
  screen.addEventListener('scroll', () => {
    atBottom = screen.scrollTop + screen.clientHeight >= screen.scrollHeight - 8;
  });
  const close = () => {
    dialog.remove();
    document.removeEventListener('keydown', onKey);
    onClose();
  };
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
  closeBtn.addEventListener('click', close);
  dialog.addEventListener('click', (e) => e.target === dialog && close());
  document.addEventListener('keydown', onKey);
  document.body.append(dialog);
  return {
    show(d) {
      setText(title, d.learner.name);
      setText(
        sub,
        `${statusText(t, d.learner)} · ${d.learner.lessonTitle ?? ''} › ${d.learner.stepTitle ?? ''} · ${d.learner.completed}/${d.learner.total}`,
      );
      note.hidden = !d.learner.private;
      setText(screen, d.screen.length ? d.screen.join('\n') : t('detail_none'));
      if (atBottom) screen.scrollTop = screen.scrollHeight;
      setText(map, d.map.length ? d.map.join('\n') : t('detail_none'));
      fill(
        commands,
        ...(d.commands.length
          ? d.commands
              .slice(-12)
              .map((c) =>
                h(
                  'li',
                  { class: c.exitCode === 0 ? 'ok' : 'bad' },
                  h('code', {}, `$ ${c.command}`),
                  h('span', { class: 'dim' }, c.exitCode === null ? '' : ` → ${c.exitCode}`),
                ),
              )
          : [h('li', { class: 'dim' }, t('detail_none'))]),
      );
    },
    close,
  };
}
