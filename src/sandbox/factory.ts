import { createHostSandbox } from './host/hostSandbox.js';
import { chooseBackend } from './select.js';
import { hostShims } from './hostShims.js';
import type { BackendName, Sandbox, SandboxOptions } from './types.js';
import type { Lang } from '../i18n/lang.js';

// One place that turns `--backend auto|host|uml` into a function making fresh sandboxes.
export type BackendChoice = BackendName | 'auto';

export interface SandboxFactory {
  backend: BackendName;
  reason: string;
  /** `o`: this sandbox's options (e.g. where to report its boot phases). */
  make: (o?: SandboxOptions) => Promise<Sandbox>;
}

export async function sandboxFactory(choice: BackendChoice, lang: Lang = 'en'): Promise<SandboxFactory> {
  const { backend, reason, hostIpip } = await chooseBackend(choice, lang);
  if (backend === 'host') return { backend, reason, make: (o) => createHostSandbox({ ...o, shims: hostShims(), ipip: hostIpip }) };
  const { createUmlSandbox } = await import('./uml/umlSandbox.js');
  return { backend, reason, make: (o) => createUmlSandbox(o) };
}
