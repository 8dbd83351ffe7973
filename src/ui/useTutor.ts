import type { Key } from 'ink';
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { fraction } from '../course/progress.js';
import { lessonTitle } from '../course/texts.js';
import type { Controller } from '../engine/controller.js';
import type { EngineView } from '../engine/view.js';
import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { topologyNames, type Topology } from '../kernel/topology.js';
import { BASE_WORDS, complete, wordsFromMarkdown } from './complete.js';
import { splitKeys } from './keyChunks.js';
import { keysFor, matchKey, type Action, type Mode } from './keymap.js';
import { editLine, emptyLine, type Edit, type LineState } from './lineEditor.js';
import type { Tone } from './lines.js';
import type { Header } from './live.js';
import { menuItems } from './menu.js';
import { PrintedLog, type PrintedItem } from './printedLog.js';
import { useTopology } from './useTopology.js';

// The REPL around the engine: it subscribes to the controller's view and maps keys to its
// actions through the keymap. What is left here is only the screen's own state: the line
// being edited, which overlay is open, confirmations. No course rule lives here.
export interface TutorHookOptions {
  controller: Controller;
  mapOn: boolean;
  onSettings?: (s: { lang?: Lang; map?: boolean }) => void;
  /** the tutor reports to a classroom (--join): the hand key asks the instructor for help */
  inClass?: boolean;
  /** the app is done: unmount with this exit code */
  onExit: (code: number) => void;
}

interface ScreenState {
  line: LineState;
  mode: Mode;
  menuSel: number;
  menuMsg: string | null;
  helpScroll: number;
  notice: { text: string; tone?: Tone } | null;
  /** a key that must be pressed again to confirm (skip, restart) */
  confirm: { action: 'skip' | 'restart'; until: number } | null;
  mapOn: boolean;
  exiting: boolean;
}

type ScreenAction =
  | { type: 'edit'; edit: Edit }
  | { type: 'mode'; mode: Mode; menuSel?: number }
  | { type: 'menuSel'; delta: number; count: number }
  | { type: 'menuMsg'; text: string | null }
  | { type: 'helpScroll'; delta: number }
  | { type: 'notice'; notice: ScreenState['notice'] }
  | { type: 'confirm'; confirm: ScreenState['confirm']; notice: ScreenState['notice'] }
  | { type: 'map'; on: boolean }
  | { type: 'exiting' };

function screenReducer(s: ScreenState, a: ScreenAction): ScreenState {
  switch (a.type) {
    case 'edit':
      return { ...s, line: editLine(s.line, a.edit) };
    case 'mode':
      return { ...s, mode: a.mode, menuMsg: null, ...(a.menuSel !== undefined ? { menuSel: a.menuSel } : {}), helpScroll: 0 };
    case 'menuSel':
      return { ...s, menuMsg: null, menuSel: Math.max(0, Math.min(a.count - 1, s.menuSel + a.delta)) };
    case 'menuMsg':
      return { ...s, menuMsg: a.text };
    case 'helpScroll':
      return { ...s, helpScroll: Math.max(0, s.helpScroll + a.delta) };
    case 'notice':
      return { ...s, notice: a.notice, ...(a.notice === null ? { confirm: null } : {}) };
    case 'confirm':
      return { ...s, confirm: a.confirm, notice: a.notice };
    case 'map':
      return { ...s, mapOn: a.on };
    case 'exiting':
      return { ...s, exiting: true, notice: null };
  }
}

const CONFIRM_MS = 3000;

export interface TutorView {
  engine: EngineView;
  screen: ScreenState;
  controller: Controller;
  /** everything printed so far, for <Static> (old items emptied) */
  printed: PrintedItem[];
  header: Header;
  topology: Topology | null;
  onKey: (input: string, key: Key) => void;
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
const isEdit = (a: Action): a is Edit['type'] & Action => EDITS.has(a);

export function useTutor(opts: TutorHookOptions): TutorView {
  const c = opts.controller;
  const engine = useSyncExternalStore(c.subscribe, c.getView);
  // Keys arrive faster than renders (type-ahead, pastes): the reducer runs synchronously on a
  // ref, and the state only tells React to draw it.
  const [screen, setScreen] = useState<ScreenState>(() => ({
    line: emptyLine(),
    mode: 'prompt',
    menuSel: 0,
    menuMsg: null,
    helpScroll: 0,
    notice: null,
    confirm: null,
    mapOn: opts.mapOn,
    exiting: false,
  }));
  const screenRef = useRef(screen);
  const dispatch = useCallback((a: ScreenAction) => {
    screenRef.current = screenReducer(screenRef.current, a);
    setScreen(screenRef.current);
  }, []);
  const optsRef = useRef(opts);
  useEffect(() => {
    optsRef.current = opts;
  });
  const lastCtrlC = useRef(0);

  // <Static> prints by index: the printed log only grows (printedLog.ts).
  const [printedLog] = useState(() => new PrintedLog(c));
  useEffect(() => () => printedLog.dispose(), [printedLog]);
  const printed = useSyncExternalStore(printedLog.subscribe, printedLog.getSnapshot);

  // A sandbox that could not start: leave its message on screen, then exit with its code.
  useEffect(() => {
    if (engine.stage !== 'failed' || !engine.failure) return;
    const code = engine.failure.code;
    const t = setTimeout(() => optsRef.current.onExit(code), 50);
    return () => clearTimeout(t);
  }, [engine.stage, engine.failure]);

  const topology = useTopology(engine.stage === 'ready' ? c.box : null, engine.version);
  const topoRef = useRef(topology);
  useEffect(() => {
    topoRef.current = topology;
  }, [topology]);

  const quit = useCallback(async () => {
    if (screenRef.current.exiting) return;
    dispatch({ type: 'exiting' });
    await c.close().catch(() => {});
    optsRef.current.onExit(0);
  }, [c, dispatch]);

  const notify = (text: string, tone?: Tone) => dispatch({ type: 'notice', notice: { text, tone } });

  /** Confirm-by-pressing-again for actions that change the sandbox. */
  const confirmed = (action: 'skip' | 'restart', message: string): boolean => {
    const conf = screenRef.current.confirm;
    if (conf && conf.action === action && Date.now() < conf.until) {
      dispatch({ type: 'confirm', confirm: null, notice: null });
      return true;
    }
    dispatch({ type: 'confirm', confirm: { action, until: Date.now() + CONFIRM_MS }, notice: { text: message, tone: 'warn' } });
    return false;
  };

  /** A finished line goes to the engine, which runs it at once or after what is running. */
  const submitText = (text: string) => {
    if (!text.trim()) {
      dispatch({ type: 'edit', edit: { type: 'clear' } });
      void c.enter();
      return;
    }
    dispatch({ type: 'edit', edit: { type: 'set', text } });
    dispatch({ type: 'edit', edit: { type: 'commit' } });
    void c.submit(text);
  };

  /** Text typed or pasted; its line breaks came as Enter keys (keyChunks.ts). */
  const typeText = (input: string) => dispatch({ type: 'edit', edit: { type: 'insert', text: input } });

  const onOneKey = useCallback(
    (input: string, key: Key) => {
      const st = screenRef.current;
      const view = c.getView();
      if (view.stage === 'failed' || st.exiting || view.stage === 'closed') return;
      const lang = view.lang;
      const action = matchKey(st.mode, input, key, st.line.text.length === 0);

      // A tall overlay scrolled the step off the screen: closing it prints the step again.
      const closeOverlay = () => dispatch({ type: 'mode', mode: 'prompt' });
      if (st.mode === 'help') {
        if (action === 'menuClose') closeOverlay();
        if (action === 'menuUp') dispatch({ type: 'helpScroll', delta: -1 });
        if (action === 'menuDown') dispatch({ type: 'helpScroll', delta: 1 });
        if (action === 'quit') void quit();
        return;
      }
      if (st.mode === 'menu') {
        const items = menuItems(c.states());
        const move = (d: number) => dispatch({ type: 'menuSel', delta: d, count: items.length });
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
            if (!c.canJump(item.pos)) return dispatch({ type: 'menuMsg', text: tu(lang, 'ui_menu_locked') });
            closeOverlay();
            void c.jump(item.pos);
            return;
          }
          default:
            return;
        }
      }

      // ---- prompt ----
      if (action !== 'interrupt') lastCtrlC.current = 0;
      const keepNotice = action === 'skip' || action === 'restart' || action === 'interrupt';
      if (!keepNotice && st.notice) dispatch({ type: 'notice', notice: null });
      const busy = view.busy !== null || view.queue.length > 0;

      switch (action) {
        case 'submit':
          return submitText(st.line.text);
        case 'interrupt': {
          if (busy) {
            c.interrupt();
            return;
          }
          if (st.line.text) {
            lastCtrlC.current = 0;
            dispatch({ type: 'edit', edit: { type: 'clear' } });
            return dispatch({ type: 'notice', notice: null });
          }
          if (Date.now() - lastCtrlC.current < CONFIRM_MS) return void quit();
          lastCtrlC.current = Date.now();
          return notify(tu(lang, 'ui_confirm_quit'), 'warn');
        }
        case 'quit':
          return void quit();
        case 'hint':
          return void c.hint();
        case 'solve':
          return void c.solve();
        case 'skip':
          if (confirmed('skip', tu(lang, 'ui_confirm_skip', { key: keysFor('skip') }))) void c.skip();
          return;
        case 'restart':
          if (confirmed('restart', tu(lang, 'ui_confirm_restart', { key: keysFor('restart') }))) void c.restart();
          return;
        case 'menu': {
          const items = menuItems(c.states());
          return dispatch({
            type: 'mode',
            mode: 'menu',
            menuSel: Math.max(
              0,
              items.findIndex((i) => i.state === 'current'),
            ),
          });
        }
        case 'help':
          return dispatch({ type: 'mode', mode: 'help' });
        case 'map': {
          const on = !st.mapOn;
          dispatch({ type: 'map', on });
          optsRef.current.onSettings?.({ map: on });
          return;
        }
        case 'hand':
          if (optsRef.current.inClass) c.raiseHand();
          else notify(tu(lang, 'ui_hand_no_class'), 'warn');
          return;
        case 'lang': {
          const next: Lang = lang === 'en' ? 'zh' : 'en';
          c.setLang(next);
          optsRef.current.onSettings?.({ lang: next });
          return;
        }
        case 'complete': {
          const words = [...BASE_WORDS, ...topologyNames(topoRef.current), ...wordsFromMarkdown(c.text.body)];
          const done = complete(st.line.text, st.line.cursor, words);
          dispatch({ type: 'edit', edit: { type: 'set', text: done.text, cursor: done.cursor } });
          if (done.candidates.length > 1) notify(tu(lang, 'ui_completions', { list: done.candidates.join('  ') }), 'dim');
          return;
        }
        case null:
          break;
        default:
          if (isEdit(action)) dispatch({ type: 'edit', edit: { type: action } });
          return;
      }
      // plain text (typed or pasted)
      if (!input || key.ctrl || key.meta) return;
      typeText(input);
    },
    // screen state is read through screenRef; the helpers above only use stable values
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [c, quit, dispatch],
  );
  const onKey = useCallback(
    (input: string, key: Key) => {
      for (const k of splitKeys(input, key)) onOneKey(k.input, k.key);
    },
    [onOneKey],
  );

  const v = c.current;
  const f = fraction(c.course, c.progressState);
  const header: Header = {
    lessonNo: v.pos.lesson + 1,
    lessonCount: c.course.lessons.length,
    lessonTitle: lessonTitle(v.lesson, engine.lang),
    stepTitle: c.text.title,
    stepNo: v.pos.step + 1,
    stepCount: v.lesson.def.steps.length,
    finished: f.finished,
    total: f.total,
  };
  return { engine, screen, controller: c, printed, header, topology, onKey };
}
