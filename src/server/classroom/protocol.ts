import { z } from 'zod';

// The classroom's wire protocol, shared by the server and the learner's reporter: every message
// either side receives is parsed with these schemas first, so a malformed or oversized message is
// refused before any code looks at it. Caps live here too, so both sides agree on them.

export const PROTOCOL_VERSION = 1;

export const LIMITS = {
  /** one WebSocket frame, in bytes (ws refuses bigger frames before buffering them) */
  frameBytes: 64 * 1024,
  /** learner messages per second, sustained; a burst of `burst` is allowed */
  ratePerSec: 50,
  burst: 200,
  /** learners in one class */
  learners: 300,
  /** dashboards open at once */
  dashboards: 20,
  name: 40,
  text: 400,
  lines: 120,
  lineChars: 240,
  checks: 24,
  broadcast: 500,
  /** events the reporter keeps for a server that comes back */
  replay: 500,
  replayBatch: 50,
} as const;

const id = z.string().min(1).max(80);
const text = z.string().max(LIMITS.text);
const lines = z.array(z.string().max(LIMITS.lineChars)).max(LIMITS.lines);
const count = z.number().int().min(0).max(10_000);
/** A random id the learner's tutor chose: 32 hex digits. */
export const learnerIdSchema = z.string().regex(/^[0-9a-f]{32}$/);

export const checkReportSchema = z.object({ id, ok: z.boolean(), reason: text });
export type CheckReport = z.infer<typeof checkReportSchema>;

/** Where the learner is and how it goes: sent whole on every change (small), so a resync is one message. */
export const learnerStateSchema = z.object({
  lessonId: id,
  stepId: id,
  lesson: count,
  step: count,
  lessonTitle: text,
  stepTitle: text,
  /** steps marked done, solved or skipped */
  completed: count,
  total: count,
  /** ms the learner has been on this step (a duration, so the clocks need not agree) */
  onStepMs: z.number().int().min(0).max(1e10),
  /** the latest evaluation: did the step pass, and what fails */
  passed: z.boolean(),
  failing: checkReportSchema.nullable(),
  mistake: z.object({ id, text }).nullable(),
  hand: z.boolean(),
  courseDone: z.boolean(),
  backend: z.string().max(20).nullable(),
});
export type LearnerState = z.infer<typeof learnerStateSchema>;

export const eventBodySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('step'), lessonId: id, stepId: id }),
  z.object({
    kind: z.literal('checks'),
    lessonId: id,
    stepId: id,
    passed: z.boolean(),
    results: z.array(checkReportSchema).max(LIMITS.checks),
    mistake: id.nullable(),
  }),
  z.object({ kind: z.literal('hint'), lessonId: id, stepId: id, n: count, total: count }),
  z.object({ kind: z.literal('completed'), lessonId: id, stepId: id, how: z.enum(['done', 'solved', 'skipped']) }),
  z.object({ kind: z.literal('command'), lessonId: id, stepId: id, command: text, exitCode: z.number().int().nullable() }),
  z.object({ kind: z.literal('hand'), raised: z.boolean() }),
]);
export type EventBody = z.infer<typeof eventBodySchema>;

export const learnerMessageSchema = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('hello'),
    v: z.literal(PROTOCOL_VERSION),
    learnerId: learnerIdSchema,
    name: z.string().min(1).max(LIMITS.name),
    private: z.boolean(),
    /** a browser-lab attendee (its tutor runs beside the server) */
    lab: z.boolean().optional(),
    lang: z.enum(['en', 'zh']),
    /** the newest broadcast this tutor has shown, so a reconnect does not show it again */
    lastBroadcast: z.number().int().min(0),
  }),
  z.object({ t: z.literal('state'), state: learnerStateSchema }),
  /** what happened since the last message (and, after a reconnect, what the server missed), oldest first */
  z.object({
    t: z.literal('events'),
    events: z.array(z.object({ seq: z.number().int().min(1), body: eventBodySchema })).max(LIMITS.replayBatch),
  }),
  z.object({ t: z.literal('screen'), lines }),
  z.object({ t: z.literal('map'), lines }),
  z.object({ t: z.literal('ping') }),
]);
export type LearnerMessage = z.infer<typeof learnerMessageSchema>;

export const serverMessageSchema = z.discriminatedUnion('t', [
  /** `lastSeq`: the newest event the class store holds from this learner (the reporter resends the rest) */
  z.object({ t: z.literal('welcome'), title: text, lastSeq: z.number().int().min(0), gate: id.nullable() }),
  z.object({ t: z.literal('gate'), lessonId: id.nullable() }),
  z.object({ t: z.literal('broadcast'), id: z.number().int().min(1), text: z.string().max(LIMITS.broadcast) }),
  /** the instructor marked the learner's help request resolved */
  z.object({ t: z.literal('hand-resolved') }),
  z.object({ t: z.literal('pong') }),
  z.object({ t: z.literal('error'), code: z.enum(['bad-message', 'rate', 'full', 'hello-first', 'version']) }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** Parse one frame; null when it is not JSON or not a message of the schema. */
export function parseFrame<T>(schema: z.ZodType<T>, raw: string): T | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  const r = schema.safeParse(value);
  return r.success ? r.data : null;
}

/** The parts of a join URL: where the server is and the class code. */
export function parseJoinUrl(url: string): { origin: string; code: string; wsUrl: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  const m = /^\/join\/([A-Za-z0-9_-]{8,64})\/?$/.exec(u.pathname);
  if (!m) return null;
  const ws = u.protocol === 'https:' ? 'wss:' : 'ws:';
  return { origin: u.origin, code: m[1]!, wsUrl: `${ws}//${u.host}/ws/learner/${m[1]!}` };
}
