// `switchboard gateways list|test`: the outbound gateways file as the SIP
// driver reads it (SWITCHBOARD_SIP_GATEWAYS, or --file), and a reachability
// check that sends each gateway an OPTIONS (answering a Digest challenge
// with its credentials) and prints the status and the round trip.
import type { Command } from 'commander';
import { ConfigError, resolveConfig } from '../config.ts';
import type { Gateway } from '../telephony/sip/gateways.ts';
import { uriHost } from '../telephony/sip/transport/sip-flow.ts';

interface Flags {
  file?: string;
  timeout?: string;
}

// The gateways file's schema and the SIP stack load only when a command runs,
// so `switchboard --help` stays quick.
async function gatewaysFrom(flags: Flags): Promise<Gateway[]> {
  const { loadGateways } = await import('../telephony/sip/gateways.ts');
  const file = flags.file ?? resolveConfig(process.env).sipGateways;
  if (!file) throw new ConfigError('no gateways file: set SWITCHBOARD_SIP_GATEWAYS or give --file');
  try {
    return loadGateways(file);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

const describe = (g: Gateway): string =>
  [g.name, `${g.transport}:${uriHost(g.host)}:${g.port}`, g.prefixes?.length ? g.prefixes.join(',') : '*', String(g.priority ?? 0), g.max_calls === undefined ? '-' : String(g.max_calls), g.username ? 'digest' : '-'].join('\t');

/** OPTIONS to each gateway; resolves with one line per gateway and whether all answered 2xx. */
export async function testGateways(gateways: readonly Gateway[], timeoutMs: number, publicAddress: string): Promise<{ lines: string[]; ok: boolean }> {
  const [{ RealClock }, { SipStack }, { NetSipTransport }, { GatewayTable }] = await Promise.all([
    import('../clock/clock.ts'),
    import('../telephony/sip/sip-stack.ts'),
    import('../telephony/sip/transport/sip-transport.ts'),
    import('../telephony/sip/gateways.ts'),
  ]);
  const clock = new RealClock();
  const stack = new SipStack({ clock, publicAddress });
  stack.attach(await NetSipTransport.listen({ host: '0.0.0.0', port: 0, clock }, stack.receive, stack.transportError));
  const table = new GatewayTable(gateways);
  try {
    const results = await Promise.all(
      gateways.map(async (g) => {
        const started = performance.now();
        try {
          const flow = await table.flow(g);
          const target = `sip:${uriHost(g.host)}:${g.port}${g.transport === 'tcp' ? ';transport=tcp' : ''}`;
          const credentials = g.username && g.password ? { username: g.username, password: g.password } : undefined;
          const res = await Promise.race([stack.requestOutOfDialog('OPTIONS', target, flow, { from: '', to: '', credentials }), clock.sleep(timeoutMs).then(() => undefined)]);
          if (!res) return { ok: false, line: `${g.name}\tno answer within ${timeoutMs} ms` };
          const ms = Math.round(performance.now() - started);
          return { ok: res.status < 300, line: `${g.name}\t${res.status} ${res.reason}\t${ms} ms` };
        } catch (err) {
          return { ok: false, line: `${g.name}\t${(err as Error).message}` };
        }
      }),
    );
    return { lines: results.map((r) => r.line), ok: results.every((r) => r.ok) };
  } finally {
    await stack.close();
  }
}

export function registerGatewaysCommands(program: Command): void {
  const gw = program.command('gateways').description('the SIP driver\'s outbound gateways (SWITCHBOARD_SIP_GATEWAYS; docs/sip.md "Gateways")');
  gw.command('list')
    .description('print the gateways file as the SIP driver reads it, in the order calls try them for equal prefixes')
    .option('--file <file>', 'gateways file (default SWITCHBOARD_SIP_GATEWAYS)')
    .action(async (flags: Flags) => {
      const gateways = await gatewaysFrom(flags);
      process.stdout.write(['name\taddress\tprefixes\tpriority\tmax_calls\tauth', ...gateways.map(describe)].join('\n') + '\n');
    });
  gw.command('test [names...]')
    .description('send each gateway (or the ones named) an OPTIONS and print its answer and round trip; exits 1 when one does not answer 2xx')
    .option('--file <file>', 'gateways file (default SWITCHBOARD_SIP_GATEWAYS)')
    .option('--timeout <ms>', 'how long to wait for each answer', '5000')
    .action(async (names: string[], flags: Flags) => {
      const all = await gatewaysFrom(flags);
      const unknown = names.filter((n) => !all.some((g) => g.name === n));
      if (unknown.length) throw new ConfigError(`no gateway named ${unknown.join(', ')} in the gateways file`);
      const chosen = names.length ? all.filter((g) => names.includes(g.name)) : all;
      const { lines, ok } = await testGateways(chosen, Number(flags.timeout), resolveConfig(process.env).sipPublicAddress);
      process.stdout.write(lines.join('\n') + '\n');
      process.exitCode = ok ? 0 : 1;
    });
}
