export default { test: { include: ['test/vitest/**/*.test.mjs'], testTimeout: 30_000, hookTimeout: 60_000 } };
