// The agent that runs inside the UML guest. It is plain CommonJS kept as a string so it works the
// same from src/ (vitest) and dist/ (tsc): the host writes it into the boot directory, and the
// guest runs it with the host's own node binary (visible through hostfs).
//
// Channel: the guest's /dev/ttyS0 (UML serial line bound to host pipes), put in raw mode.
// Protocol: one JSON object per line.
//   host -> guest  {t:'run', id, sh}            run `bash -c sh`
//                  {t:'run', id, argv}          run argv directly (no shell)
//                  {t:'sig', id, sig}           signal the command's process group
//        a run may carry max: byte cap on stdout+stderr (the agent kills at the cap),
//        input: text for the command's stdin, merge: stdout and stderr into one ordered stream
//   guest -> host  {t:'ready', kernel, canIpip}      after shims and /lib/modules are in place
//                  {t:'o', id, s: 1|2, d: base64}     an output chunk
//                  {t:'cap', id, s}                   the output cap was hit on stream s (command SIGKILLed)
//                  {t:'x', id, code, sig}             the command ended
//                  {t:'log', msg}                     diagnostics

import { SANDBOX_PATH, SHIM_DIR } from '../defaults.js';
import { UML_MODULES_ROOT } from './bootPlan.js';

const AGENT_BODY = String.raw`
'use strict';
const cp = require('child_process');
const fs = require('fs');
const os = require('os');

const ENV = {
  PATH: CONFIG.path,
  HOME: '/root',
  USER: 'root',
  LOGNAME: 'root',
  SHELL: '/bin/bash',
  LANG: 'C.UTF-8',
  TERM: 'dumb',
};
const CWD = '/tmp';

const out = process.stdout;
function send(obj) {
  out.write(JSON.stringify(obj) + '\n');
}

const jobs = new Map();

function start(m) {
  const id = m.id;
  const file = typeof m.sh === 'string' ? '/bin/bash' : m.argv[0];
  const args = typeof m.sh === 'string' ? ['-c', m.sh] : m.argv.slice(1);
  const max = typeof m.max === 'number' && m.max > 0 ? m.max : 0;
  let child;
  let done = false;
  let bytes = 0;
  let capped = false;
  let exitInfo = null;
  // merge: stdout and stderr share one file so their order survives (used by ip batches).
  const mergeFile = m.merge ? '/run/ipip-tutor/merge-' + id : null;
  let mergeFd = null;
  const finish = (code, sig) => {
    if (done) return;
    done = true;
    jobs.delete(id);
    if (mergeFile) flushMerged();
    send({ t: 'x', id: id, code: code, sig: sig });
  };
  const flushMerged = () => {
    try {
      let data = fs.readFileSync(mergeFile);
      fs.unlinkSync(mergeFile);
      if (max && data.length > max) data = data.subarray(0, max);
      for (let i = 0; i < data.length; i += 49152) {
        send({ t: 'o', id: id, s: 1, d: data.subarray(i, i + 49152).toString('base64') });
      }
    } catch (e) {
      send({ t: 'o', id: id, s: 2, d: Buffer.from('ipip-tutor agent: ' + e.message + '\n').toString('base64') });
    }
  };
  try {
    if (mergeFile) mergeFd = fs.openSync(mergeFile, 'w+');
    const input = typeof m.input === 'string' ? 'pipe' : 'ignore';
    const out = mergeFd !== null ? mergeFd : 'pipe';
    child = cp.spawn(file, args, { cwd: CWD, env: ENV, detached: true, stdio: [input, out, out] });
  } catch (e) {
    send({ t: 'o', id: id, s: 2, d: Buffer.from(String(file) + ': ' + e.message + '\n').toString('base64') });
    finish(127, null);
    return;
  } finally {
    if (mergeFd !== null) fs.closeSync(mergeFd);
  }
  if (typeof m.input === 'string' && child.stdin) {
    child.stdin.on('error', () => {});
    child.stdin.end(m.input);
  }
  jobs.set(id, child);
  const onData = (s) => (buf) => {
    if (done || capped) return;
    if (max) {
      bytes += buf.length;
      if (bytes > max) {
        buf = buf.subarray(0, buf.length - (bytes - max));
        capped = true;
      }
    }
    if (buf.length) send({ t: 'o', id: id, s: s, d: buf.toString('base64') });
    if (capped) {
      send({ t: 'cap', id: id, s: s });
      kill(child, 'SIGKILL');
    }
  };
  if (child.stdout) child.stdout.on('data', onData(1));
  if (child.stderr) child.stderr.on('data', onData(2));
  child.on('error', (e) => {
    if (done) return;
    const msg = e.code === 'ENOENT' ? file + ': command not found\n' : file + ': ' + e.message + '\n';
    send({ t: 'o', id: id, s: 2, d: Buffer.from(msg).toString('base64') });
    finish(e.code === 'ENOENT' ? 127 : 126, null);
  });
  child.on('exit', (code, sig) => {
    exitInfo = { code: code, sig: sig };
    // A background job may hold the pipes open: do not wait for it for long.
    setTimeout(() => finish(exitInfo.code, exitInfo.sig), 150);
  });
  child.on('close', (code, sig) => {
    if (exitInfo) finish(exitInfo.code, exitInfo.sig);
    else finish(code, sig);
  });
}

function kill(child, sig) {
  try {
    process.kill(-child.pid, sig);
  } catch (e) {
    try { child.kill(sig); } catch (e2) { /* gone */ }
  }
}

let buf = '';
function onLine(line) {
  line = line.trim();
  if (!line) return;
  let m;
  try { m = JSON.parse(line); } catch (e) { send({ t: 'log', msg: 'bad line: ' + line.slice(0, 80) }); return; }
  if (m.t === 'run') start(m);
  else if (m.t === 'sig') {
    const child = jobs.get(m.id);
    if (child) kill(child, m.sig || 'SIGINT');
  } else if (m.t === 'ping') send({ t: 'pong', id: m.id });
}

function main() {
  try {
    fs.mkdirSync(CONFIG.shimDir, { recursive: true });
    for (const name of Object.keys(CONFIG.shims)) {
      fs.writeFileSync(CONFIG.shimDir + '/' + name, CONFIG.shims[name], { mode: 0o755 });
    }
  } catch (e) {
    process.stderr.write('ipip-tutor agent: shims: ' + e.message + '\n');
  }
  const release = os.release();
  const modDir = '/lib/modules/' + release;
  // Make the kernel's modules visible where modprobe looks (/usr/lib is an overlay by now).
  if (!fs.existsSync(modDir) && fs.existsSync(CONFIG.umlModules + '/' + release)) {
    try {
      fs.symlinkSync('uml/modules', '/usr/lib/modules');
    } catch (e) {
      try { fs.symlinkSync('../uml/modules/' + release, '/usr/lib/modules/' + release); } catch (e2) {
        process.stderr.write('ipip-tutor agent: cannot link modules: ' + e2.message + '\n');
      }
    }
  }
  let builtin = '';
  try { builtin = fs.readFileSync(modDir + '/modules.builtin', 'utf8'); } catch (e) { /* none */ }
  const has = (ko) => fs.existsSync(modDir + '/kernel/net/ipv4/' + ko) || builtin.includes('/' + ko);
  const features = { ipip: has('ipip.ko'), gre: has('ip_gre.ko') };
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      onLine(line);
    }
  });
  process.stdin.on('end', () => process.exit(0));
  send({ t: 'ready', kernel: release, features: features });
}
main();
`;

/** The agent's complete source, with its configuration (PATH, shims) baked in. */
export function agentSource(shims: Record<string, string>): string {
  const config = { path: SANDBOX_PATH, shimDir: SHIM_DIR, umlModules: UML_MODULES_ROOT, shims };
  return `// ipip-tutor UML guest agent (generated)\nconst CONFIG = ${JSON.stringify(config)};\n${AGENT_BODY}`;
}
