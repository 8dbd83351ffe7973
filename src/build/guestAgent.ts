// The UML guest agent (src/sandbox/uml/guest/agent.c) is a static C program compiled here, at
// build time, into dist/guest-agent, and shipped in the package: the guest runs it through hostfs.
// Static, so it maps no shared libraries (each mapping is a cost at every fork inside UML).
// linux.uml exists only for x86, so one x86-64 binary serves every learner who can run the backend.
import { execaSync } from 'execa';
import { fileURLToPath } from 'node:url';
import { guestAgentPath } from '../sandbox/uml/guestAgent.js';

const SOURCE = fileURLToPath(new URL('../sandbox/uml/guest/agent.c', import.meta.url));

export function buildGuestAgent(): void {
  const cc = process.env.CC ?? 'cc';
  const args = ['-O2', '-static', '-s', '-Wall', '-Wextra', '-Werror', '-o', guestAgentPath(), SOURCE];
  try {
    execaSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (e) {
    // Without it the uml backend says what to do (guestAgent.ts); the host backend is unaffected.
    process.stderr.write(
      `build: could not compile the UML guest agent with \`${cc} ${args.join(' ')}\`: ${(e as Error).message}\n` +
        'build: the uml backend needs it (Debian/Ubuntu: apt-get install gcc libc6-dev, then npm run build)\n',
    );
    if (process.env.IPIP_TUTOR_REQUIRE_AGENT === '1') process.exit(1);
  }
}
