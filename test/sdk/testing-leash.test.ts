// The kit's child-mode server (jest's default) dies with the test process
// that started it when a runner kills that process outright (kit/leash.mjs
// plays the test process; the same check runs on the packed package in
// scripts/newcomer-test.sh).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { killTestProcess } from './kit/leash.mjs';
import { leashMissing } from '../helpers/children.ts';

describe('a child-mode server dies with its test process', { skip: process.platform !== 'linux' && 'finds processes in /proc (Linux)', concurrency: true }, () => {
  test('SIGKILL of the test process (a runner ending a worker that timed out): the kernel ends its server (setpriv --pdeathsig)', { skip: leashMissing }, async () => {
    const { server, gone, answers } = await killTestProcess();
    assert.ok(gone, `the server (pid ${server}) outlived its test process`);
    assert.equal(answers, false, 'nothing answers on its port');
  });

  test('without setpriv (macOS, minimal images): the server stops when its stdin, a pipe from the dead test process, closes', async () => {
    const { server, gone, answers } = await killTestProcess({ env: { ...process.env, PATH: '/nonexistent' } });
    assert.ok(gone, `the server (pid ${server}) outlived its test process`);
    assert.equal(answers, false, 'nothing answers on its port');
  });
});
