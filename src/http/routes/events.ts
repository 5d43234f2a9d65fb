// GET /v1/Account/{auth_id}/Events/ — the account's live event stream
// (our extension; docs/events.md): server-sent events, one per call-log
// entry or call status change (`call`) and per message state change
// (`message`), for the web console and `switchboard tail`. Authenticated
// like every API request.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import type { LiveEvent, LiveEventType } from '../../platform/live-events.ts';
import { LiveResponses } from '../live-responses.ts';

const Params = Type.Object({ authId: Type.String() });
const Query = Type.Object({
  types: Type.Optional(Type.String({ pattern: '^(call|message)(,(call|message))*$', description: 'a comma-separated list of call, message' })),
  call_uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});

/** A client that reads slower than events come is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** A comment line this often keeps proxies and idle timeouts from closing a quiet stream (transport time, not platform time). */
const KEEPALIVE_MS = 15_000;

export function eventRoutes(app: App, { liveEvents }: Services): void {
  const live = new LiveResponses(app);
  app.get('/v1/Account/:authId/Events/', { schema: { params: Params, querystring: Query }, config: { live: true } }, (req, reply) => {
    const types = new Set((req.query.types ?? 'call,message').split(',') as LiveEventType[]);
    const callUuid = req.query.call_uuid;
    let keepalive: NodeJS.Timeout | undefined;
    let unsubscribe = (): void => {};
    const stream = live.start(reply, { 'content-type': 'text/event-stream; charset=utf-8' }, () => {
      clearInterval(keepalive);
      unsubscribe();
    });
    stream.write(`retry: 2000\nevent: ready\ndata: ${JSON.stringify({ auth_id: req.scope.subaccountId ?? req.scope.accountId, types: [...types] })}\n\n`);
    unsubscribe = liveEvents.subscribe(req.scope, (e: LiveEvent) => {
      if (!types.has(e.type) || (callUuid && e.data.call_uuid !== callUuid)) return;
      if (stream.buffered > MAX_BUFFERED_BYTES) return stream.end();
      stream.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    });
    keepalive = setInterval(() => stream.write(': keepalive\n\n'), KEEPALIVE_MS);
  });
}
