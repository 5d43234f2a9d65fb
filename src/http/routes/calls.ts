// /v1/Account/{auth_id}/Call/ — make calls (single and bulk), CDRs, live and
// queued calls (`?status=live|queued`, as the SDK asks), transfer, hang up
// one call, a request or all; /v2/…/Call/?status=live for the v2 listing.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { liveView, queuedView } from '../../voice/calls/calls-api.ts';
import { listBody, pageOf } from '../pagination.ts';
import { BoolLike, HttpMethod, Int, NoSdkBody, PageQuery, SdkBody, toBool, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const CallParams = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }) });
const RequestParams = Type.Object({ authId: Type.String(), requestUuid: Type.String({ minLength: 1, maxLength: 64 }) });

const Seconds = (min: number) => Int(min, 10_000_000);
const Ms = Int(0, 100_000);
const Number_ = Type.String({ minLength: 1, maxLength: 2048, description: 'a phone number or sip: URI' });

const MakeCall = SdkBody({
  from: Number_,
  to: Type.String({ minLength: 1, maxLength: 200_000 }),
  answer_url: Url,
  answer_method: Type.Optional(HttpMethod),
  ring_url: Type.Optional(Url),
  ring_method: Type.Optional(HttpMethod),
  hangup_url: Type.Optional(Url),
  hangup_method: Type.Optional(HttpMethod),
  fallback_url: Type.Optional(Url),
  fallback_method: Type.Optional(HttpMethod),
  caller_name: Type.Optional(Type.String({ maxLength: 50 })),
  send_digits: Type.Optional(Type.String({ maxLength: 200 })),
  send_on_preanswer: Type.Optional(BoolLike),
  time_limit: Type.Optional(Seconds(1)),
  hangup_on_ring: Type.Optional(Seconds(0)),
  machine_detection: Type.Optional(Type.Union([Type.Boolean(), Type.String({ maxLength: 10 })])),
  machine_detection_time: Type.Optional(Ms),
  machine_detection_url: Type.Optional(Url),
  machine_detection_method: Type.Optional(HttpMethod),
  machine_detection_maximum_speech_length: Type.Optional(Ms),
  machine_detection_initial_silence: Type.Optional(Ms),
  machine_detection_maximum_words: Type.Optional(Int(0, 100)),
  machine_detection_initial_greeting: Type.Optional(Ms),
  machine_detection_silence: Type.Optional(Ms),
  sip_headers: Type.Optional(Type.String({ maxLength: 4096 })),
  ring_timeout: Type.Optional(Seconds(1)),
  parent_call_uuid: Type.Optional(Type.String({ maxLength: 64 })),
  error_if_parent_not_found: Type.Optional(BoolLike),
});

const Status = Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('queued')], { description: 'live or queued' }));
const Prefix = Type.String({ maxLength: 100, pattern: '^[+0-9A-Za-z:@._-]*$', description: 'a number or number prefix' });
const Direction = Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], { description: 'inbound or outbound' });
const Dur = Int();
const EndTime = Type.String({ maxLength: 40 });

const ListQuery = Type.Object({
  ...PageQuery,
  status: Status,
  subaccount: Type.Optional(Type.String({ maxLength: 40 })),
  call_direction: Type.Optional(Direction),
  from_number: Type.Optional(Prefix),
  to_number: Type.Optional(Prefix),
  parent_call_uuid: Type.Optional(Type.String({ maxLength: 64 })),
  hangup_cause_code: Type.Optional(Int()),
  hangup_source: Type.Optional(Type.String({ maxLength: 40 })),
  stir_verification: Type.Optional(Type.String({ maxLength: 40 })),
  bill_duration: Type.Optional(Dur),
  bill_duration__gt: Type.Optional(Dur),
  bill_duration__gte: Type.Optional(Dur),
  bill_duration__lt: Type.Optional(Dur),
  bill_duration__lte: Type.Optional(Dur),
  end_time: Type.Optional(EndTime),
  end_time__gt: Type.Optional(EndTime),
  end_time__gte: Type.Optional(EndTime),
  end_time__lt: Type.Optional(EndTime),
  end_time__lte: Type.Optional(EndTime),
});
const GetQuery = Type.Object({ status: Status });
const V2Query = Type.Object({ ...PageQuery, status: Type.Literal('live', { description: 'live' }), call_direction: Type.Optional(Direction), number: Type.Optional(Prefix) });

const Transfer = SdkBody({
  legs: Type.Optional(Type.Union([Type.Literal('aleg'), Type.Literal('bleg'), Type.Literal('both')], { description: 'aleg, bleg or both' })),
  aleg_url: Type.Optional(Url),
  aleg_method: Type.Optional(HttpMethod),
  bleg_url: Type.Optional(Url),
  bleg_method: Type.Optional(HttpMethod),
});

export function callRoutes(app: App, { voice }: Services): void {
  const { callsApi: calls } = voice;

  app.post('/v1/Account/:authId/Call/', { schema: { params: Params, body: MakeCall } }, async (req) => {
    const b = req.body;
    const made = await calls.make(req.scope, {
      ...b,
      send_on_preanswer: toBool(b.send_on_preanswer),
      error_if_parent_not_found: toBool(b.error_if_parent_not_found),
      machine_detection: b.machine_detection === undefined ? undefined : String(b.machine_detection),
    });
    return {
      api_id: req.id,
      message: made.queued ? 'call queued' : 'call fired',
      request_uuid: made.bulk ? made.requestUuids : made.requestUuids[0],
    };
  });

  app.get('/v1/Account/:authId/Call/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const q = req.query;
    if (q.status === 'live') return { api_id: req.id, calls: calls.liveCalls(req.scope, q).map((c) => c.uuid) };
    if (q.status === 'queued') return { api_id: req.id, calls: calls.queuedCalls(req.scope).map((c) => c.uuid) };
    const page = pageOf(q);
    const { objects, total } = await calls.cdrs(req.scope, { ...q, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v2/Account/:authId/Call/', { schema: { params: Params, querystring: V2Query } }, async (req) => {
    const page = pageOf(req.query);
    const live = calls.liveCalls(req.scope, req.query);
    const objects = live.slice(page.offset, page.offset + page.limit).map(liveView);
    const { meta } = listBody(req.id, req.url, page, live.length, objects);
    return { api_id: req.id, meta: { count: live.length, limit: meta.limit, next: meta.next, offset: meta.offset, previous: meta.previous }, objects };
  });

  app.get('/v1/Account/:authId/Call/:callUuid/', { schema: { params: CallParams, querystring: GetQuery } }, async (req) => {
    const { callUuid } = req.params;
    if (req.query.status === 'live') return { api_id: req.id, ...liveView(calls.liveCall(req.scope, callUuid)) };
    if (req.query.status === 'queued') return { api_id: req.id, ...queuedView(calls.queuedCall(req.scope, callUuid)) };
    return { api_id: req.id, ...(await calls.cdr(req.scope, callUuid)) };
  });

  app.post('/v1/Account/:authId/Call/:callUuid/', { schema: { params: CallParams, body: Transfer } }, async (req, reply) => {
    calls.transfer(req.scope, req.params.callUuid, req.body);
    return reply.code(202).send({ api_id: req.id, message: 'call transferred' });
  });

  app.delete('/v1/Account/:authId/Call/:callUuid/', { schema: { params: CallParams, body: NoSdkBody } }, async (req, reply) => {
    calls.hangup(req.scope, req.params.callUuid);
    return reply.code(204).send();
  });

  app.delete('/v1/Account/:authId/Call/', { schema: { params: Params, body: NoSdkBody } }, async (req, reply) => {
    calls.hangupAll(req.scope);
    return reply.code(204).send();
  });

  app.delete('/v1/Account/:authId/Request/:requestUuid/', { schema: { params: RequestParams, body: NoSdkBody } }, async (req, reply) => {
    calls.hangupRequest(req.scope, req.params.requestUuid);
    return reply.code(204).send();
  });
}
