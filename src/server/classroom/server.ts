import { networkInterfaces } from 'node:os';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { openCourse } from '../../course/courseCache.js';
import { defaultCourseDir } from '../../course/courseDir.js';
import type { Course } from '../../course/load.js';
import { webAsset } from '../assets.js';
import { exportCsv, exportRows } from './exportClass.js';
import { ClassHub } from './hub.js';
import { handleLearnerSocket } from './learnerSocket.js';
import { forbiddenPage, joinPage } from './pages.js';
import { LIMITS, parseFrame } from './protocol.js';
import { newClassCode, newInstructorKey, sameSecret } from './secrets.js';
import { ClassStore } from './store.js';

// The classroom server: fastify for HTTP, @fastify/websocket (ws) for the live parts, SQLite
// for the class's state. Learners hold the class code, the instructor the key; the two never
// open the same doors. Bound to the interface the instructor chose; it sends nothing anywhere
// but to the browsers and tutors that connect to it.

export interface LabContext {
  classCode: string;
  instructorKey: string;
  /** where a tutor joins; read it once the server listens (the port may be chosen then) */
  readonly joinUrl: string;
  title: string;
}
export type LabPlugin = (app: FastifyInstance, ctx: LabContext) => Promise<void>;

export interface ClassroomOptions {
  port?: number;
  /** the interface to bind; default: this machine's LAN address, else loopback */
  host?: string;
  /** where the class's database lives */
  stateDir: string;
  title?: string;
  lab?: LabPlugin;
  /** the course the gate's lessons come from (default: the shipped one) */
  course?: Course;
  /** how long on the same failing check counts as stuck (default 5 minutes) */
  stuckMs?: number;
  lang?: 'en' | 'zh';
}

export interface Classroom {
  app: FastifyInstance;
  dashboardUrl: string;
  joinUrl: string;
  classCode: string;
  instructorKey: string;
  /** the loopback join URL (for tutors on this machine, e.g. the browser lab's) */
  localJoinUrl: string;
  hub: ClassHub;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  // the dashboard URL carries the key: never send it on in a Referer
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** The address to print for `--host 0.0.0.0` (or no host): the first private IPv4 address of this machine. */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

const gateBody = z.object({ lessonId: z.string().max(80).nullable() });
const broadcastBody = z.object({ text: z.string().trim().min(1).max(LIMITS.broadcast) });
const watchMessage = z.object({ t: z.literal('watch'), id: z.string().max(80).nullable() });

export async function startClassroom(opts: ClassroomOptions): Promise<Classroom> {
  const store = await ClassStore.open(opts.stateDir);
  // The same class after a restart: same code, same key, so tutors and dashboards come back by themselves.
  const classCode = store.getMeta('classCode') ?? newClassCode();
  const instructorKey = store.getMeta('instructorKey') ?? newInstructorKey();
  store.setMeta('classCode', classCode);
  store.setMeta('instructorKey', instructorKey);
  const title = opts.title ?? store.getMeta('title') ?? 'IPIP tunnels workshop';
  store.setMeta('title', title);
  const course = opts.course ?? (await openCourse(defaultCourseDir()));
  const hub = new ClassHub(store, course, title, opts.stuckMs ?? 5 * 60_000, opts.lang ?? 'en');

  const bindHost = opts.host ?? lanAddress() ?? '127.0.0.1';
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, trustProxy: false });
  await app.register(websocket, { options: { maxPayload: LIMITS.frameBytes, perMessageDeflate: false } });
  app.addHook('onSend', async (_req, reply) => {
    reply.headers(SECURITY_HEADERS);
  });

  let publicBase = '';
  let localBase = '';
  const urls = {
    join: () => `${publicBase}/join/${classCode}`,
    // the dashboard speaks the classroom's language (`classroom --lang zh`), else the browser's
    dashboard: () => `${publicBase}/dashboard?key=${instructorKey}${opts.lang ? `&lang=${opts.lang}` : ''}`,
  };

  const keyOf = (req: FastifyRequest): unknown => {
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
    return (req.query as Record<string, unknown> | undefined)?.key;
  };
  const isInstructor = (req: FastifyRequest) => sameSecret(keyOf(req), instructorKey);
  const requireKey = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!isInstructor(req)) return reply.code(403).send({ error: 'forbidden' });
  };

  // ---- pages and assets ----
  app.get('/', async (_req, reply) => reply.code(404).type('text/plain').send('not found'));
  app.get('/dashboard', async (req, reply) => {
    if (!isInstructor(req)) return reply.code(403).type('text/html').send(forbiddenPage());
    return reply.type('text/html; charset=utf-8').send(webAsset('dashboard.html'));
  });
  app.get('/dashboard/dashboard.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(webAsset('dashboard.js')));
  app.get('/dashboard/dashboard.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(webAsset('dashboard.css')));
  app.get<{ Params: { code: string } }>('/join/:code', async (req, reply) => {
    if (!sameSecret(req.params.code, classCode)) return reply.code(404).type('text/plain').send('no such class');
    const labUrl = opts.lab ? `/lab?code=${encodeURIComponent(classCode)}` : null;
    return reply.type('text/html; charset=utf-8').send(joinPage({ title, joinUrl: urls.join(), labUrl }));
  });

  // ---- the JSON API (instructor key) ----
  app.get('/api/class', { preHandler: requireKey }, async () => hub.snapshot());
  app.get<{ Params: { id: string } }>('/api/learners/:id', { preHandler: requireKey }, async (req, reply) => {
    const d = hub.detail(req.params.id);
    return d ?? reply.code(404).send({ error: 'no such learner' });
  });
  app.post('/api/gate', { preHandler: requireKey }, async (req, reply) => {
    const b = gateBody.safeParse(req.body);
    if (!b.success) return reply.code(400).send({ error: 'bad request' });
    const id = b.data.lessonId;
    if (id !== null && !course.lessons.some((l) => l.id === id)) return reply.code(400).send({ error: 'no such lesson' });
    if (id === null) store.setMeta('gate', '');
    else store.setMeta('gate', id);
    hub.sendAllLearners({ t: 'gate', lessonId: id });
    hub.pushAll();
    return { gate: id };
  });
  app.post('/api/broadcast', { preHandler: requireKey }, async (req, reply) => {
    const b = broadcastBody.safeParse(req.body);
    if (!b.success) return reply.code(400).send({ error: 'bad request' });
    const row = store.addBroadcast(b.data.text, Date.now());
    hub.sendAllLearners({ t: 'broadcast', id: row.id, text: row.text });
    return { id: row.id, sentTo: hub.online.size };
  });
  app.post<{ Params: { id: string } }>('/api/hands/:id/resolve', { preHandler: requireKey }, async (req, reply) => {
    const hand = store.resolveHand(Number(req.params.id), Date.now());
    if (!hand) return reply.code(404).send({ error: 'no such request' });
    hub.sendLearner(hand.learnerId, { t: 'hand-resolved' });
    hub.changed(hand.learnerId);
    return { resolved: hand.id };
  });
  app.get('/api/export.json', { preHandler: requireKey }, async (_req, reply) =>
    reply
      .header('content-disposition', 'attachment; filename="class.json"')
      .send({ title, exportedAt: new Date().toISOString(), learners: exportRows(hub) }),
  );
  app.get('/api/export.csv', { preHandler: requireKey }, async (_req, reply) =>
    reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="class.csv"').send(exportCsv(hub)),
  );

  // ---- WebSockets: refused before the upgrade without the code or the key ----
  app.get<{ Params: { code: string } }>(
    '/ws/learner/:code',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (!sameSecret(req.params.code, classCode)) return reply.code(403).send({ error: 'forbidden' });
        if (hub.online.size >= LIMITS.learners) return reply.code(503).send({ error: 'full' });
      },
    },
    (socket) => handleLearnerSocket(hub, socket),
  );
  app.get(
    '/ws/dashboard',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (!isInstructor(req)) return reply.code(403).send({ error: 'forbidden' });
        if (hub.dashboardCount >= LIMITS.dashboards) return reply.code(503).send({ error: 'full' });
      },
    },
    (socket) => {
      const d = hub.addDashboard(socket);
      socket.on('message', (data) => {
        const m = parseFrame(watchMessage, data.toString());
        if (m) hub.watch(d, m.id);
      });
      socket.on('error', () => socket.terminate());
    },
  );

  const ctx: LabContext = {
    classCode,
    instructorKey,
    title,
    get joinUrl() {
      return `${localBase}/join/${classCode}`;
    },
  };
  if (opts.lab) await opts.lab(app, ctx);

  await app.listen({ port: opts.port ?? 0, host: bindHost });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  const shown = bindHost === '0.0.0.0' || bindHost === '::' ? (lanAddress() ?? '127.0.0.1') : bindHost;
  const fmt = (h: string) => (h.includes(':') ? `[${h}]` : h);
  publicBase = `http://${fmt(shown)}:${port}`;
  // Tutors on this machine (the lab's) reach it on loopback when it listens there, else on the bound address.
  localBase =
    bindHost === '0.0.0.0' || bindHost === '127.0.0.1'
      ? `http://127.0.0.1:${port}`
      : bindHost === '::'
        ? `http://[::1]:${port}`
        : publicBase;

  hub.joinUrl = urls.join();
  let closed = false;
  return {
    app,
    dashboardUrl: urls.dashboard(),
    joinUrl: urls.join(),
    localJoinUrl: ctx.joinUrl,
    classCode,
    instructorKey,
    hub,
    async close() {
      if (closed) return;
      closed = true;
      hub.close();
      await app.close();
      store.close();
    },
  };
}
