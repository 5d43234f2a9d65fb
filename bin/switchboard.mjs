#!/usr/bin/env node
// The package ships TypeScript sources; tsx compiles them on load so `npm ci`
// needs no build step and a fresh clone runs as it is.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
