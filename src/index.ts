// Library entry for TypeScript callers (tests, embedding): start a server in-process.
export { startServer, type RunningServer } from './server.ts';
export { resolveConfig, type Config } from './config.ts';
export { warmSpeech } from './media/tts/espeak.ts';
