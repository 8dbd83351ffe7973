/// <reference lib="dom" />
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import type { Lang } from '../../../i18n/lang.js';
import { tl, type LabMessageKey } from '../../../i18n/labMessages.js';
import type { LabServerMessage } from '../../lab/socketProtocol.js';

// The browser lab's page: a terminal (xterm.js) whose other end is this attendee's tutor on the
// server. The session token lives in localStorage (and a cookie the server reads only to decide
// whether to show "the class is full"), so a reload, a lost Wi-Fi or a laptop that slept comes
// back to the same tutor, the same step and the same sandbox.

const url = new URL(location.href);
const code = url.searchParams.get('code') ?? '';
const TOKEN_KEY = `ipip-lab-token:${code}`;
const NAME_KEY = 'ipip-lab-name';
const LANG_KEY = 'ipip-lab-lang';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let lang: Lang = ((): Lang => {
  const q = url.searchParams.get('lang') ?? localStorage.getItem(LANG_KEY);
  if (q === 'zh' || q === 'en') return q;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
})();
const t = (k: LabMessageKey, p?: Record<string, string | number>) => tl(lang, k, p);

function texts(): void {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('page_title', { title: 'ipip-tutor' });
  $('title').textContent = 'ipip-tutor';
  $('intro').textContent = t('intro');
  $('name-label').textContent = t('name_label');
  $('lang-label').textContent = t('lang_label');
  $('go').textContent = t('start');
  $('again').textContent = t('restart');
}

const term = new Terminal({
  cursorBlink: true,
  fontFamily: 'ui-monospace, "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace',
  fontSize: 15,
  scrollback: 2000,
  theme: { background: '#1e1e1e' },
});
const fit = new FitAddon();
term.loadAddon(fit);

let socket: WebSocket | null = null;
let ended = false;
let backoff = 500;

function banner(text: string | null): void {
  const b = $('banner');
  b.hidden = text === null;
  b.textContent = text ?? '';
}

function send(m: object): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(m));
}

// Keys typed while the connection is down (Wi-Fi, a server restart) wait, as a terminal's type-ahead
// does, and go once the session is back; a few lines' worth at most.
const TYPE_AHEAD = 4096;
let attached = false;
let typedAhead = '';
function sendKeys(d: string): void {
  if (!attached || socket?.readyState !== WebSocket.OPEN) {
    typedAhead = (typedAhead + d).slice(0, TYPE_AHEAD);
    return;
  }
  for (let i = 0; i < d.length; i += 4096) send({ t: 'in', d: d.slice(i, i + 4096) });
}

function size(): { cols: number; rows: number } {
  fit.fit();
  return { cols: Math.max(20, Math.min(400, term.cols)), rows: Math.max(5, Math.min(200, term.rows)) };
}

let seq = 0;
/** The header says where the attendee is; its data attributes say it to scripts (tests) too. */
function where(m: Extract<LabServerMessage, { t: 'where' }>): void {
  const w = $('where');
  w.textContent = t('where', { lesson: m.lesson + 1, step: m.step + 1 });
  Object.assign(w.dataset, { step: m.stepId, kind: m.kind, reading: String(m.reading), quiz: String(m.quiz), seq: String(++seq) });
  if (m.passed !== undefined) w.dataset.passed = String(m.passed);
  else delete w.dataset.passed;
}

function onMessage(m: LabServerMessage): void {
  switch (m.t) {
    case 'session': {
      localStorage.setItem(TOKEN_KEY, m.token);
      document.cookie = `ipip_lab=${m.token}; path=/lab; SameSite=Strict; max-age=${7 * 86400}`;
      backoff = 500;
      banner(null);
      attached = true;
      const keys = typedAhead;
      typedAhead = '';
      if (keys) sendKeys(keys);
      $('title').textContent = `ipip-tutor · ${m.name}`;
      return;
    }
    case 'screen':
      term.reset();
      term.write(m.d);
      return;
    case 'out':
      term.write(m.d);
      return;
    case 'where':
      where(m);
      return;
    case 'idle':
      banner(t('idle_warning', { min: Math.max(1, Math.round(m.reapInMs / 60_000)) }));
      return;
    case 'full':
      ended = true;
      showEnded(t('full_text', { max: m.max, join: `${location.origin}/join/${code}` }));
      return;
    case 'ended':
      ended = true;
      showEnded(t(`ended_${m.reason}` as LabMessageKey));
      return;
    case 'pong':
      return;
  }
}

function showEnded(text: string): void {
  $('ended-text').textContent = text;
  $('ended').hidden = false;
  $('terminal').hidden = true;
}

function connect(name: string): void {
  ended = false;
  $('start').hidden = true;
  $('ended').hidden = true;
  $('terminal').hidden = false;
  if (!term.element) term.open($('terminal'));
  const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const s = new WebSocket(`${proto}//${location.host}/ws/lab/${encodeURIComponent(code)}`);
  socket = s;
  s.onopen = () => {
    s.send(JSON.stringify({ t: 'hello', token: localStorage.getItem(TOKEN_KEY), name, lang, ...size() }));
    term.focus();
  };
  s.onmessage = (e) => {
    try {
      onMessage(JSON.parse(String(e.data)) as LabServerMessage);
    } catch {
      // a frame this page does not understand: ignore it
    }
  };
  s.onclose = () => {
    if (socket !== s) return;
    socket = null;
    attached = false;
    if (ended) return;
    // Wi-Fi lost, laptop asleep, server restarting: the tutor keeps the session; come back to it.
    banner(t('reconnecting'));
    setTimeout(() => connect(name), backoff);
    backoff = Math.min(backoff * 2, 10_000);
  };
}

term.onData(sendKeys);
window.addEventListener('resize', () => {
  if (!term.element || $('terminal').hidden) return;
  send({ t: 'resize', ...size() });
});
$('again').addEventListener('click', () => connect(localStorage.getItem(NAME_KEY) ?? 'attendee'));
$('lang').addEventListener('change', () => {
  lang = ($('lang') as HTMLSelectElement).value === 'zh' ? 'zh' : 'en';
  localStorage.setItem(LANG_KEY, lang);
  texts();
});
$('start').addEventListener('submit', (e) => {
  e.preventDefault();
  const name = ($('name') as HTMLInputElement).value.trim();
  if (!name) return;
  localStorage.setItem(NAME_KEY, name);
  connect(name);
});

texts();
($('lang') as HTMLSelectElement).value = lang;
const savedName = localStorage.getItem(NAME_KEY);
if (localStorage.getItem(TOKEN_KEY) && savedName) {
  banner(t('resuming'));
  connect(savedName);
} else {
  if (savedName) ($('name') as HTMLInputElement).value = savedName;
  $('start').hidden = false;
  $('terminal').hidden = true;
}
