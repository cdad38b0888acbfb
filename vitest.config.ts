import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Fails the run when a test leaves a temporary folder behind (test/helpers/temp-dir.ts removes them).
    globalSetup: ['test/global-setup.ts'],
    // Training tests are CPU-bound; two workers match the 2-core machines CI runs on.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 1 } },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
