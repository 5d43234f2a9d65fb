// Running SIPp (Debian's sip-tester, put in place by scripts/ensure-sip-tools.sh)
// in tests: one scenario from test/telephony/sip/sipp/ to completion, and
// the reason to skip when it is not installed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
export { freeUdpPort } from '../../helpers/ports.ts';
import { spawnChild } from '../../helpers/children.ts';
import os from 'node:os';
import path from 'node:path';

const SIPP = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
export const skip = SIPP.error ? `sipp is not installed (${SIPP.error.message}); run scripts/ensure-sip-tools.sh` : false;
const SCENARIOS = path.join(path.dirname(new URL(import.meta.url).pathname), 'sipp');

/** Run one SIPp scenario to completion; resolves with its exit code and, on failure, its error log. */
export function sipp(scenario: string, args: string[]): Promise<{ code: number | null; log: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sipp-'));
  const child = spawnChild('sipp', ['-sf', path.join(SCENARIOS, scenario), '-m', '1', '-i', '127.0.0.1', '-timeout', '20s', '-timeout_error', '-nostdin', '-trace_err', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      const errors = readdirSync(dir).filter((f) => f.endsWith('_errors.log')).map((f) => readFileSync(path.join(dir, f), 'utf8')).join('\n');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, log: code === 0 ? '' : `${errors}\n${out.slice(-3000)}` });
    });
  });
}
