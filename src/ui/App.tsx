import { Box, Static, useApp, useCursor, useInput } from 'ink';
import React, { useEffect, useState } from 'react';
import { describeCheck, describeDiagnosis } from '../checks/describe.js';
import type { Controller } from '../engine/controller.js';
import type { Failure } from '../engine/events.js';
import type { Lang } from '../i18n/lang.js';
import { tu } from '../i18n/uiMessages.js';
import { sentences } from '../i18n/translate.js';
import { modulesFor } from '../sandbox/types.js';
import { keysFor } from './keymap.js';
import { fitLine, line, seg, wrapSegs, type Line } from './lines.js';
import { Lines } from './LineView.js';
import { buildLive, headerLine, type CheckLine, type Size } from './live.js';
import { entryLines } from './log.js';
import { buildHelp, buildMenu } from './menu.js';
import { useTermSize } from './useTermSize.js';
import { useTutor } from './useTutor.js';

// The interactive tutor: the finished log above (ink <Static>), the live part below. It shows
// the engine's view and sends keys to it; it decides nothing about the course.
export interface AppProps {
  /** The engine, its sandbox not started yet: the app starts it (showing the step meanwhile) and closes it. */
  controller: Controller;
  mapOn?: boolean;
  /** false: no colours or styles (NO_COLOR, --no-color) */
  color?: boolean;
  /** a fixed size instead of the terminal's (tests) */
  size?: Size;
  /** the learner changed the language or the map: remember it */
  onSettings?: (s: { lang?: Lang; map?: boolean }) => void;
  /** the tutor reports to a classroom (--join) */
  inClass?: boolean;
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
  const t = useTutor({
    controller: props.controller,
    mapOn: props.mapOn ?? false,
    ...(props.onSettings ? { onSettings: props.onSettings } : {}),
    inClass: props.inClass ?? false,
    onExit: (code) => {
      props.onExit?.(code);
      exit();
    },
  });
  const { engine: v, screen } = t;
  const lang = v.lang;
  const spinner = useSpinner(v.busy !== null);
  useInput(t.onKey);
  const { setCursorPosition } = useCursor();
  const c = t.controller;

  let live: Line[];
  let cursor: { x: number; y: number } | null = null;
  if (v.stage === 'failed' && v.failure) {
    live = failureLines(v.failure, lang, size.columns);
  } else if (screen.exiting || v.stage === 'closed') {
    live = [line(tu(lang, 'ui_goodbye'), 'dim')];
  } else if (screen.mode === 'menu') {
    live = [
      headerLine(t.header, lang, size.columns),
      ...buildMenu(c.course, c.states(), c.progressState.marks, screen.menuSel, lang, size, screen.menuMsg),
    ];
  } else if (screen.mode === 'help') {
    live = [headerLine(t.header, lang, size.columns), ...buildHelp(lang, size, screen.helpScroll)];
  } else {
    const step = c.current;
    const checks: CheckLine[] = v.goal.map((r) => ({
      ok: r.ok,
      text: describeCheck(r, lang),
      pending: r.key === 'answer_waiting',
      ...(r.diagnosis && !r.ok ? { sub: describeDiagnosis(r.diagnosis, lang) } : {}),
    }));
    const blocker = v.unavailable.length
      ? sentences(lang, [
          tu(lang, 'step_needs_feature', {
            feature: v.unavailable.join(', '),
            module: modulesFor(v.unavailable),
            backend: v.backend ?? '',
          }),
          tu(lang, 'ui_unavailable_skip', { key: keysFor('skip') }),
        ])
      : v.runtimeError
        ? tu(lang, 'ui_error_runtime_fix', { key: keysFor('restart') })
        : null;
    const frame = buildLive(
      {
        lang,
        header: t.header,
        busy: v.busy,
        spinner,
        stepKind: step.isReading ? 'reading' : step.isQuiz || v.debrief ? 'quiz' : 'task',
        checks,
        passed: v.passed && !step.isReading,
        courseDone: v.courseDone,
        blocker,
        notice: screen.notice,
        line: screen.line,
        mapOn: screen.mapOn,
        topology: t.topology,
        mistake: v.mistake && !v.passed ? { text: v.mistake.text, repair: v.mistake.repair } : null,
        queue: v.queue,
      },
      size,
    );
    live = frame.lines;
    cursor = frame.cursor;
  }
  setCursorPosition(cursor ?? undefined);

  return (
    <Box flexDirection="column">
      <Static items={t.printed}>
        {(e) => (
          <Box key={e.seq} flexDirection="column">
            <Lines lines={entryLines(e, c.course, lang, size.columns, { color })} color={color} />
          </Box>
        )}
      </Static>
      <Lines lines={live} color={color} />
    </Box>
  );
}
