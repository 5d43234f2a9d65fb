// `switchboard credentials | logs CALL_UUID | call FROM TO`: the terminal side
// of the sandbox for application developers (docs/testing.md).
import readline from 'node:readline';
import { styleText } from 'node:util';
import type { Command } from 'commander';
import { CliError, request, run, serverOptions, target, type ServerFlags } from './server-api.ts';

const paint = (style: Parameters<typeof styleText>[0], text: string) => (process.stdout.isTTY ? styleText(style, text) : text);

interface LogEntry {
  time: string;
  kind: string;
  message: string;
}

interface TranscriptEvent {
  type: string;
  at_ms: number;
  text?: string;
  digits?: string;
}

const KIND_STYLE: Record<string, Parameters<typeof styleText>[0]> = { error: 'red', webhook: 'cyan', state: 'green', xml: 'yellow' };

function describe(e: TranscriptEvent): string {
  const what = e.text ? `${e.type} "${e.text}"` : e.digits ? `${e.type} ${e.digits}` : e.type;
  return `${paint('dim', `${(e.at_ms / 1000).toFixed(1).padStart(6)} s`)}  ${e.type === 'speak' || e.type === 'play' ? paint('bold', what) : what}`;
}

export function registerCallCommands(program: Command): void {
  serverOptions(program.command('credentials').description('print the auth id, token and base URL as env lines (eval "$(switchboard credentials)")')).action(
    (flags: ServerFlags) =>
      run('credentials', async () => {
        const t = target(flags);
        process.stdout.write(`SWITCHBOARD_URL=${t.url}\nSWITCHBOARD_AUTH_ID=${t.authId}\nSWITCHBOARD_AUTH_TOKEN=${t.authToken}\n`);
      }),
  );

  serverOptions(program.command('logs <call_uuid>').description("a call's timeline: state changes, webhooks with status and latency, XML errors")).action(
    (callUuid: string, flags: ServerFlags) =>
      run('logs', async () => {
        const entries: LogEntry[] = [];
        for (;;) {
          const page = await request(flags, 'GET', `/Call/${encodeURIComponent(callUuid)}/Log/?limit=20&offset=${entries.length}`);
          entries.push(...(page.objects as LogEntry[]));
          if (!page.meta?.next || page.objects.length === 0) break;
        }
        for (const e of entries) process.stdout.write(`${paint('dim', e.time)}  ${paint(KIND_STYLE[e.kind] ?? 'white', e.kind.padEnd(7))}  ${e.message}\n`);
      }),
  );

  serverOptions(
    program
      .command('call <from> <to>')
      .description('call your number or endpoint from a virtual phone and drive it: type digits to press them, "say <text>" to speak, "hangup" (or Ctrl-D) to hang up'),
  ).action((from: string, to: string, flags: ServerFlags) =>
    run('call', async () => {
      const placed = await request(flags, 'POST', '/Sandbox/Call/', { from, to });
      const leg = `/Sandbox/Call/${placed.call_uuid}`;
      process.stdout.write(`${paint('green', 'calling')} ${to} from ${from} (call ${placed.call_uuid}); type digits, "say <text>" or "hangup"\n`);
      const input = readline.createInterface({ input: process.stdin, terminal: false });
      let ended = false;
      input.on('line', (line) => {
        const text = line.trim();
        if (!text || ended) return;
        const act = /^(hangup|bye|q)$/i.test(text)
          ? request(flags, 'POST', `${leg}/Hangup/`, {})
          : /^say\s+/i.test(text)
            ? request(flags, 'POST', `${leg}/Say/`, { text: text.replace(/^say\s+/i, '') })
            : /^[0-9*#A-D]+$/i.test(text)
              ? request(flags, 'POST', `${leg}/DTMF/`, { digits: text.toUpperCase() })
              : Promise.reject(new CliError(`"${text}": type digits (0-9 * # A-D), "say <text>" or "hangup"`));
        act.catch((err: Error) => process.stderr.write(`${paint('red', err.message)}\n`));
      });
      input.on('close', () => void (ended || request(flags, 'POST', `${leg}/Hangup/`, {}, [404]).catch(() => undefined)));
      // Each wait returns when the call ends or after a second of platform time, with the transcript so far.
      let shown = 0;
      while (!ended) {
        const t = await request(flags, 'POST', `${leg}/Wait/`, { until: 'ended', timeout_ms: 1000 }, [408]);
        const events = t.events as TranscriptEvent[];
        for (const e of events.slice(shown)) process.stdout.write(`${describe(e)}\n`);
        shown = events.length;
        ended = t.status !== 408;
      }
      input.close();
      process.stdout.write(`${paint('green', 'call ended')}; its timeline: switchboard logs ${placed.call_uuid}\n`);
    }),
  );
}
