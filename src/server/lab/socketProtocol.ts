import { z } from 'zod';
import { LANGS } from '../../i18n/lang.js';
import type { Milestone } from './workerProtocol.js';

// The browser lab's wire protocol (page ↔ server). What a browser sends is parsed here before any
// code looks at it; keys are capped per frame and sizes to what a terminal can be.

export const LAB_LIMITS = {
  /** one frame from a browser: a paste of a few lines, never a file */
  frameBytes: 16 * 1024,
  keysPerFrame: 4096,
  /** frames per second from one browser, sustained; a burst is allowed */
  ratePerSec: 60,
  burst: 200,
  name: 40,
} as const;

/** A session token: 32 random bytes, base64url. */
export const tokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const columns = z.number().int().min(20).max(400);
const rows = z.number().int().min(5).max(200);

export const browserMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('hello'),
    token: tokenSchema.nullable(),
    name: z.string().trim().min(1).max(LAB_LIMITS.name),
    lang: z.enum(LANGS),
    cols: columns,
    rows,
  }),
  z.object({ t: z.literal('in'), d: z.string().min(1).max(LAB_LIMITS.keysPerFrame) }),
  z.object({ t: z.literal('resize'), cols: columns, rows }),
  z.object({ t: z.literal('ping') }),
]);
export type BrowserMessage = z.infer<typeof browserMessageSchema>;

export type EndReason = 'exit' | 'reaped' | 'replaced' | 'server' | 'failed';

export type LabServerMessage =
  | { t: 'session'; token: string; learnerId: string; name: string; resumed: boolean }
  | { t: 'full'; max: number }
  | { t: 'out'; d: string }
  /** the whole screen (after a reload): the page resets its terminal and writes this */
  | { t: 'screen'; d: string }
  | ({ t: 'where' } & Milestone)
  | { t: 'idle'; reapInMs: number }
  | { t: 'ended'; reason: EndReason }
  | { t: 'pong' };
