import { Box, Static, useApp, useCursor, useInput } from 'ink';
import React, { useEffect, useState } from 'react';
import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { fitLine, line, seg, wrapSegs, type Line } from './lines.js';
import { Lines } from './LineView.js';
import { buildLive, headerLine, type Size } from './live.js';
import { entryLines } from './log.js';
import { buildHelp, buildMenu } from './menu.js';
import { useSession, type Failure } from './useSession.js';
import { useTermSize } from './useTermSize.js';
import type { Session } from '../engine/session.js';

// The interactive tutor: the finished log above (ink <Static>), the live part below.

export interface AppProps {
  /** The session, its sandbox not started yet: the app starts it (showing the step meanwhile) and closes it. */
  session: Session;
  lang: Lang;
  mapOn?: boolean;
  /** false: no colours or styles (NO_COLOR, --no-color) */
  color?: boolean;
  /** a fixed size instead of the terminal's (tests) */
  size?: Size;
  /** the learner changed the language or the map: remember it */
  onSettings?: (s: { lang?: Lang; map?: boolean }) => void;
  onExit?: (code: number) => void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function useSpinner(active: boolean): string {
  const [i, setI] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setI((x) => (x + 1) % SPINNER.length), 100);
    return () => clearInterval(t);
  }, [active]);
  return SPINNER[i]!;
}

export function failureLines(f: Failure, lang: Lang, width: number): Line[] {
  const out: Line[] = [line(tu(lang, 'ui_error_title'), 'bad'), ...wrapSegs(seg('  '), f.message, width, 'bad')];
  if (f.fix) out.push(line(tu(lang, 'ui_error_fix'), 'title'), ...wrapSegs(seg('  '), f.fix, width));
  if (f.log) {
    out.push(line(tu(lang, 'ui_error_log'), 'title'));
    for (const l of f.log.split('\n').slice(-12)) out.push(fitLine([seg('  '), seg(l, 'dim')], width));
  }
  return out;
}

export function App(props: AppProps) {
  const { exit } = useApp();
  const size = useTermSize(props.size);
  const color = props.color ?? true;
  const view = useSession({
    session: props.session,
    lang: props.lang,
    mapOn: props.mapOn ?? false,
    onSettings: props.onSettings,
    onExit: (code) => {
      props.onExit?.(code);
      exit();
    },
  });
  const { state } = view;
  const spinner = useSpinner(state.busy !== null);
  useInput(view.onKey);
  const { setCursorPosition } = useCursor();

  let live: Line[];
  let cursor: { x: number; y: number } | null = null;
  if (state.stage === 'failed' && state.failure) {
    live = failureLines(state.failure, state.lang, size.columns);
  } else if (state.stage === 'exiting') {
    live = [];
  } else if (state.mode === 'menu' && view.session) {
    live = [
      headerLine(view.header, state.lang, size.columns),
      ...buildMenu(
        view.session.course,
        view.session.states(),
        view.session.progressState.marks,
        state.menuSel,
        state.lang,
        size,
        state.menuMsg,
      ),
    ];
  } else if (state.mode === 'help') {
    live = [headerLine(view.header, state.lang, size.columns), ...buildHelp(state.lang, size, state.helpScroll)];
  } else {
    const frame = buildLive(
      {
        lang: state.lang,
        header: view.header,
        busy: state.busy,
        spinner,
        stepKind: view.stepKind,
        checks: view.checks,
        passed: view.passed,
        courseDone: state.courseDone,
        blocker: view.blocker,
        notice: state.notice,
        line: state.line,
        mapOn: state.mapOn,
        topology: view.topology,
      },
      size,
    );
    live = frame.lines;
    cursor = frame.cursor;
  }
  setCursorPosition(cursor ?? undefined);

  return (
    <Box flexDirection="column">
      <Static items={state.log}>
        {(e) => (
          <Box key={e.id} flexDirection="column">
            <Lines lines={entryLines(e, state.lang, size.columns, { color })} color={color} />
          </Box>
        )}
      </Static>
      <Lines lines={live} color={color} />
    </Box>
  );
}
