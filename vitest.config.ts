import { defineConfig } from 'vitest/config';

/**
 * Test files that get a process of their own. complexity.test.ts changes
 * something for the rest of its process: it replaces Array.prototype's
 * iterator while it counts (V8 then leaves its fast path for spreads and
 * for-of off in that process for good). The heap tests weigh what a build
 * holds by the heap a collection frees, which whatever an earlier file in
 * the same worker left running (a child's output arriving, a timer) adds
 * to: in a shared worker the output texts once weighed 1.7 bytes a
 * character in all three trials, against about 1.05 alone.
 * lint-text-once.test.ts gives gen's loader the bundle's js-yaml (vi.mock):
 * in a worker that loaded the loader before, it would get js-yaml itself.
 * js-yaml-patch.test.ts weighs what a reading holds in heap snapshots, whose
 * time grows with the worker's heap: in a shared worker late in a loaded
 * run two of its tests took 96 and 146 s (past the timeout), alone 7 to 8 s.
 */
const OWN_PROCESS = ['test/core/complexity.test.ts', 'test/core/js-yaml-patch.test.ts', 'test/core/loaded-heap.test.ts', 'test/core/lint-text-once.test.ts', 'test/core/build-heap-growth.test.ts', 'test/core/output-texts.test.ts', 'test/opnsense/streamed-items.test.ts', 'test/opnsense/identity.test.ts', 'test/opnsense/merge-output.test.ts'];

export default defineConfig({
  test: {
    // Both cores: two test files at a time (vitest would take one worker on a two-core machine).
    maxWorkers: 2,
    // Real-tool tests (wireguard-go, ifupdown2 in User-Mode-Linux) take seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // A temporary directory of the run's own, removed at its end (test/run-tmpdir.ts).
    globalSetup: ['./test/run-tmpdir.ts'],
    // The default report, then one line counting the real-tool tests that skipped.
    reporters: ['default', './test/tool-skips-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'gen',
          include: ['test/**/*.test.ts'],
          exclude: OWN_PROCESS,
          // A worker runs file after file with the modules it has loaded: loading
          // gen and its libraries again for each of ~80 files cost more CPU than
          // most of the tests. No test leaves state behind (a test that sets an
          // environment variable, the umask or a spy puts it back).
          isolate: false,
        },
      },
      // Named to sort before 'gen': vitest starts projects in name order, and the
      // complexity test, one of the longest files, started last and ran alone at the end.
      // A young generation of 32 MB instead of 16: the complexity test builds models of
      // thousands of items and spent about a quarter of its CPU in garbage collection.
      { extends: true, test: { name: 'alone', include: OWN_PROCESS, isolate: true, execArgv: ['--max-semi-space-size=32'] } },
    ],
  },
});
