// sipvicious (Debian's, from scripts/ensure-sip-tools.sh) against our stack
// with its source guard: svmap finds no SIP server, svwar no extension,
// svcrack no password, and each source is blocked with the reason logged.
// Skipped, saying why, when sipvicious is not installed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { spawnChild } from '../../helpers/children.ts';
import { within } from '../../helpers/until.ts';
import { RealClock } from '../../../src/clock/clock.ts';
import { SipStack } from '../../../src/telephony/sip/sip-stack.ts';
import { NetSipTransport } from '../../../src/telephony/sip/transport/sip-transport.ts';
import { DigestServer } from '../../../src/telephony/sip/auth/digest-server.ts';
import { ha1 } from '../../../src/telephony/sip/auth/digest.ts';
import { RequestAuthenticator } from '../../../src/telephony/sip/auth/request-authenticator.ts';
import { Registrar } from '../../../src/telephony/sip/registrar/registrar.ts';
import { registerHandler } from '../../../src/telephony/sip/registrar/register-handler.ts';
import { SourceGuard } from '../../../src/telephony/sip/security/source-guard.ts';

const probe = spawnSync('svmap', ['--version'], { encoding: 'utf8' });
const skip = probe.error ? `sipvicious is not installed (${probe.error.message}); run scripts/ensure-sip-tools.sh` : false;

/** A stack whose one endpoint ("101") has the weak password "101", and what it logged. */
async function guardedStack() {
  const clock = new RealClock();
  const logs: string[] = [];
  const logger = {
    warn: (o: object, m: string) => logs.push(`${m} ${JSON.stringify(o)}`),
    info: (o: object, m: string) => logs.push(`${m} ${JSON.stringify(o)}`),
    debug: () => undefined,
    error: (o: object, m: string) => logs.push(`${m} ${JSON.stringify(o)}`),
  };
  const guard = new SourceGuard({ clock, logger });
  const stack = new SipStack({ clock, publicAddress: '127.0.0.1', guard, logger });
  const transport = await NetSipTransport.listen({ host: '127.0.0.1', port: 0, clock }, stack.receive, stack.transportError);
  stack.attach(transport);
  const digest = new DigestServer<string>({ realm: 'switchboard.test', clock, algorithms: ['MD5'] });
  const registrar = new Registrar({ clock });
  stack.handlers.register = registerHandler(stack, new RequestAuthenticator(digest, async (u, realm) => (u === '101' ? { ha1: { MD5: ha1('MD5', u, realm, '101') }, identity: u } : undefined), guard, logger), registrar);
  return { stack, registrar, logs, port: transport.local.port };
}

function run(tool: string, args: string[]): Promise<string> {
  const child = spawnChild(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return within(new Promise((resolve) => child.on('exit', () => resolve(out))), () => `${tool} to finish\n${out}`);
}

describe('sipvicious finds nothing usable', { skip }, () => {
  // Each tool against its own stack, all at once: they mostly wait for answers that never come.
  const tools: Array<[string, (port: number) => string[]]> = [
    ['svmap', (port) => [`-p${port}`, '127.0.0.1']],
    ['svwar', (port) => ['-e100-110', `udp://127.0.0.1:${port}`]],
    ['svcrack', (port) => ['-u', '101', '-r', '95-105', `udp://127.0.0.1:${port}`]],
  ];

  test('svmap finds no server, svwar no extension, svcrack no password (it is the extension); each source is blocked and logged', async () => {
    const stacks = await Promise.all(tools.map(() => guardedStack()));
    try {
      const outs = await Promise.all(tools.map(([tool, args], i) => run(tool, args(stacks[i]!.port))));
      tools.forEach(([tool], i) => {
        const out = outs[i]!;
        const s = stacks[i]!;
        assert.match(out, /found nothing|no server response/i, `${tool}: ${out}`);
        assert.doesNotMatch(out, /\|\s*101\s*\|/, `${tool} reported no extension or password`);
        assert.equal(s.registrar.size, 0);
        assert.ok(s.logs.some((l) => l.startsWith('sip source blocked') && l.includes('scanner user agent')), `${tool}: ${s.logs.join('\n')}`);
      });
    } finally {
      await Promise.all(stacks.map((s) => s.stack.close()));
    }
  });
});
