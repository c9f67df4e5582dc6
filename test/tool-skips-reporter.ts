// One line at the end of every run that says how many real-tool tests were
// skipped and how to get them to run; nothing when none was. .ci/run fails
// the build on this line: CI installs every tool and runs them all.
import type { Reporter, TestModule } from 'vitest/node';
import { SKIP_MARK } from './system-tools.js';

export function skippedToolTests(modules: ReadonlyArray<TestModule>): number {
  let count = 0;
  for (const module of modules) for (const test of module.children.allTests('skipped')) if (test.fullName.includes(SKIP_MARK)) count++;
  return count;
}

export default class ToolSkipsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const count = skippedToolTests(modules);
    if (count > 0) process.stdout.write(`\n${count} real-tool test${count === 1 ? '' : 's'} skipped: install the tools with \`sudo .ci/install-tools\`\n`);
  }
}
