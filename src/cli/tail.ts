// `switchboard tail`: the account's live event stream (GET /Events/, the one
// stream the web console reads too; docs/events.md) printed a line per event:
// call states, webhooks with status and latency, XML errors, messages.
import { styleText } from 'node:util';
import type { Command } from 'commander';
import { CliError, run, serverOptions, target, type ServerFlags } from './server-api.ts';

type Style = Parameters<typeof styleText>[0];
const paint = (style: Style, text: string) => (process.stdout.isTTY ? styleText(style, text) : text);

interface CallEvent {
  call_uuid: string;
  time: string;
  kind: string;
  message: string;
  data: { status?: number | null; error?: string | null } | null;
}

interface MessageEvent {
  message_uuid: string;
  message_state: string;
  message_direction: string;
  from_number: string;
  to_number: string;
}

function callLine(e: CallEvent): string {
  const failed = e.kind === 'error' || e.kind === 'xml' || (e.kind === 'webhook' && (e.data?.error || (e.data?.status ?? 0) >= 400 || e.data?.status === null));
  const style: Style = failed ? 'red' : e.kind === 'state' ? 'green' : e.kind === 'webhook' ? 'cyan' : 'white';
  return `${paint('dim', e.time)}  ${paint('dim', e.call_uuid.slice(0, 8))}  ${paint(style, e.kind.padEnd(7))}  ${e.message}`;
}

function messageLine(m: MessageEvent): string {
  return `${paint('magenta', 'message')}  ${paint('dim', m.message_uuid.slice(0, 8))}  ${m.message_direction} ${m.from_number} → ${m.to_number}: ${m.message_state}`;
}

export function registerTailCommand(program: Command): void {
  serverOptions(program.command('tail').description('a live stream of calls (states, webhooks with status and latency, XML errors) and messages'))
    .option('--call <uuid>', "only this call's events")
    .option('--types <list>', 'call, message or both (default)', 'call,message')
    .action((flags: ServerFlags & { call?: string; types: string }) =>
      run('tail', async () => {
        const t = target(flags);
        const query = new URLSearchParams({ types: flags.types, ...(flags.call ? { call_uuid: flags.call } : {}) });
        let res: Response;
        try {
          res = await fetch(`${t.url}/v1/Account/${t.authId}/Events/?${query}`, {
            headers: { authorization: `Basic ${Buffer.from(`${t.authId}:${t.authToken}`).toString('base64')}`, accept: 'text/event-stream' },
          });
        } catch (err) {
          throw new CliError(`cannot reach ${t.url}: ${(err as Error).cause ?? (err as Error).message}`);
        }
        if (!res.ok || !res.body) throw new CliError(`GET /Events/ → ${res.status}: ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? res.statusText}`);
        const decoder = new TextDecoder();
        let buffered = '';
        for await (const chunk of res.body) {
          buffered += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const block = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            if (event === 'ready') process.stderr.write(`${paint('green', 'tailing')} ${t.url} as ${t.authId} (Ctrl-C to stop)\n`);
            else if (event === 'call') process.stdout.write(`${callLine(JSON.parse(data) as CallEvent)}\n`);
            else if (event === 'message') process.stdout.write(`${messageLine(JSON.parse(data) as MessageEvent)}\n`);
          }
        }
      }),
    );
}
