import { Box, Text } from 'ink';
import React from 'react';
import type { Line, Tone } from './lines.js';

// Draws pre-measured lines. Colours map from tones here only, and vanish with colour off.
interface ToneProps {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
}

const TONES: Record<Tone, ToneProps> = {
  ok: { color: 'green' },
  bad: { color: 'red' },
  warn: { color: 'yellow' },
  dim: { dimColor: true },
  accent: { color: 'cyan' },
  title: { bold: true },
  key: { color: 'cyan', bold: true },
  hint: { color: 'magenta' },
};

/** Wide enough for any command: a `whole` line is never cut, the terminal wraps it. */
const WHOLE_WIDTH = 4000;

export function LineView({ line, color }: { line: Line; color: boolean }) {
  // an empty <Text> takes no room at all: a blank line needs a space
  if (line.every((s) => s.text === '')) return <Text> </Text>;
  const text = (
    <Text wrap="truncate-end">
      {line.map((s, i) => (
        <Text key={i} {...(color && s.tone ? TONES[s.tone] : {})}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
  return line.whole ? <Box width={WHOLE_WIDTH}>{text}</Box> : text;
}

export function Lines({ lines, color }: { lines: Line[]; color: boolean }) {
  return (
    <Box flexDirection="column">
      {lines.map((l, i) => (
        <LineView key={i} line={l} color={color} />
      ))}
    </Box>
  );
}
