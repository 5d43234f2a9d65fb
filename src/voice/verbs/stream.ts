// <Stream>: the call's audio goes to the customer's WebSocket service while
// the document goes on; with keepCallAlive the document waits until the
// stream ends (the service hangs up, its timeout, the Stream API) instead.
import type { StreamSpec } from '../streams/stream.ts';
import type { StreamVerb } from '../../plivo-xml/ast.ts';
import type { CallControl } from '../engine/call-control.ts';
import { CONTINUE, type VerbRunner } from '../interpreter/verb.ts';

/** What the Stream element asks of the streams service (streams/streams.ts). */
export interface StreamPort<C> {
  start(call: C, spec: StreamSpec): Promise<{ readonly id: string; readonly done: Promise<unknown> }>;
}

export function streamRunner<C extends CallControl>(streams: StreamPort<C>): VerbRunner<StreamVerb, C> {
  return {
    needsAnswer: true,
    async run(verb, ctx) {
      const stream = await streams.start(ctx.call, {
        serviceUrl: verb.url,
        bidirectional: verb.bidirectional,
        audioTrack: verb.audioTrack,
        timeoutS: verb.streamTimeout,
        statusCallback: verb.statusCallbackUrl ? { url: verb.statusCallbackUrl, method: verb.statusCallbackMethod } : undefined,
        contentType: verb.contentType,
        extraHeaders: verb.extraHeaders,
      });
      ctx.log({ kind: 'event', message: `Stream: audio stream ${stream.id} to ${verb.url}`, data: { stream_id: stream.id } });
      if (!verb.keepCallAlive) return CONTINUE;
      let off = () => {};
      await Promise.race([stream.done, new Promise<void>((resolve) => (off = ctx.stop.onFire(resolve)))]);
      off();
      return CONTINUE;
    },
  };
}
