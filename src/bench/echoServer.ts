// The classroom bench's floor: a bare `ws` server that echoes every frame, in a process of its
// own like the classroom server. Prints its port on stdout and runs until killed.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => ws.on('message', (d, binary) => ws.send(d, { binary })));
wss.on('listening', () => {
  const a = wss.address();
  process.stdout.write(`port: ${typeof a === 'object' && a ? a.port : a}\n`);
});
