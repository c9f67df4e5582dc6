// One line at the end of every run that says how many real-tool tests were
// skipped and how to get them to run; nothing when none was. .ci/run fails
// the build on this line: CI installs every tool and runs them all. A second
// line counts the User-Mode-Linux tests that could not run on this CPU with
// the tool installed (system-tools.ts umlCannotRun): said, not failed, since
// no package of the machine's Debian runs them there.
import type { Reporter, TestModule } from 'vitest/node';
import { SKIP_MARK, UML_CANNOT_RUN } from './system-tools.js';

function skippedWith(modules: ReadonlyArray<TestModule>, mark: string): number {
  let count = 0;
  for (const module of modules) for (const test of module.children.allTests('skipped')) if (test.fullName.includes(mark)) count++;
  return count;
}

export function skippedToolTests(modules: ReadonlyArray<TestModule>): number {
  return skippedWith(modules, SKIP_MARK);
}

export default class ToolSkipsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const count = skippedToolTests(modules);
    if (count > 0) process.stdout.write(`\n${count} real-tool test${count === 1 ? '' : 's'} skipped: install the tools with \`sudo .ci/install-tools\`\n`);
    const uml = skippedWith(modules, UML_CANNOT_RUN);
    if (uml > 0) process.stdout.write(`\n${uml} User-Mode-Linux test${uml === 1 ? '' : 's'} not run: ${UML_CANNOT_RUN} (see test/system-tools.ts umlCannotRun)\n`);
  }
}
