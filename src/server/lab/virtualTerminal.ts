import { PassThrough, Writable } from 'node:stream';

// A terminal made of memory: what ink needs from a TTY (isTTY, columns, rows, setRawMode, a
// resize event), with the browser's xterm at the other end instead of a pty. Keys come in
// through `type`, ink's output goes to `onOutput`, a browser resize becomes `resize`.

export interface VirtualTerminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  type(data: string): void;
  resize(columns: number, rows: number): void;
  end(): void;
}

export function virtualTerminal(o: { columns: number; rows: number; onOutput: (data: string) => void }): VirtualTerminal {
  const input = new PassThrough();
  const stdin = Object.assign(input, {
    isTTY: true,
    isRaw: false,
    setRawMode(mode: boolean) {
      stdin.isRaw = mode;
      return stdin;
    },
    // ink refs and unrefs stdin as a TTY's; a PassThrough holds no handle, so both are no-ops
    ref: () => stdin,
    unref: () => stdin,
  }) as unknown as NodeJS.ReadStream & { isRaw: boolean };

  const output = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _enc, done) {
      // A tty's output processing (onlcr) turns each newline into CR LF; ink counts on it.
      o.onOutput((typeof chunk === 'string' ? chunk : chunk.toString('utf8')).replace(/(?<!\r)\n/g, '\r\n'));
      done();
    },
  });
  const stdout = Object.assign(output, {
    isTTY: true,
    columns: o.columns,
    rows: o.rows,
    getColorDepth: () => 24,
    hasColors: () => true,
    getWindowSize: () => [stdout.columns, stdout.rows],
  }) as unknown as NodeJS.WriteStream;

  return {
    stdin,
    stdout,
    type: (data) => void input.write(data),
    resize(columns, rows) {
      if (columns === stdout.columns && rows === stdout.rows) return;
      stdout.columns = columns;
      stdout.rows = rows;
      stdout.emit('resize');
    },
    end() {
      input.end();
      output.end();
    },
  };
}
