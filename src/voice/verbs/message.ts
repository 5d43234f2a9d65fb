// <Message>: sends an SMS while the call goes on. The voice side only knows
// a port; the messaging service behind it validates, bills and delivers
// exactly as the Message API does. A refused message is logged on the call
// and the next verb runs — a text never ends a call.
import type { MessageVerb } from '../../plivo-xml/ast.ts';
import type { CallOwner } from '../../platform/call-log.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';

export interface MessagePort {
  send(
    owner: CallOwner,
    message: { src: string; dst: string; text: string; type: 'sms'; url?: string; method: 'GET' | 'POST' },
  ): Promise<{ messageUuids: string[] }>;
}

export function messageRunner(port: MessagePort): VerbRunner<MessageVerb> {
  return {
    needsAnswer: false,
    async run(verb, ctx) {
      const call = ctx.call;
      // Without src the message comes from the platform's side of the call.
      const src = verb.src ?? (call.direction === 'inbound' ? call.to : call.from);
      try {
        const sent = await port.send(call.owner, { src, dst: verb.dst.join('<'), text: verb.text, type: verb.type, url: verb.callbackUrl, method: verb.callbackMethod });
        ctx.log({ kind: 'event', message: `<Message> sent to ${verb.dst.join(', ')}`, data: { message_uuids: sent.messageUuids } });
      } catch (err) {
        ctx.log({ kind: 'error', message: `<Message> was not sent: ${(err as Error).message}`, data: { src, dst: verb.dst } });
      }
      return CONTINUE;
    },
  };
}
