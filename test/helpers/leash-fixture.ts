// Run by children.test.ts as a test file would be: starts a server process
// and a native program through the helpers, prints their ids and its own as
// one JSON line, then waits (as a hung test does) to be killed.
import { startTestServer } from './server.ts';
import { spawnChild } from './children.ts';

const server = await startTestServer();
const native = spawnChild('sleep', ['600'], { stdio: 'ignore' });
process.stdout.write(JSON.stringify({ file: process.pid, server: server.pid, native: native.pid, url: server.url }) + '\n');
setInterval(() => undefined, 60_000);
