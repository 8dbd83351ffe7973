import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { defaultCourseDir } from '../../course/courseDir.js';
import type { Lang } from '../../i18n/lang.js';
import type { BackendChoice } from '../../sandbox/factory.js';
import type { BackendName } from '../../sandbox/types.js';
import { CI_VARS } from '../../ui/plain.js';
import { webAsset } from '../assets.js';
import type { LabContext, LabPlugin } from '../classroom/server.js';
import { sameSecret } from '../classroom/secrets.js';
import { boundsPlacer, DEFAULT_BOUNDS, type AttendeeBounds, type BoundsPlacer } from './bounds.js';
import { measuredCapacity, type Capacity } from './capacity.js';
import { LabManager } from './labManager.js';
import { fullPage, noClassPage } from './pages.js';
import { handleLabSocket } from './labSocket.js';

// `classroom --lab`: the routes of the browser lab, registered on the classroom's server. The page
// and its terminal (/lab), the attendee's socket (/ws/lab/:code), the instructor's reset, and a
// readiness endpoint that says how many places are left (an orchestrator stops sending new
// attendees to a full pod).

export interface LabOptions {
  /** the backend every attendee's sandbox uses (the capacity default depends on it) */
  backend: BackendChoice;
  /** resolved backend for the capacity figures when `backend` is auto */
  resolvedBackend: BackendName;
  /** at most this many sandboxes at once (default: the machine's measured capacity) */
  max?: number;
  idleMinutes?: number;
  /** the lab's own state (tokens, attendees' progress); hidden from every sandbox */
  stateDir: string;
  /** more directories no sandbox may see (the classroom's database) */
  hide?: string[];
  courseDir?: string;
  bounds?: AttendeeBounds;
  useCgroup?: boolean;
  /** called once the lab is ready: the manager (tests, the bench), the capacity and the bounds in use */
  onReady?: (lab: LabHandle) => void;
}

export interface LabHandle {
  manager: LabManager;
  capacity: Capacity | null;
  max: number;
  placer: BoundsPlacer;
  idleMinutes: number;
}

export const DEFAULT_IDLE_MINUTES = 30;
const WARN_MS = 2 * 60_000;

/** The tutor process of one attendee, built beside the CLI (src/build/bundle.ts). */
export function workerPath(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6 && !existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
  const p = path.join(dir, 'dist', 'server', 'labWorker.js');
  if (!existsSync(p)) throw new Error(`the browser lab is not built (${p} is missing): run \`npm run build\``);
  return p;
}

/**
 * An attendee's terminal is a browser, never a CI log, wherever the server runs: ink reads CI at
 * import and then draws no live area (no goal, no prompt), so the tutors get an environment without it.
 */
function withoutCi(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of CI_VARS) delete out[k];
  return out;
}

const LAB_CSP =
  // xterm.js styles its rows with <style> elements it creates: inline styles, never inline scripts.
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function cookieToken(req: FastifyRequest): string | undefined {
  const c = req.headers.cookie;
  if (typeof c !== 'string') return undefined;
  return /(?:^|;\s*)ipip_lab=([A-Za-z0-9_-]{43})(?:;|$)/.exec(c)?.[1];
}

function pageLang(req: FastifyRequest): Lang {
  const q = (req.query as Record<string, unknown>).lang;
  if (q === 'zh' || q === 'en') return q;
  return /^zh/i.test(String(req.headers['accept-language'] ?? '')) ? 'zh' : 'en';
}

export function labPlugin(o: LabOptions): LabPlugin {
  return async (root: FastifyInstance, ctx: LabContext) => {
    const capacity = o.max ? null : measuredCapacity(o.resolvedBackend);
    const max = o.max ?? capacity!.max;
    const idleMinutes = o.idleMinutes ?? DEFAULT_IDLE_MINUTES;
    const placer = boundsPlacer(o.bounds ?? DEFAULT_BOUNDS, o.useCgroup ?? true);
    const manager = new LabManager({
      stateDir: o.stateDir,
      courseDir: o.courseDir ?? defaultCourseDir(),
      backend: o.backend,
      max,
      idleMs: idleMinutes * 60_000,
      warnMs: Math.min(WARN_MS, (idleMinutes * 60_000) / 2),
      joinUrl: () => ctx.joinUrl,
      placer,
      workerPath: workerPath(),
      env: {
        ...withoutCi(process.env),
        FORCE_COLOR: '3',
        IPIP_TUTOR_HIDE_PATHS: [o.stateDir, ...(o.hide ?? [])].map((p) => path.resolve(p)).join(':'),
      },
    });
    root.addHook('onClose', async () => {
      await manager.close();
      await placer.close();
    });

    await root.register(async (app) => {
      // After the classroom's headers: the lab page's own policy.
      app.addHook('onSend', async (req, reply) => {
        if (req.url.startsWith('/lab')) reply.header('content-security-policy', LAB_CSP);
      });
      const isInstructor = (req: FastifyRequest) => {
        const auth = req.headers.authorization;
        const key = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : (req.query as Record<string, unknown>).key;
        return sameSecret(key, ctx.instructorKey);
      };
      const requireKey = async (req: FastifyRequest, reply: FastifyReply) => {
        if (!isInstructor(req)) return reply.code(403).send({ error: 'forbidden' });
      };

      app.get('/lab', async (req, reply) => {
        const code = (req.query as Record<string, unknown>).code;
        const lang = pageLang(req);
        if (!sameSecret(code, ctx.classCode)) return reply.code(404).type('text/html; charset=utf-8').send(noClassPage(lang));
        // A full class turns new attendees away here; one whose tutor runs comes back in.
        if (manager.remaining === 0 && !manager.known(cookieToken(req))?.running)
          return reply
            .code(503)
            .header('retry-after', '60')
            .type('text/html; charset=utf-8')
            .send(fullPage(lang, max, ctx.joinUrl));
        return reply.type('text/html; charset=utf-8').send(webAsset('lab.html'));
      });
      app.get('/lab/lab.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(webAsset('lab.js')));
      app.get('/lab/lab.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(webAsset('lab.css')));
      app.get('/lab/xterm.css', async (_req, reply) => reply.type('text/css; charset=utf-8').send(webAsset('xterm.css')));

      app.get<{ Params: { code: string } }>(
        '/ws/lab/:code',
        {
          websocket: true,
          preValidation: async (req, reply) => {
            if (!sameSecret(req.params.code, ctx.classCode)) return reply.code(403).send({ error: 'forbidden' });
          },
        },
        (socket: WebSocket) => handleLabSocket(manager, socket),
      );

      app.post<{ Params: { id: string } }>('/api/lab/reset/:id', { preHandler: requireKey }, async (req, reply) => {
        const r = manager.reset(req.params.id);
        if (r === 'unknown') return reply.code(404).send({ error: 'no such lab attendee' });
        if (r === 'not-running') return reply.code(409).send({ error: 'no sandbox running (idle, or not back yet)' });
        return { reset: req.params.id };
      });
      app.get('/api/lab', { preHandler: requireKey }, async () => ({
        max,
        running: manager.running,
        remaining: manager.remaining,
        bounds: { kind: placer.kind, detail: placer.detail },
        attendees: manager.sessions().map((s) => ({
          learnerId: s.learnerId,
          name: s.name,
          running: s.running,
          connected: s.socket !== null,
          idleMs: Date.now() - s.lastActive,
          where: s.where,
        })),
      }));
      // Liveness: the server answers (a full lab is alive, only not ready for more).
      app.get('/healthz/live', async () => ({ ok: true }));
      // Readiness: 200 while a place is left, 503 when full (no key: it tells only counts).
      app.get('/healthz/lab', async (_req, reply) => {
        const body = { max, running: manager.running, remaining: manager.remaining };
        return reply.code(manager.remaining > 0 ? 200 : 503).send(body);
      });
    });
    o.onReady?.({ manager, capacity, max, placer, idleMinutes });
  };
}
