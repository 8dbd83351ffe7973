import { defineConfig } from 'vitest/config';

// Integration tests boot real sandboxes (namespaces, UML kernels): give them room and keep
// parallelism low on a 2-core machine so timings stay sane.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
