import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../confine.js';
import { SandboxError } from '../types.js';

// Where the guest agent binary lives: dist/guest-agent in the package (built from guest/agent.c by
// `npm run build`, src/build/guestAgent.ts). The same path serves src/ (tests) and dist/.

export function guestAgentPath(): string {
  return path.join(packageRoot() ?? process.cwd(), 'dist', 'guest-agent');
}

/** The agent's path, or a SandboxError saying how to build it. */
export function requireGuestAgent(): string {
  const p = guestAgentPath();
  try {
    accessSync(p, constants.R_OK | constants.X_OK);
  } catch {
    throw new SandboxError({ key: 'agent_missing', params: { path: p } }, { key: 'fix_agent_missing' });
  }
  return p;
}
