// Media on a live call: /v1/Account/{auth_id}/Call/{call_uuid}/Play/,
// …/Speak/ (start with POST, stop with DELETE) and …/DTMF/.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { LANGUAGE } from '../../plivo-xml/attrs.ts';
import { BoolLike, Int, NoSdkBody, SdkBody, toBool } from '../schemas.ts';

const CallParams = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }) });
const Legs = Type.Union([Type.Literal('aleg'), Type.Literal('bleg'), Type.Literal('both')], { description: 'aleg, bleg or both' });

const Play = SdkBody({
  urls: Type.String({ minLength: 1, maxLength: 10_000, description: 'mp3 or wav URLs separated by commas' }),
  length: Type.Optional(Int(1, 86_400)),
  legs: Type.Optional(Legs),
  loop: Type.Optional(BoolLike),
  mix: Type.Optional(BoolLike),
});
const Speak = SdkBody({
  text: Type.String({ minLength: 1, maxLength: 3000 }),
  voice: Type.Optional(Type.String({ maxLength: 64 })),
  language: Type.Optional(Type.String({ maxLength: 20, pattern: LANGUAGE.source, description: 'a language tag such as en-US' })),
  legs: Type.Optional(Legs),
  loop: Type.Optional(BoolLike),
  mix: Type.Optional(BoolLike),
});
const Digits = SdkBody({
  digits: Type.String({ minLength: 1, maxLength: 100, pattern: '^[0-9*#A-DwW]+$', description: 'DTMF keys (0-9, *, #, A-D; w or W to pause)' }),
  leg: Type.Optional(Type.Union([Type.Literal('aleg'), Type.Literal('bleg')], { description: 'aleg or bleg' })),
});

export function callMediaRoutes(app: App, { media }: Services): void {
  const live = media.callMediaApi;

  app.post('/v1/Account/:authId/Call/:callUuid/Play/', { schema: { params: CallParams, body: Play } }, async (req, reply) => {
    const b = req.body;
    await live.play(req.scope, req.params.callUuid, { ...b, loop: toBool(b.loop), mix: toBool(b.mix) });
    return reply.code(202).send({ message: 'play started', api_id: req.id });
  });

  app.delete('/v1/Account/:authId/Call/:callUuid/Play/', { schema: { params: CallParams, body: NoSdkBody } }, async (req, reply) => {
    live.stopPlay(req.scope, req.params.callUuid);
    return reply.code(204).send();
  });

  app.post('/v1/Account/:authId/Call/:callUuid/Speak/', { schema: { params: CallParams, body: Speak } }, async (req, reply) => {
    const b = req.body;
    await live.speak(req.scope, req.params.callUuid, { ...b, loop: toBool(b.loop), mix: toBool(b.mix) });
    return reply.code(202).send({ message: 'speak started', api_id: req.id });
  });

  app.delete('/v1/Account/:authId/Call/:callUuid/Speak/', { schema: { params: CallParams, body: NoSdkBody } }, async (req, reply) => {
    live.stopSpeak(req.scope, req.params.callUuid);
    return reply.code(204).send();
  });

  app.post('/v1/Account/:authId/Call/:callUuid/DTMF/', { schema: { params: CallParams, body: Digits } }, async (req, reply) => {
    live.sendDigits(req.scope, req.params.callUuid, req.body);
    return reply.code(202).send({ message: 'digits sent', api_id: req.id });
  });
}
