import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Fails the run when a test leaves a temporary folder behind (test/helpers/temp-dir.ts removes them).
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/clean-temp-dirs.ts'],
    // Training tests are CPU-bound: three forks keep 2 cores busy while one waits on a child process.
    // Files share a fork's modules (isolate false): tfjs, h5wasm and the wasm kernels load once a fork,
    // not once a file (collect 93 s -> 18 s here); no test file mocks modules or relies on fresh globals.
    // As many forks at least as at most: tinypool retires an idle fork above the minimum, and that race
    // at the run's end once rejected with "Terminating worker thread" and no summary.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 3, minForks: 3, isolate: false } },
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
