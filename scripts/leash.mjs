// A command rewritten so its process dies with the one that starts it,
// however that one ends (a signal, a crash, SIGKILL): util-linux's `setpriv
// --pdeathsig` has the kernel send it `signal` then (prctl PR_SET_PDEATHSIG,
// kept across the exec into the real program). Without setpriv (not Linux)
// the command is left as it is. Used by `npm test` for its runner and by the
// tests for every process they start (test/helpers/children.ts).
import { spawnSync } from 'node:child_process';

/** Whether commands can be leashed here. */
export const canLeash = process.platform === 'linux' && spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true']).status === 0;

/** `[command, args]` to spawn so the process gets `signal` when this one dies. */
export function leash(command, args, signal = 'KILL') {
  return canLeash ? ['setpriv', ['--pdeathsig', signal, '--', command, ...args]] : [command, [...args]];
}
