import { StringDecoder } from 'node:string_decoder';
import type { OutputStream, RunOptions } from './types.js';

// A command's output as both backends account for it: decoded as UTF-8 per stream (a character
// split across chunks stays whole), streamed to the caller, and cut at a byte cap with a note at
// the end; reaching the cap calls `onCap` once, which stops the command.
export function cutNote(bytes: number): string {
  return `\n[ipip-tutor: output cut at ${Math.round(bytes / 1024)} KiB; the command was stopped]\n`;
}

export class OutputCollector {
  stdout = '';
  stderr = '';
  truncated = false;
  private used = 0;
  private readonly decoders: Record<OutputStream, StringDecoder> = {
    stdout: new StringDecoder('utf8'),
    stderr: new StringDecoder('utf8'),
  };

  constructor(
    private readonly cap: number,
    private readonly onOutput?: RunOptions['onOutput'],
    private readonly onCap?: () => void,
  ) {}

  push(stream: OutputStream, buf: Buffer): void {
    if (this.truncated) return;
    let chunk = buf;
    if (this.used + chunk.length > this.cap) {
      chunk = chunk.subarray(0, Math.max(0, this.cap - this.used));
      this.truncated = true;
    }
    this.used += chunk.length;
    let text = this.decoders[stream].write(chunk);
    if (this.truncated) text += this.decoders[stream].end() + cutNote(this.cap);
    this.append(stream, text);
    if (this.truncated) this.onCap?.();
  }

  /** The command said it hit the cap itself (the guest agent enforces it too). */
  capped(stream: OutputStream): void {
    if (this.truncated) return;
    this.truncated = true;
    this.append(stream, this.decoders[stream].end() + cutNote(this.cap));
    this.onCap?.();
  }

  /** Flush what the decoders still hold (an incomplete character at the very end). */
  end(): void {
    if (this.truncated) return;
    for (const s of ['stdout', 'stderr'] as const) this.append(s, this.decoders[s].end());
  }

  private append(stream: OutputStream, text: string): void {
    if (!text) return;
    if (stream === 'stdout') this.stdout += text;
    else this.stderr += text;
    this.onOutput?.(text, stream);
  }
}
