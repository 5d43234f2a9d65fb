// /v1/Account/{auth_id}/Recording/ — get, list (with filters), delete; the
// recording files at …/Recording/{id}.{mp3|wav} (no credentials: the
// unguessable id is the key, as with the platform's own recording URLs);
// and starting/stopping the recording of a live call (…/Call/{uuid}/Record/).
import fs from 'node:fs';
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { HttpMethod, Int, NoSdkBody, PageQuery, rangeFilter, SdkBody, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const RecordingParams = Type.Object({ authId: Type.String(), recordingId: Type.String({ minLength: 1, maxLength: 64 }) });
const FileParams = Type.Object({
  authId: Type.String(),
  recordingId: Type.String({ minLength: 1, maxLength: 64 }),
  ext: Type.Union([Type.Literal('mp3'), Type.Literal('wav')], { description: 'mp3 or wav' }),
});
const CallParams = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }) });

const Filter = Type.String({ maxLength: 200 });
const Days = Int(0, 100_000);
const ListQuery = Type.Object({
  ...PageQuery,
  subaccount: Type.Optional(Type.String({ maxLength: 40 })),
  call_uuid: Type.Optional(Filter),
  from_number: Type.Optional(Filter),
  to_number: Type.Optional(Filter),
  conference_name: Type.Optional(Filter),
  conference_uuid: Type.Optional(Filter),
  mpc_name: Type.Optional(Filter),
  mpc_uuid: Type.Optional(Filter),
  ...rangeFilter('add_time', Type.String({ maxLength: 40 })),
  ...rangeFilter('recording_storage_duration', Days),
});

const StartRecording = SdkBody({
  time_limit: Type.Optional(Int(1, 86_400)),
  file_format: Type.Optional(Type.String({ maxLength: 10 })),
  transcription_type: Type.Optional(Type.String({ maxLength: 20 })),
  transcription_url: Type.Optional(Url),
  transcription_method: Type.Optional(HttpMethod),
  callback_url: Type.Optional(Url),
  callback_method: Type.Optional(HttpMethod),
  record_channel_type: Type.Optional(Type.String({ maxLength: 10 })),
});
// The SDK sends `URL` (the Python SDK `url`): the recording to stop.
const StopRecording = SdkBody({ URL: Type.Optional(Url), url: Type.Optional(Url) });

export function recordingRoutes(app: App, { media }: Services): void {
  const recordings = media.recordingsApi;

  app.get('/v1/Account/:authId/Recording/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await recordings.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Recording/:recordingId/', { schema: { params: RecordingParams } }, async (req) => ({
    api_id: req.id,
    ...(await recordings.get(req.scope, req.params.recordingId)),
  }));

  app.delete('/v1/Account/:authId/Recording/:recordingId/', { schema: { params: RecordingParams, body: NoSdkBody } }, async (req, reply) => {
    await recordings.delete(req.scope, req.params.recordingId);
    return reply.code(204).send();
  });

  app.get('/v1/Account/:authId/Recording/:recordingId.:ext', { schema: { params: FileParams }, config: { public: true } }, async (req, reply) => {
    const { authId, recordingId, ext } = req.params;
    const file = await recordings.file(authId, recordingId, ext);
    const stat = await fs.promises.stat(file.path);
    return reply.type(file.contentType).header('content-length', stat.size).send(fs.createReadStream(file.path));
  });

  app.post('/v1/Account/:authId/Call/:callUuid/Record/', { schema: { params: CallParams, body: StartRecording } }, async (req, reply) => {
    const rec = recordings.start(req.scope, req.params.callUuid, req.body, req.id);
    return reply.code(202).send({ url: rec.url, message: 'call recording started', recording_id: rec.id, api_id: req.id });
  });

  app.delete('/v1/Account/:authId/Call/:callUuid/Record/', { schema: { params: CallParams, querystring: StopRecording, body: Type.Optional(StopRecording) } }, async (req, reply) => {
    const url = req.body?.URL ?? req.body?.url ?? req.query.URL ?? req.query.url;
    await recordings.stop(req.scope, req.params.callUuid, url);
    return reply.code(204).send();
  });
}
