/* eslint-disable react-hooks/refs, react-hooks/immutability -- this hook is replaced by the engine controller (issue 11) */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Key } from 'ink';
import { describeCheck } from '../checks/describe.js';
import { describeError } from '../engine/errors.js';
import type { FastForwardProgress, Session } from '../engine/session.js';
import { fraction } from '../course/progress.js';
import { lessonTitle } from '../course/texts.js';
import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { SandboxError, type BootPhase, type RunResult } from '../sandbox/types.js';
import { BASE_WORDS, complete, wordsFromMarkdown } from './complete.js';
import { keysFor, matchKey, type Action, type Mode } from './keymap.js';
import { editLine, emptyLine, type Edit, type LineState } from './lineEditor.js';
import type { Tone } from './lines.js';
import type { Busy, CheckLine, Header } from './live.js';
import type { LogEntry, NewEntry } from './log.js';
import { menuItems } from './menu.js';
import { topologyNames, type Topology } from '../kernel/topology.js';
import { useTopology } from './useTopology.js';
import { capOutput, sanitizeOutput } from './text.js';

// UI state around a Session: what is on screen, what is running, what the keys do. No course
// logic lives here: every decision about steps, checks and hints is the Session's.

export interface SessionHookOptions {
  /** Made without a sandbox: the hook starts it, showing the step meanwhile. */
  session: Session;
  lang: Lang;
  mapOn: boolean;
  onSettings?: (s: { lang?: Lang; map?: boolean }) => void;
  /** the app is done: unmount with this exit code */
  onExit: (code: number) => void;
}

export interface Failure {
  message: string;
  fix?: string;
  log?: string;
  code: number;
}

interface UiState {
  stage: 'boot' | 'ready' | 'failed' | 'exiting';
  failure: Failure | null;
  log: LogEntry[];
  busy: Busy | null;
  line: LineState;
  notice: { text: string; tone?: Tone } | null;
  /** a key that must be pressed again to confirm (skip, restart, quit) */
  confirm: { action: 'skip' | 'restart' | 'quit'; until: number } | null;
  mode: Mode;
  menuSel: number;
  menuMsg: string | null;
  helpScroll: number;
  lang: Lang;
  mapOn: boolean;
  courseDone: boolean;
  runtimeError: string | null;
  /** bumped whenever the session changed (re-derive header, checks; re-read the topology) */
  version: number;
}

const CONFIRM_MS = 3000;
const LOG_KEEP = 200;
const STREAM_THROTTLE_MS = 50;

export interface SessionView {
  state: UiState;
  session: Session | null;
  header: Header | null;
  checks: CheckLine[];
  passed: boolean;
  stepKind: 'task' | 'reading' | 'quiz';
  blocker: string | null;
  topology: Topology | null;
  onKey: (input: string, key: Key) => void;
}

function entryFromRun(command: string, output: string, run: RunResult | undefined, byTutor = false): NewEntry {
  const raw = output || (run ? run.stdout + run.stderr : '');
  const { text, dropped } = capOutput(sanitizeOutput(raw));
  return {
    kind: 'command',
    command,
    output: text,
    dropped,
    exitCode: run?.exitCode ?? 0,
    interrupted: run?.interrupted ?? false,
    timedOut: run?.timedOut ?? false,
    byTutor,
  };
}

function hintEntry(h: NonNullable<ReturnType<Session['nextHint']>>, lang: Lang): NewEntry {
  const { hint } = h;
  if (hint.level === 3) return { kind: 'solution', commands: [...hint.commands] };
  const text = hint.text ?? (hint.level === 2 && hint.check ? describeCheck(hint.check, lang) : '');
  return { kind: 'hint', text, n: h.n, total: h.total };
}

/** The log entry that prints a step's title and text. */
function stepEntryOf(s: Session, lang: Lang): NewEntry {
  const v = s.current;
  return {
    kind: 'step',
    lessonNo: v.pos.lesson + 1,
    lessonTitle: lessonTitle(v.lesson, lang),
    stepTitle: s.text.title,
    body: s.text.body,
    stepNo: v.pos.step + 1,
    stepCount: v.lesson.def.steps.length,
  };
}

export function useSession(opts: SessionHookOptions): SessionView {
  // The step is in the very first frame, while the sandbox starts: the learner reads, not waits.
  const [state, setState] = useState<UiState>(() => {
    opts.session.lang = opts.lang;
    return {
      stage: 'boot',
      failure: null,
      log: [{ ...stepEntryOf(opts.session, opts.lang), id: 0 } as LogEntry],
      busy: { kind: 'boot' },
      line: emptyLine(),
      notice: null,
      confirm: null,
      mode: 'prompt',
      menuSel: 0,
      menuMsg: null,
      helpScroll: 0,
      lang: opts.lang,
      mapOn: opts.mapOn,
      courseDone: false,
      runtimeError: null,
      version: 0,
    };
  });
  // The latest state, for async flows that outlive a render.
  const ref = useRef(state);
  const update = useCallback((fn: (s: UiState) => UiState) => {
    ref.current = fn(ref.current);
    setState(ref.current);
  }, []);
  const sessionRef = useRef<Session | null>(opts.session);
  const abortRef = useRef<AbortController | null>(null);
  const queueRef = useRef<string[]>([]);
  const nextId = useRef(1);
  const lastCtrlC = useRef(0);
  const optsRef = useRef(opts);
  optsRef.current = opts;

  // ---- helpers ----
  const append = useCallback(
    (...entries: NewEntry[]) =>
      update((s) => {
        let log = [...s.log, ...entries.map((e) => ({ ...e, id: nextId.current++ }) as LogEntry)];
        // Printed entries are never drawn again: drop the content of old ones, keep the array length
        // (ink's <Static> tracks what it printed by index).
        if (log.length > LOG_KEEP * 2)
          log = log.map((e, i) => (i < log.length - LOG_KEEP && e.kind !== 'gone' ? { id: e.id, kind: 'gone' } : e));
        return { ...s, log };
      }),
    [update],
  );
  const bump = useCallback(() => update((s) => ({ ...s, version: s.version + 1 })), [update]);
  const setBusy = useCallback((busy: Busy | null) => update((s) => ({ ...s, busy })), [update]);
  const notify = useCallback((text: string, tone?: Tone) => update((s) => ({ ...s, notice: { text, tone } })), [update]);

  const stepEntry = useCallback((): NewEntry | null => {
    const s = sessionRef.current;
    return s ? stepEntryOf(s, ref.current.lang) : null;
  }, []);
  const showStep = useCallback(() => {
    const e = stepEntry();
    if (e) append(e);
    update((s) => ({ ...s, courseDone: false, runtimeError: null }));
  }, [append, stepEntry, update]);

  const onFF = useCallback(
    (p: FastForwardProgress) => update((s) => ({ ...s, busy: { kind: 'ff', done: p.done, total: p.total, command: p.command } })),
    [update],
  );

  /** Run an async session action with the busy indicator; a broken sandbox becomes a visible error, not a crash. */
  const act = useCallback(
    async (busy: Busy, fn: (signal: AbortSignal) => Promise<void>) => {
      const ac = new AbortController();
      abortRef.current = ac;
      setBusy(busy);
      try {
        await fn(ac.signal);
      } catch (e) {
        const { text } = describeError(e);
        const msg = e instanceof SandboxError ? e.message : text;
        append({ kind: 'note', text: tu(ref.current.lang, 'ui_error_runtime', { message: msg }), tone: 'bad' });
        if (e instanceof SandboxError && e.fix) append({ kind: 'note', text: e.fix, tone: 'warn' });
        update((s) => ({ ...s, runtimeError: msg }));
      } finally {
        abortRef.current = null;
        setBusy(null);
        bump();
      }
    },
    [append, bump, setBusy, update],
  );

  // ---- boot ----
  useEffect(() => {
    let cancelled = false;
    const onPhase = (p: BootPhase) =>
      update((s) => (s.busy && (s.busy.kind === 'boot' || s.busy.kind === 'ff') ? { ...s, busy: { ...s.busy, phase: p.phase } } : s));
    (async () => {
      const session = optsRef.current.session;
      try {
        session.onBootPhase = onPhase;
        const shown = session.current.key;
        const ac = new AbortController();
        abortRef.current = ac;
        await session.start(onFF, ac.signal);
        abortRef.current = null;
        if (cancelled) return;
        update((s) => ({ ...s, stage: 'ready', busy: null }));
        // A fast-forward stopped early lands on an earlier step.
        if (session.current.key !== shown) showStep();
        bump();
      } catch (e) {
        abortRef.current = null;
        await session.close().catch(() => {});
        sessionRef.current = null;
        const failure: Failure =
          e instanceof SandboxError
            ? { message: e.message, fix: e.fix, log: e.log, code: 3 }
            : { message: describeError(e).text, code: describeError(e).code };
        update((s) => ({ ...s, stage: 'failed', failure, busy: null }));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [bump, onFF, showStep, update]);

  // A failed boot: leave the message on screen, then exit with its code.
  useEffect(() => {
    if (state.stage !== 'failed' || !state.failure) return;
    const code = state.failure.code;
    const t = setTimeout(() => optsRef.current.onExit(code), 50);
    return () => clearTimeout(t);
  }, [state.stage, state.failure]);

  // ---- actions ----
  const quit = useCallback(async () => {
    if (ref.current.stage === 'exiting') return;
    abortRef.current?.abort();
    queueRef.current = [];
    update((s) => ({ ...s, stage: 'exiting', busy: null, notice: null }));
    append({ kind: 'note', text: tu(ref.current.lang, 'ui_goodbye'), tone: 'dim' });
    await sessionRef.current?.close().catch(() => {});
    optsRef.current.onExit(0);
  }, [append, update]);

  const goNext = useCallback(async () => {
    const s = sessionRef.current!;
    await act({ kind: 'work' }, async () => {
      const more = await s.next();
      if (more) showStep();
      else {
        update((st) => ({ ...st, courseDone: true }));
        append({ kind: 'note', text: tu(ref.current.lang, 'ui_course_done', { key: keysFor('menu') }), tone: 'ok' });
      }
    });
  }, [act, append, showStep, update]);

  const runText = useCallback(
    async (text: string): Promise<void> => {
      const s = sessionRef.current!;
      const lang = () => ref.current.lang;
      let out = '';
      let last = 0;
      let timer: NodeJS.Timeout | null = null;
      const flushLive = () => {
        timer = null;
        last = Date.now();
        const { text: shown } = capOutput(sanitizeOutput(out), { maxChars: 8000, maxLines: 50 });
        update((st) => (st.busy?.kind === 'run' ? { ...st, busy: { ...st.busy, output: shown } } : st));
      };
      await act({ kind: 'run', command: text, output: '' }, async (signal) => {
        const outcome = await s.submit(text, {
          signal,
          onOutput: (chunk) => {
            out += chunk;
            if (out.length > 512_000) out = out.slice(-256_000);
            if (Date.now() - last >= STREAM_THROTTLE_MS) flushLive();
            else timer ??= setTimeout(flushLive, STREAM_THROTTLE_MS);
          },
        });
        if (timer) clearTimeout(timer);
        if (outcome.kind === 'answer') {
          const ok = outcome.checks.find((c) => c.check.type === 'answer')?.ok ?? false;
          append({ kind: 'answer', answer: text.trim(), ok });
          if (!ok) {
            const h = s.nextHint();
            if (h) append(hintEntry(h, lang()));
          }
        } else if (outcome.kind === 'builtin') {
          append(entryFromRun(text, outcome.output ?? '', undefined));
        } else {
          append(entryFromRun(text, out, outcome.run));
        }
        if (outcome.completed)
          append({ kind: 'note', text: `✓ ${tu(lang(), 'ui_step_complete_log', { title: s.text.title })}`, tone: 'ok', gap: true });
      });
    },
    [act, append, update],
  );

  const submit = useCallback(async () => {
    const st = ref.current;
    const s = sessionRef.current;
    if (!s || st.stage !== 'ready') return;
    if (st.busy) {
      notify(tu(st.lang, 'ui_busy', { key: 'Ctrl-C' }), 'warn');
      return;
    }
    const text = st.line.text;
    if (!text.trim()) {
      update((x) => ({ ...x, line: editLine(x.line, { type: 'clear' }) }));
      if (st.courseDone) return;
      if (s.current.isReading || s.stepPassed) await goNext();
      return;
    }
    update((x) => ({ ...x, line: editLine(x.line, { type: 'commit' }) }));
    await runText(text);
    // lines pasted together run one after another
    const nextLine = queueRef.current.shift();
    if (nextLine !== undefined && ref.current.stage === 'ready') {
      update((x) => ({ ...x, line: editLine(x.line, { type: 'set', text: nextLine }) }));
      await submitRef.current();
    }
  }, [goNext, notify, runText, update]);
  const submitRef = useRef(submit);
  submitRef.current = submit;

  const hint = useCallback(() => {
    const s = sessionRef.current!;
    const lang = ref.current.lang;
    if (s.current.isReading) return notify(tu(lang, 'ui_nothing_to_solve'), 'dim');
    const h = s.nextHint();
    if (h) append(hintEntry(h, lang));
    else append({ kind: 'note', text: tu(lang, 'ui_no_hints', { key: keysFor('solve') }), tone: 'dim' });
    bump();
  }, [append, bump, notify]);

  const solve = useCallback(async () => {
    const s = sessionRef.current!;
    const lang = ref.current.lang;
    if (s.current.isReading) return notify(tu(lang, 'ui_nothing_to_solve'), 'dim');
    if (s.stepPassed) return notify(tu(lang, 'ui_already_done'), 'ok');
    let cmd: string | null = null;
    let out = '';
    const flush = (run?: RunResult) => {
      if (cmd !== null) append(entryFromRun(cmd, out, run, true));
      cmd = null;
      out = '';
    };
    await act({ kind: 'solve', command: '', output: '' }, async (signal) => {
      const outcome = await s.solve(
        (c) => {
          flush();
          cmd = c;
          update((st) => ({ ...st, busy: { kind: 'solve', command: c, output: '' } }));
        },
        {
          signal,
          onOutput: (chunk) => {
            out += chunk;
            const shown = capOutput(sanitizeOutput(out), { maxChars: 8000, maxLines: 50 }).text;
            update((st) => (st.busy?.kind === 'solve' ? { ...st, busy: { ...st.busy, output: shown } } : st));
          },
        },
      );
      flush(outcome.run);
      // a quiz solved for the learner: show the answer that was given
      const quiz = s.current.step.checks.find((c) => c.type === 'answer');
      if (quiz && quiz.type === 'answer' && quiz.accept) append({ kind: 'answer', answer: quiz.accept[0]!, ok: s.stepPassed });
      if (s.stepPassed)
        append({ kind: 'note', text: `✓ ${tu(lang, 'ui_step_complete_log', { title: s.text.title })}`, tone: 'ok', gap: true });
    });
  }, [act, append, notify, update]);

  const skip = useCallback(async () => {
    const s = sessionRef.current!;
    const title = s.text.title;
    await act({ kind: 'work' }, async () => {
      const more = await s.skip((c) => update((st) => ({ ...st, busy: { kind: 'solve', command: c, output: '' } })));
      append({ kind: 'note', text: tu(ref.current.lang, 'ui_skipped', { title }), tone: 'warn', gap: true });
      if (more) showStep();
      else {
        update((st) => ({ ...st, courseDone: true }));
        append({ kind: 'note', text: tu(ref.current.lang, 'ui_course_done', { key: keysFor('menu') }), tone: 'ok' });
      }
    });
  }, [act, append, showStep, update]);

  const rebuild = useCallback(
    async (how: 'restart' | 'jump', pos?: { lesson: number; step: number }) => {
      const s = sessionRef.current!;
      let aborted = false;
      await act({ kind: 'ff', done: 0, total: 0, command: '' }, async (signal) => {
        signal.addEventListener('abort', () => (aborted = true), { once: true });
        if (how === 'restart') await s.restartStep(onFF, signal);
        else await s.jump(pos!, onFF, signal);
        const lang = ref.current.lang;
        if (aborted) append({ kind: 'note', text: tu(lang, 'ui_ff_stopped', { step: s.text.title }), tone: 'warn' });
        else if (how === 'restart') append({ kind: 'note', text: tu(lang, 'ui_restarted', { title: s.text.title }), tone: 'warn' });
        showStep();
      });
    },
    [act, append, onFF, showStep],
  );

  const switchLang = useCallback(() => {
    const s = sessionRef.current!;
    const lang: Lang = ref.current.lang === 'en' ? 'zh' : 'en';
    s.lang = lang;
    update((st) => ({ ...st, lang }));
    optsRef.current.onSettings?.({ lang });
    append({ kind: 'note', text: tu(lang, 'ui_lang_switched'), tone: 'dim' });
    showStep();
    bump();
  }, [append, bump, showStep, update]);

  const toggleMap = useCallback(() => {
    const mapOn = !ref.current.mapOn;
    update((st) => ({ ...st, mapOn }));
    optsRef.current.onSettings?.({ map: mapOn });
    bump();
  }, [bump, update]);

  // The map and Tab completion read what exists in the sandbox, re-read after every change.
  const topology = useTopology(state.stage === 'ready' ? (sessionRef.current?.box ?? null) : null, state.version);
  const topoRef = useRef(topology);
  topoRef.current = topology;
  const completionWords = useCallback(() => {
    const s = sessionRef.current;
    return [...BASE_WORDS, ...topologyNames(topoRef.current), ...(s ? wordsFromMarkdown(s.text.body) : [])];
  }, []);

  /** Confirm-by-pressing-again for actions that change the sandbox. */
  const confirmed = (action: 'skip' | 'restart' | 'quit', message: string): boolean => {
    const c = ref.current.confirm;
    if (c && c.action === action && Date.now() < c.until) {
      update((st) => ({ ...st, confirm: null, notice: null }));
      return true;
    }
    update((st) => ({ ...st, confirm: { action, until: Date.now() + CONFIRM_MS }, notice: { text: message, tone: 'warn' } }));
    return false;
  };

  // ---- keys ----
  const onKey = useCallback(
    (input: string, key: Key) => {
      const st = ref.current;
      if (st.stage === 'failed' || st.stage === 'exiting') return;
      const s = sessionRef.current;
      const lang = st.lang;
      const action = matchKey(st.mode, input, key, st.line.text.length === 0);

      // Ctrl-C stops what is running (command, solution, fast-forward); never the app.
      if (st.stage === 'boot') {
        if (action === 'interrupt') abortRef.current?.abort();
        if (action === 'quit') void quit();
        return;
      }
      if (!s) return;

      // A tall overlay scrolled the step's text off the screen: closing it prints the step again.
      const closeOverlay = () => {
        update((x) => ({ ...x, mode: 'prompt', menuMsg: null }));
        const e = stepEntry();
        if (e) append(e);
      };
      if (st.mode === 'help') {
        if (action === 'menuClose') closeOverlay();
        if (action === 'menuUp') update((x) => ({ ...x, helpScroll: Math.max(0, x.helpScroll - 1) }));
        if (action === 'menuDown') update((x) => ({ ...x, helpScroll: x.helpScroll + 1 }));
        if (action === 'quit') void quit();
        return;
      }
      if (st.mode === 'menu') {
        const items = menuItems(s.states());
        const move = (d: number) =>
          update((x) => ({ ...x, menuMsg: null, menuSel: Math.max(0, Math.min(items.length - 1, x.menuSel + d)) }));
        switch (action) {
          case 'menuUp':
            return move(-1);
          case 'menuDown':
            return move(1);
          case 'menuPageUp':
            return move(-10);
          case 'menuPageDown':
            return move(10);
          case 'menuClose':
            return closeOverlay();
          case 'quit':
            return void quit();
          case 'menuEnter': {
            const item = items[st.menuSel];
            if (!item) return;
            if (item.state === 'current') return closeOverlay();
            if (!s.canJump(item.pos)) return update((x) => ({ ...x, menuMsg: tu(lang, 'ui_menu_locked') }));
            update((x) => ({ ...x, mode: 'prompt', menuMsg: null }));
            void rebuild('jump', item.pos);
            return;
          }
          default:
            return;
        }
      }

      // ---- prompt mode ----
      if (action !== 'interrupt') lastCtrlC.current = 0;
      const keepNotice = action === 'skip' || action === 'restart' || action === 'interrupt';
      if (!keepNotice && st.notice) update((x) => ({ ...x, notice: null, confirm: null }));

      if (st.busy) {
        // While something runs only Ctrl-C, quit and typing ahead work.
        if (action === 'interrupt') {
          queueRef.current = [];
          abortRef.current?.abort();
          return;
        }
        if (action === 'quit') return void quit();
        if (action === null && input && !key.ctrl && !key.meta)
          update((x) => ({ ...x, line: editLine(x.line, { type: 'insert', text: input }) }));
        else if (action && isEdit(action)) update((x) => ({ ...x, line: editLine(x.line, { type: action }) }));
        else if (action) notify(tu(lang, 'ui_busy', { key: 'Ctrl-C' }), 'warn');
        return;
      }

      switch (action) {
        case 'submit':
          return void submit();
        case 'interrupt': {
          if (st.line.text) {
            lastCtrlC.current = 0;
            return update((x) => ({ ...x, line: editLine(x.line, { type: 'clear' }), notice: null }));
          }
          if (Date.now() - lastCtrlC.current < CONFIRM_MS) return void quit();
          lastCtrlC.current = Date.now();
          return notify(tu(lang, 'ui_confirm_quit'), 'warn');
        }
        case 'quit':
          return void quit();
        case 'hint':
          return hint();
        case 'solve':
          return void solve();
        case 'skip':
          if (confirmed('skip', tu(lang, 'ui_confirm_skip', { key: keysFor('skip') }))) void skip();
          return;
        case 'restart':
          if (confirmed('restart', tu(lang, 'ui_confirm_restart', { key: keysFor('restart') }))) void rebuild('restart');
          return;
        case 'menu': {
          const items = menuItems(s.states());
          const sel = Math.max(
            0,
            items.findIndex((i) => i.state === 'current'),
          );
          return update((x) => ({ ...x, mode: 'menu', menuSel: sel, menuMsg: null }));
        }
        case 'help':
          return update((x) => ({ ...x, mode: 'help', helpScroll: 0 }));
        case 'map':
          return toggleMap();
        case 'lang':
          return switchLang();
        case 'complete': {
          const c = complete(st.line.text, st.line.cursor, completionWords());
          update((x) => ({ ...x, line: editLine(x.line, { type: 'set', text: c.text, cursor: c.cursor }) }));
          if (c.candidates.length > 1) notify(tu(lang, 'ui_completions', { list: c.candidates.join('  ') }), 'dim');
          return;
        }
        case null:
          break;
        default:
          if (isEdit(action)) update((x) => ({ ...x, line: editLine(x.line, { type: action }) }));
          return;
      }
      // plain text (typed or pasted); pasted lines run one after another
      if (!input || key.ctrl || key.meta) return;
      const parts = input.replace(/\r\n?/g, '\n').split('\n');
      if (parts.length === 1) return update((x) => ({ ...x, line: editLine(x.line, { type: 'insert', text: input }) }));
      const [first, ...rest] = parts;
      const complete_ = rest.pop() ?? '';
      queueRef.current.push(...rest.filter((r) => r.trim()));
      update((x) => ({ ...x, line: editLine(x.line, { type: 'insert', text: first ?? '' }) }));
      void submitRef.current().then(() => {
        if (complete_) update((x) => ({ ...x, line: editLine(x.line, { type: 'insert', text: complete_ }) }));
      });
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [quit, submit, hint, solve, skip, rebuild, toggleMap, switchLang, notify, update, completionWords, stepEntry, append],
  );

  // ---- derived view ----
  const s = sessionRef.current;
  let header: Header | null = null;
  let checks: CheckLine[] = [];
  let passed = false;
  let stepKind: SessionView['stepKind'] = 'task';
  let blocker: string | null = null;
  if (s && (state.stage === 'ready' || state.stage === 'boot')) {
    const v = s.current;
    const f = fraction(s.course, s.progressState);
    header = {
      lessonNo: v.pos.lesson + 1,
      lessonCount: s.course.lessons.length,
      lessonTitle: lessonTitle(v.lesson, state.lang),
      stepTitle: s.text.title,
      stepNo: v.pos.step + 1,
      stepCount: v.lesson.def.steps.length,
      finished: f.finished,
      total: f.total,
    };
    checks = s.checks.map((r) => ({ ok: r.ok, text: describeCheck(r, state.lang), pending: r.key === 'answer_waiting' }));
    passed = s.stepPassed && !v.isReading;
    stepKind = v.isReading ? 'reading' : v.isQuiz ? 'quiz' : 'task';
    const missing = s.unavailable();
    if (missing)
      blocker = `${tu(state.lang, 'step_needs_feature', { feature: missing, backend: s.box?.info.backend ?? '' })} ${tu(state.lang, 'ui_unavailable_skip', { key: keysFor('skip') })}`;
    else if (state.runtimeError) blocker = tu(state.lang, 'ui_error_runtime_fix', { key: keysFor('restart') });
  }
  return {
    state,
    session: s,
    header,
    checks,
    passed,
    stepKind,
    blocker,
    topology,
    onKey,
  };
}

const EDITS = new Set<Action>([
  'left',
  'right',
  'home',
  'end',
  'backspace',
  'deleteChar',
  'deleteWord',
  'killLine',
  'killEnd',
  'historyPrev',
  'historyNext',
]);
function isEdit(a: Action): a is Edit['type'] & Action {
  return EDITS.has(a);
}
