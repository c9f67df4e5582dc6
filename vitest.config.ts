import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real-tool tests (wireguard-go, ifupdown2 in User-Mode-Linux) take seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // The default report, then one line counting the real-tool tests that skipped.
    reporters: ['default', './test/tool-skips-reporter.ts'],
  },
});
