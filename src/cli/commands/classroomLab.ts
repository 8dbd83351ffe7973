import { join } from 'node:path';
import { tl } from '../../i18n/labMessages.js';
import type { Lang } from '../../i18n/lang.js';
import { chooseBackend } from '../../sandbox/select.js';
import type { BackendChoice } from '../../sandbox/factory.js';
import { labPlugin, type LabHandle } from '../../server/lab/plugin.js';
import type { LabPlugin } from '../../server/classroom/server.js';

// `classroom --lab`: the browser lab's plugin for the classroom server. The backend is chosen
// once here (as a tutor would), so the capacity default fits it and a machine with no usable
// sandbox fails before the class starts, with the same message and fix as the tutor's.
export async function labFor(o: {
  dir: string;
  lang: Lang;
  backend?: BackendChoice;
  labMax?: number;
  labIdle?: number;
  courseDir?: string;
}): Promise<{ plugin: LabPlugin; describe: () => string }> {
  const choice = await chooseBackend(o.backend ?? 'auto', o.lang);
  let handle: LabHandle | undefined;
  const plugin = labPlugin({
    backend: choice.backend,
    resolvedBackend: choice.backend,
    stateDir: join(o.dir, 'lab'),
    // the class's database and keys, and the lab's tokens and progress: never visible in a sandbox
    hide: [o.dir],
    ...(o.labMax !== undefined ? { max: o.labMax } : {}),
    ...(o.labIdle !== undefined ? { idleMinutes: o.labIdle } : {}),
    ...(o.courseDir !== undefined ? { courseDir: o.courseDir } : {}),
    onReady: (h) => (handle = h),
  });
  return {
    plugin,
    describe: () =>
      handle
        ? tl(o.lang, 'lab_ready', {
            max: handle.max,
            why: handle.capacity ? handle.capacity.why : '--lab-max',
            idle: handle.idleMinutes,
            bounds: `${handle.placer.kind}: ${handle.placer.detail}`,
          })
        : '',
  };
}
