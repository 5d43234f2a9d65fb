// Entry of a media worker thread. Worker threads do not inherit the main
// thread's TypeScript loader when it was registered from code (bin/), so the
// thread registers tsx itself before loading the worker.
import { register } from 'tsx/esm/api';
register();
await import('./rtp-worker.ts');
