import { defineConfig } from 'vitest/config';

// One throwaway PostgreSQL cluster per test run (test/support/global-setup.ts);
// integration and e2e tests share it, each in its own database or roles.
export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // e2e tests drive tmux sessions and real servers; two cores on CI.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
