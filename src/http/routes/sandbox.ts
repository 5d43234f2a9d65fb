// /v1/Account/{auth_id}/Sandbox/ — the sandbox carrier's voice API
// (SANDBOX.md): virtual phones, calls from them, acting as the far end of a
// live call, what it heard (transcript, WAV), waiting, and the clock.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { phoneView } from '../../sandbox/phones.ts';
import { mulawEncode } from '../../media/g711.ts';
import { LiveResponses } from '../live-responses.ts';
import { listBody, pageOf } from '../pagination.ts';
import { Int, OwnBody, PageQuery, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const PhoneParams = Type.Object({ authId: Type.String(), number: Type.String({ minLength: 1, maxLength: 256 }) });
const LegParams = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }) });

const Step = Type.Object({}, { additionalProperties: true });
const Script = Type.Array(Step, { maxItems: 100 });

/** rfc4733, inband or both (checked by the service, whose message lists them). */
const DtmfMode = Type.String({ maxLength: 20, description: 'rfc4733 (signalled events), inband (tones in the audio) or both' });
// Our extension: no SDK sends these, so unknown keys are refused.
const PhoneBody = OwnBody({
  number: Type.String({ minLength: 1, maxLength: 256 }),
  behaviour: Type.Optional(Type.String({ maxLength: 20 })),
  ring_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 600 })),
  script: Type.Optional(Script),
  dtmf_mode: Type.Optional(DtmfMode),
});
const PlaceCall = OwnBody({
  from: Type.String({ minLength: 1, maxLength: 256 }),
  to: Type.String({ minLength: 1, maxLength: 256 }),
  sip_headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }), Type.String({ maxLength: 256 }))),
  script: Type.Optional(Script),
  caller_name: Type.Optional(Type.String({ maxLength: 50 })),
  dtmf_mode: Type.Optional(DtmfMode),
});
const Digits = OwnBody({
  digits: Type.String({ minLength: 1, maxLength: 100, pattern: '^[0-9*#A-DwW]+$', description: 'DTMF keys (0-9, *, #, A-D; w or W to pause)' }),
  dtmf_mode: Type.Optional(DtmfMode),
});
const Say = OwnBody({ text: Type.String({ minLength: 1, maxLength: 5000 }) });
const Play = OwnBody({ url: Url });
const Wait = OwnBody({
  until: Type.Union([Type.Literal('answered'), Type.Literal('ended'), Type.Literal('hears')], { description: 'answered, ended or hears' }),
  text: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  timeout_ms: Type.Optional(Int(0, 24 * 3600_000)),
});
const Advance = OwnBody({ ms: Type.Optional(Int(0, 24 * 3600_000)), until_idle: Type.Optional(Type.Boolean()) });
const NoBody = Type.Optional(OwnBody({}));

const DEFAULT_WAIT_MS = 10_000;

export function sandboxRoutes(app: App, services: Services): void {
  // The sandbox API's voice side exists only with the sandbox carrier.
  if (!services.sandbox) return;
  const { phones, calls: sandbox } = services.sandbox;

  app.post('/v1/Account/:authId/Sandbox/Phone/', { schema: { params: Params, body: PhoneBody } }, async (req, reply) => {
    const { number, behaviour } = await phones.set(req.scope, req.body);
    return reply.code(201).send({ api_id: req.id, ...phoneView(number, behaviour) });
  });

  app.get('/v1/Account/:authId/Sandbox/Phone/', { schema: { params: Params, querystring: Type.Object({ ...PageQuery }) } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await phones.list(req.scope, page.limit, page.offset);
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Sandbox/Phone/:number/', { schema: { params: PhoneParams } }, async (req) => {
    const { number, behaviour } = await phones.get(req.scope, req.params.number);
    return { api_id: req.id, ...phoneView(number, behaviour) };
  });

  app.delete('/v1/Account/:authId/Sandbox/Phone/:number/', { schema: { params: PhoneParams, body: NoBody } }, async (req, reply) => {
    await phones.reset(req.scope, req.params.number);
    return reply.code(204).send();
  });

  app.get('/v1/Account/:authId/Sandbox/Phone/:number/Calls/', { schema: { params: PhoneParams, querystring: Type.Object({ ...PageQuery }) } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = sandbox.phoneCalls(req.scope, req.params.number, page.limit, page.offset);
    return listBody(req.id, req.url, page, total, objects);
  });

  app.post('/v1/Account/:authId/Sandbox/Call/', { schema: { params: Params, body: PlaceCall } }, async (req, reply) => {
    const callUuid = await sandbox.placeCall(req.scope, req.body);
    return reply.code(201).send({ call_uuid: callUuid, api_id: req.id });
  });

  app.post('/v1/Account/:authId/Sandbox/Call/:callUuid/DTMF/', { schema: { params: LegParams, body: Digits } }, async (req, reply) => {
    sandbox.dtmf(req.scope, req.params.callUuid, req.body.digits, req.body.dtmf_mode);
    return reply.code(202).send({ api_id: req.id, message: 'digits sent' });
  });

  app.post('/v1/Account/:authId/Sandbox/Call/:callUuid/Say/', { schema: { params: LegParams, body: Say } }, async (req, reply) => {
    await sandbox.say(req.scope, req.params.callUuid, req.body.text);
    return reply.code(202).send({ api_id: req.id, message: 'speaking' });
  });

  app.post('/v1/Account/:authId/Sandbox/Call/:callUuid/Play/', { schema: { params: LegParams, body: Play } }, async (req, reply) => {
    await sandbox.play(req.scope, req.params.callUuid, req.body.url);
    return reply.code(202).send({ api_id: req.id, message: 'playing' });
  });

  app.post('/v1/Account/:authId/Sandbox/Call/:callUuid/Hangup/', { schema: { params: LegParams, body: NoBody } }, async (req, reply) => {
    sandbox.hangup(req.scope, req.params.callUuid);
    return reply.code(202).send({ api_id: req.id, message: 'hung up' });
  });

  app.get('/v1/Account/:authId/Sandbox/Call/:callUuid/Transcript/', { schema: { params: LegParams } }, async (req) => ({
    api_id: req.id,
    ...sandbox.transcript(req.scope, req.params.callUuid),
  }));

  app.get('/v1/Account/:authId/Sandbox/Call/:callUuid/Audio/', { schema: { params: LegParams } }, async (req, reply) => {
    const wav = sandbox.audio(req.scope, req.params.callUuid);
    return reply.type('audio/wav').send(Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength));
  });

  // What the far end hears, live, as 8 kHz µ-law (audio/basic) for as long as the call lasts.
  const live = new LiveResponses(app);
  app.get('/v1/Account/:authId/Sandbox/Call/:callUuid/Listen/', { schema: { params: LegParams }, config: { live: true } }, (req, reply) => {
    sandbox.leg(req.scope, req.params.callUuid); // a 404 before the response is taken over
    let stop = (): void => {};
    const stream = live.start(reply, { 'content-type': 'audio/basic' }, () => stop());
    stop = sandbox.listen(req.scope, req.params.callUuid, (pcm) => stream.write(mulawEncode(pcm)), () => stream.end());
  });

  app.post('/v1/Account/:authId/Sandbox/Call/:callUuid/Wait/', { schema: { params: LegParams, body: Wait } }, async (req, reply) => {
    const { until, text, timeout_ms } = req.body;
    const timeout = timeout_ms ?? DEFAULT_WAIT_MS;
    const { reached, transcript } = await sandbox.wait(req.scope, req.params.callUuid, until, text, timeout);
    if (reached) return { api_id: req.id, ...transcript };
    const what = until === 'hears' ? `hear "${text}"` : `be ${until}`;
    return reply.code(408).send({ api_id: req.id, error: `call ${req.params.callUuid} did not ${what} within ${timeout} ms of platform time`, ...transcript });
  });

  app.get('/v1/Account/:authId/Sandbox/Clock/', { schema: { params: Params } }, async (req) => ({ api_id: req.id, ...sandbox.clockView() }));

  app.post('/v1/Account/:authId/Sandbox/Clock/Advance/', { schema: { params: Params, body: Advance } }, async (req) => ({
    api_id: req.id,
    ...(await sandbox.advance(req.body)),
  }));
}
