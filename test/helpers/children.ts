// Processes a test starts (servers, SIPp, baresip, CLI runs) die with the test
// file that started them, however the file ends: its tests finishing or
// failing, the runner's per-file timeout (a SIGTERM, which skips 'exit'
// handlers), any other signal, or its process killed outright. A process left
// behind holds ports and CPU for the next files and runs.
//
// On Linux each child is started through util-linux's `setpriv --pdeathsig`
// (scripts/leash.mjs): the kernel sends it SIGKILL when this process dies,
// whatever kills it. Where setpriv is missing only the exit hook below
// remains, which a SIGTERM or SIGKILL of this process skips.
import { spawn, type ChildProcess, type ChildProcessByStdio, type ChildProcessWithoutNullStreams, type SpawnOptions, type SpawnOptionsWithoutStdio, type SpawnOptionsWithStdioTuple, type StdioNull, type StdioPipe } from 'node:child_process';
import type { Readable } from 'node:stream';
import { canLeash, leash } from '../../scripts/leash.mjs';

export { leash };

/** Why a leash cannot be proven here (for the test that checks it), or false. */
export const leashMissing = canLeash ? false : 'needs Linux and util-linux setpriv (--pdeathsig)';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** `spawn`, with the child leashed to this process (see above). */
export function spawnChild(command: string, args: readonly string[], options?: SpawnOptionsWithoutStdio): ChildProcessWithoutNullStreams;
export function spawnChild(command: string, args: readonly string[], options: SpawnOptionsWithStdioTuple<StdioNull, StdioPipe, StdioPipe>): ChildProcessByStdio<null, Readable, Readable>;
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions): ChildProcess;
export function spawnChild(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  const child = spawn(...leash(command, args), options);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
