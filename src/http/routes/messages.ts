// /v1/Account/{auth_id}/Message/ — send SMS/MMS, read and list message
// records, list an MMS's media. Shapes as the official SDK sends and reads them.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import type { MessageLog } from '../../store/tables/messages.ts';
import { listBody, pageOf } from '../pagination.ts';
import { HttpMethod, PageQuery, rangeFilter, SdkBody, Url, UrlOrEmpty } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const MessageParams = Type.Object({ authId: Type.String(), messageUuid: Type.String({ maxLength: 64 }) });

const enumOf = <T extends string>(values: readonly T[], description: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], description });
export const MessageType = enumOf(['sms', 'mms'] as const, 'sms or mms');

/** `log` is a boolean, or content_only (mask the number) / number_only (drop the text). */
const Log = Type.Unsafe<boolean | string>({
  anyOf: [{ type: 'boolean' }, { type: 'string', enum: ['true', 'false', 'True', 'False', 'content_only', 'number_only'] }],
  description: 'true, false, content_only or number_only',
});
const toLog = (v: boolean | string | undefined): MessageLog | undefined =>
  v === undefined ? undefined : v === 'content_only' || v === 'number_only' ? v : String(v).toLowerCase() === 'true' ? 'true' : 'false';

// The SDKs send newer parameters (dlt_*, trackable, template …) that are dropped.
const SendBody = SdkBody({
  src: Type.Optional(Type.String({ maxLength: 32 })),
  powerpack_uuid: Type.Optional(Type.String({ maxLength: 64 })),
  dst: Type.String({ minLength: 1, maxLength: 20_000 }),
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  type: Type.Optional(MessageType),
  url: Type.Optional(UrlOrEmpty),
  method: Type.Optional(HttpMethod),
  media_urls: Type.Optional(Type.Array(Url, { maxItems: 100 })),
  media_ids: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 100 })),
  log: Type.Optional(Log),
});

const TimeFilter = Type.String({ maxLength: 32 });
const ListQuery = Type.Object({
  ...PageQuery,
  subaccount: Type.Optional(Type.String()),
  message_direction: Type.Optional(enumOf(['inbound', 'outbound'] as const, 'inbound or outbound')),
  message_state: Type.Optional(enumOf(['queued', 'sent', 'failed', 'delivered', 'undelivered', 'received'] as const, 'a message state')),
  message_type: Type.Optional(MessageType),
  ...rangeFilter('message_time', TimeFilter),
  error_code: Type.Optional(Type.String()),
  from_number: Type.Optional(Type.String()),
  to_number: Type.Optional(Type.String()),
  destination_country_iso2: Type.Optional(Type.String({ maxLength: 2 })),
});

export function messageRoutes(app: App, { messages }: Services): void {
  app.post('/v1/Account/:authId/Message/', { schema: { params: Params, body: SendBody } }, async (req, reply) => {
    const sent = await messages.send(req.scope, { ...req.body, url: req.body.url || undefined, log: toLog(req.body.log), requester_ip: req.ip });
    return reply.code(202).send({
      api_id: req.id,
      message: 'message(s) queued',
      message_uuid: sent.messageUuids,
      ...(sent.invalidNumbers.length ? { invalid_number: sent.invalidNumbers } : {}),
    });
  });

  app.get('/v1/Account/:authId/Message/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await messages.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Message/:messageUuid/', { schema: { params: MessageParams } }, async (req) => ({
    api_id: req.id,
    ...(await messages.get(req.scope, req.params.messageUuid)),
  }));

  app.get('/v1/Account/:authId/Message/:messageUuid/Media/', { schema: { params: MessageParams } }, async (req) => ({
    api_id: req.id,
    objects: await messages.media(req.scope, req.params.messageUuid),
  }));
}
