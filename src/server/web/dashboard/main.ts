/// <reference lib="dom" />
import type { ClassSnapshot, LearnerDetail } from '../../classroom/hub.js';
import type { LearnerSummary } from '../../classroom/status.js';
import { exportUrl, instructorKey, post, socketUrl } from './api.js';
import { fill, h, setText } from './dom.js';
import { pageLang, translatorFor } from './lang.js';
import { renderSidebar } from './sidebar.js';
import { makeTile, tileOrder, type Tile } from './tiles.js';
import { openDetail, type DetailView } from './detail.js';

// The instructor's dashboard: one WebSocket brings the class (whole on connect, then changed
// tiles), the buttons call the JSON API. It never builds markup from data (dom.ts).

type Update = Pick<ClassSnapshot, 'glance' | 'hands' | 'gate' | 'now'> & { learners: LearnerSummary[] };
type Incoming = { t: 'class'; class: ClassSnapshot } | ({ t: 'update' } & Update) | { t: 'detail'; detail: LearnerDetail | null };

const lang = pageLang();
const t = translatorFor(lang);
document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
const key = instructorKey();
const app = document.getElementById('app')!;

const titleEl = h('h1', {});
const joinEl = h('code', { class: 'join-url' });
const counts = h('div', { class: 'counts' });
const gateSelect = h('select', { id: 'gate', 'aria-label': t('gate_label') });
const message = h('input', { id: 'broadcast', type: 'text', maxlength: '500', placeholder: t('broadcast_placeholder') });
const sent = h('span', { class: 'sent' });
const banner = h('div', { class: 'banner', hidden: true }, t('disconnected'));
const tilesEl = h('section', { class: 'tiles', 'aria-live': 'polite' });
const sideEl = h('aside', { class: 'side' });
const csv = h('a', { class: 'button', id: 'export-csv' }, t('export_csv'));
const json = h('a', { class: 'button', id: 'export-json' }, t('export_json'));

let state: ClassSnapshot | null = null;
const learners = new Map<string, LearnerSummary>();
const tiles = new Map<string, Tile>();
let detail: DetailView | null = null;
let socket: WebSocket | null = null;

function layout(): void {
  const broadcastForm = h(
    'form',
    {
      class: 'broadcast',
      onsubmit: (e) => {
        e.preventDefault();
        const text = message.value.trim();
        if (!text || !key) return;
        void post(key, '/api/broadcast', { text }).then(async (r) => {
          if (!r.ok) return;
          const b = (await r.json()) as { sentTo: number };
          message.value = '';
          setText(sent, t('broadcast_sent', { n: b.sentTo }));
        });
      },
    },
    message,
    h('button', { type: 'submit' }, t('broadcast_send')),
    sent,
  );
  gateSelect.addEventListener('change', () => {
    if (key) void post(key, '/api/gate', { lessonId: gateSelect.value || null });
  });
  fill(
    app,
    banner,
    h(
      'header',
      { class: 'top' },
      h('div', { class: 'title' }, titleEl, h('div', { class: 'join' }, h('span', {}, t('join_label')), joinEl)),
      counts,
    ),
    h(
      'nav',
      { class: 'controls' },
      h('label', {}, h('span', {}, t('gate_label')), gateSelect),
      broadcastForm,
      h('span', { class: 'export' }, h('span', {}, t('export_label')), csv, json),
    ),
    h('main', {}, tilesEl, sideEl),
  );
  if (key) {
    csv.setAttribute('href', exportUrl(key, 'csv'));
    json.setAttribute('href', exportUrl(key, 'json'));
  }
}

function renderHeader(s: ClassSnapshot): void {
  setText(titleEl, s.title);
  document.title = `${s.title} · ${t('title_suffix')}`;
  setText(joinEl, `ipip-tutor --join ${s.joinUrl}`);
  const all = [...learners.values()];
  const n = (st: string) => all.filter((l) => l.status === st).length;
  fill(
    counts,
    h('span', {}, t('learners', { n: all.length })),
    h('span', {}, t('online', { n: all.filter((l) => l.online).length })),
    h('span', { class: 'c-done' }, t('count_done', { n: n('done') })),
    h('span', { class: 'c-stuck' }, t('count_stuck', { n: n('stuck') })),
    h('span', { class: 'c-help' }, t('count_help', { n: n('help') })),
  );
  const options = [
    h('option', { value: '' }, t('gate_none')),
    ...s.lessons.map((l, i) => h('option', { value: l.id }, `${i + 1}. ${l.title}`)),
  ];
  if (gateSelect.options.length !== options.length) fill(gateSelect, ...options);
  gateSelect.value = s.gate ?? '';
}

function renderTiles(): void {
  const sorted = [...learners.values()].sort(tileOrder);
  if (sorted.length === 0) {
    fill(tilesEl, h('p', { class: 'empty' }, t('learners_empty')));
    return;
  }
  tilesEl.querySelector('.empty')?.remove();
  sorted.forEach((l, i) => {
    let tile = tiles.get(l.id);
    if (!tile) {
      tile = makeTile(
        t,
        (id) => openLearner(id),
        (id) => resetSandbox(id),
      );
      tiles.set(l.id, tile);
    }
    tile.update(l);
    if (tilesEl.children[i] !== tile.el) tilesEl.insertBefore(tile.el, tilesEl.children[i] ?? null);
  });
}

function render(): void {
  if (!state) return;
  renderHeader(state);
  renderTiles();
  renderSidebar(sideEl, t, state, key ? (id) => void post(key, `/api/hands/${id}/resolve`, {}) : () => {});
}

function openLearner(id: string): void {
  detail?.close();
  detail = openDetail(t, () => {
    detail = null;
    socket?.send(JSON.stringify({ t: 'watch', id: null }));
  });
  socket?.send(JSON.stringify({ t: 'watch', id }));
}

function resetSandbox(id: string): void {
  if (key) void post(key, `/api/lab/reset/${encodeURIComponent(id)}`, {});
}

function onMessage(m: Incoming): void {
  if (m.t === 'class') {
    state = m.class;
    learners.clear();
    for (const l of m.class.learners) learners.set(l.id, l);
    for (const [id, tile] of [...tiles]) {
      if (learners.has(id)) continue;
      tile.el.remove();
      tiles.delete(id);
    }
  } else if (m.t === 'update') {
    if (!state) return;
    for (const l of m.learners) learners.set(l.id, l);
    state = { ...state, glance: m.glance, hands: m.hands, gate: m.gate, now: m.now, learners: [...learners.values()] };
  } else {
    if (m.detail) detail?.show(m.detail);
    return;
  }
  render();
}

function connect(delay = 500): void {
  if (!key) return;
  const s = new WebSocket(socketUrl(key));
  socket = s;
  s.onopen = () => {
    banner.hidden = true;
    delay = 500;
  };
  s.onmessage = (e) => onMessage(JSON.parse(String(e.data)) as Incoming);
  s.onclose = () => {
    banner.hidden = false;
    setTimeout(() => connect(Math.min(delay * 2, 8000)), delay);
  };
}

layout();
if (!key) fill(app, h('p', { class: 'forbidden' }, t('forbidden')));
else {
  // The key stays in this tab's session, not in the address bar (someone may be watching the projector).
  history.replaceState(null, '', location.pathname + (new URL(location.href).searchParams.get('lang') ? `?lang=${lang}` : ''));
  connect();
}
