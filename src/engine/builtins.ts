import type { Builtin } from './session.js';
import { flowCommand } from '../packets/flow.js';

// Commands the tutor answers itself at the prompt, as `tutor NAME ...`.
export function builtins(): Record<string, Builtin> {
  return {
    flow: (args, { sandbox, lang }) => flowCommand(sandbox, args, lang),
  };
}
