import { EXIT } from '../../engine/errors.js';
import { lintRun, lintStatic } from '../../engine/lint.js';
import { tcli } from '../../i18n/cliMessages.js';
import type { Lang } from '../../i18n/lang.js';
import { sandboxFactory, type BackendChoice } from '../../sandbox/factory.js';

export async function lintCommand(o: {
  dir: string;
  run: boolean;
  backend: BackendChoice;
  json: boolean;
  lang: Lang;
  out: (l: string) => void;
}): Promise<number> {
  const { course, problems } = lintStatic(o.dir);
  const runs: { step: string; ok: boolean; message: string }[] = [];
  if (!o.json) for (const p of problems) o.out(`${p.level === 'error' ? '✗' : '!'} ${p.where}: ${p.message}`);
  const errors = problems.filter((p) => p.level === 'error').length;
  let runOk = true;
  if (o.run && course && errors === 0) {
    const factory = await sandboxFactory(o.backend, o.lang);
    if (!o.json) o.out(tcli(o.lang, 'lint_playing', { backend: factory.backend }));
    runOk = await lintRun(course, factory.make, o.lang, (r) => {
      runs.push(r);
      if (!o.json) o.out(`${r.ok ? '✓' : r.warning ? '!' : '✗'} ${r.step}: ${r.message}`);
    });
  }
  const ok = errors === 0 && runOk && course !== null;
  if (o.json) o.out(JSON.stringify({ ok, problems, runs }, null, 2));
  else
    o.out(
      ok
        ? problems.length
          ? tcli(o.lang, 'lint_fine_warnings', { dir: o.dir, n: problems.length })
          : tcli(o.lang, 'lint_fine', { dir: o.dir })
        : tcli(o.lang, 'lint_problems', { dir: o.dir }),
    );
  return ok ? EXIT.ok : EXIT.failed;
}
