import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tcpdumpShim } from './host/tcpdumpShim.js';

// Debian's tcpdump cannot start in an unprivileged user namespace (it insists on dropping
// privileges with initgroups), so the host sandbox gets a `tcpdump` that captures with dumpcap
// and decodes with our own decoder. Only the compiled entry can run under plain node.
export function hostShims(): Record<string, string> {
  const entry = fileURLToPath(new URL('../packets/tcpdumpLite.js', import.meta.url));
  const compiled = existsSync(entry) ? entry : fileURLToPath(new URL('../../dist/packets/tcpdumpLite.js', import.meta.url));
  return { tcpdump: tcpdumpShim(process.execPath, compiled) };
}
