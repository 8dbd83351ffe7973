import type { WebSocket } from 'ws';
import { parseFrame } from '../classroom/protocol.js';
import { tokenBucket } from '../classroom/rateLimit.js';
import type { LabManager } from './labManager.js';
import type { LabSession } from './session.js';
import { browserMessageSchema, LAB_LIMITS, type LabServerMessage } from './socketProtocol.js';

// One browser tab of the lab: hello first (name, language, terminal size, the stored token if
// any), then keys and resizes. Every frame is validated and rate-limited; a tab that floods or
// sends garbage is cut off, and can only ever reach its own session.

const HELLO_MS = 10_000;
const STRIKES = 20;

export function handleLabSocket(manager: LabManager, socket: WebSocket): void {
  let session: LabSession | null = null;
  let strikes = 0;
  const take = tokenBucket(LAB_LIMITS.ratePerSec, LAB_LIMITS.burst);
  const send = (m: LabServerMessage) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(m));
  const helloTimer = setTimeout(() => socket.close(4000, 'hello expected'), HELLO_MS);
  const strike = () => {
    if (++strikes >= STRIKES) socket.terminate();
  };

  socket.on('message', (data, isBinary) => {
    if (!take()) return strike();
    const raw = data.toString();
    if (isBinary || raw.length > LAB_LIMITS.frameBytes) return strike();
    const m = parseFrame(browserMessageSchema, raw);
    if (!m) return strike();
    if (m.t === 'hello') {
      if (session) return strike();
      clearTimeout(helloTimer);
      const a = manager.admit(m.token, m.name, m.lang, socket, m.cols, m.rows);
      if (!a.ok) {
        send({ t: 'full', max: a.max });
        socket.close(1000, 'full');
        return;
      }
      session = a.session;
      send({ t: 'session', token: a.token!, learnerId: a.session.learnerId, name: a.session.name, resumed: a.resumed });
      return;
    }
    if (!session || session.socket !== socket) return strike();
    if (m.t === 'in') session.input(m.d);
    else if (m.t === 'resize') session.resize(m.cols, m.rows);
    else send({ t: 'pong' });
  });
  socket.on('close', () => {
    clearTimeout(helloTimer);
    session?.detach(socket);
  });
  socket.on('error', () => socket.terminate());
}
