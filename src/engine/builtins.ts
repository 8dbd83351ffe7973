import type { Builtin } from './types.js';
import { tu } from '../i18n/uiMessages.js';
import { flowCommand } from '../packets/flowCommand.js';

// Commands the tutor answers itself at the prompt, as `tutor NAME ...`.
export function builtins(): Record<string, Builtin> {
  return {
    flow: (args, { sandbox, lang, course, width, signal }) =>
      course.flow
        ? flowCommand(sandbox, args, { lang, width, defaults: course.flow, ...(signal ? { signal } : {}) })
        : Promise.resolve(tu(lang, 'ui_flow_no_path')),
  };
}
