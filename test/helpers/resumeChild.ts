// A learner's session that "crashes": run by kill.test.ts as a separate process, it works
// through the course with the real engine and a file progress store until it reaches the
// step named on the command line, says so, and then waits to be SIGKILLed (no close()).
//
// usage: node --import tsx test/helpers/resumeChild.ts COURSE_DIR STATE_DIR LESSON/STEP
import { loadCourse } from '../../src/course/load.js';
import { fileProgressStore } from '../../src/course/progressStore.js';
import { Controller } from '../../src/engine/controller.js';
import { createHostSandbox } from '../../src/sandbox/host/hostSandbox.js';
import { hostShims } from '../../src/sandbox/hostShims.js';

const [courseDir, stateDir, untilKey] = process.argv.slice(2);
if (!courseDir || !stateDir || !untilKey) {
  process.stderr.write('usage: resumeChild COURSE_DIR STATE_DIR LESSON/STEP\n');
  process.exit(64);
}

const course = loadCourse(courseDir);
const session = new Controller({
  course,
  makeSandbox: () => createHostSandbox({ shims: hostShims() }),
  store: fileProgressStore(course, stateDir),
  lang: 'en',
});
await session.start();
while (session.current.key !== untilKey) {
  await session.solve();
  if (!session.stepPassed) {
    process.stdout.write(`FAILED ${session.current.key}\n`);
    process.exit(1);
  }
  process.stdout.write(`DONE ${session.current.key}\n`);
  if (!(await session.next())) {
    process.stdout.write('END\n');
    process.exit(1);
  }
}
process.stdout.write(`AT ${session.current.key}\n`);
// Keep the sandbox and the progress file as they are until the parent kills us.
setInterval(() => {}, 60_000);
