// ESM tests as they are (no transform); one server per file needs a few seconds on a cold start.
export default { transform: {}, testTimeout: 30_000, testMatch: ['**/test/jest/**/*.test.mjs'] };
