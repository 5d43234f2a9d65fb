// /v1/Account/{auth_id}/Call/{call_uuid}/Stream/ — start an audio stream on
// a live call, list a call's streams, read one, stop one or all.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { BoolLike, HttpMethod, Int, NoSdkBody, PageQuery, SdkBody, toBool, Url } from '../schemas.ts';

const CallParams = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }) });
const StreamParams = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }), streamId: Type.String({ minLength: 1, maxLength: 64 }) });

const StartStream = SdkBody({
  service_url: Type.String({ minLength: 1, maxLength: 2048, description: 'a ws:// or wss:// URL' }),
  bidirectional: Type.Optional(BoolLike),
  audio_track: Type.Optional(Type.String({ maxLength: 20 })),
  stream_timeout: Type.Optional(Int(1, 86_400)),
  status_callback_url: Type.Optional(Url),
  status_callback_method: Type.Optional(HttpMethod),
  content_type: Type.Optional(Type.String({ maxLength: 40 })),
  extra_headers: Type.Optional(Type.String({ maxLength: 2048 })),
});

export function streamRoutes(app: App, { media }: Services): void {
  const streams = media.streamsApi;

  app.post('/v1/Account/:authId/Call/:callUuid/Stream/', { schema: { params: CallParams, body: StartStream } }, async (req, reply) => {
    const stream = await streams.start(req.scope, req.params.callUuid, { ...req.body, bidirectional: toBool(req.body.bidirectional) });
    return reply.code(202).send({ message: 'audio streaming started', api_id: req.id, stream_id: stream.id });
  });

  app.get('/v1/Account/:authId/Call/:callUuid/Stream/', { schema: { params: CallParams, querystring: Type.Object({ ...PageQuery }) } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await streams.list(req.scope, req.params.callUuid, page.limit, page.offset);
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Call/:callUuid/Stream/:streamId/', { schema: { params: StreamParams } }, async (req) => ({
    api_id: req.id,
    ...(await streams.get(req.scope, req.params.callUuid, req.params.streamId)),
  }));

  app.delete('/v1/Account/:authId/Call/:callUuid/Stream/', { schema: { params: CallParams, body: NoSdkBody } }, async (req, reply) => {
    await streams.stopAll(req.scope, req.params.callUuid);
    return reply.code(204).send();
  });

  app.delete('/v1/Account/:authId/Call/:callUuid/Stream/:streamId/', { schema: { params: StreamParams, body: NoSdkBody } }, async (req, reply) => {
    await streams.stop(req.scope, req.params.callUuid, req.params.streamId);
    return reply.code(204).send();
  });
}
