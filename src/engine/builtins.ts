import type { Builtin } from './types.js';
import { flowCommand } from '../packets/flowCommand.js';
import { pm } from '../packets/messages.js';

// Commands the tutor answers itself at the prompt, as `tutor NAME ...`.
export function builtins(): Record<string, Builtin> {
  return {
    flow: (args, { sandbox, lang, course, width, signal }) =>
      course.flow
        ? flowCommand(sandbox, args, { lang, width, defaults: course.flow, ...(signal ? { signal } : {}) })
        : Promise.resolve(pm(lang, 'flowNoDefault')),
  };
}
