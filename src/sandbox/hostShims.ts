import { tcpdumpShim } from './host/tcpdumpShim.js';

// Programs the host sandbox puts first on its PATH beside the common shims. Debian's tcpdump
// cannot start in an unprivileged user namespace (it insists on dropping privileges with
// initgroups), so the sandbox's `tcpdump` captures with dumpcap and has the tutor's relay run
// the real tcpdump outside (host/tcpdumpRelay.ts).
export function hostShims(): Record<string, string> {
  return { tcpdump: tcpdumpShim() };
}
