// /v1/Account/{auth_id}/Conference/ — live conferences: list, get (with
// members), hang up one or all; members (an id, ids separated by commas, or
// `all`): hang up, kick, mute, deaf, play, speak; record a conference.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { HttpMethod, NoSdkBody, SdkBody, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const ConfParams = Type.Object({ authId: Type.String(), name: Type.String({ minLength: 1, maxLength: 256 }) });
const MemberParams = Type.Object({
  authId: Type.String(),
  name: Type.String({ minLength: 1, maxLength: 256 }),
  memberId: Type.String({ minLength: 1, maxLength: 2048, description: 'a member id, ids separated by commas, or all' }),
});
const PlayBody = SdkBody({ url: Url });
const SpeakBody = SdkBody({
  text: Type.String({ minLength: 1, maxLength: 3000 }),
  voice: Type.Optional(Type.Union([Type.Literal('MAN'), Type.Literal('WOMAN')], { description: 'MAN or WOMAN' })),
  language: Type.Optional(Type.String({ minLength: 2, maxLength: 16 })),
});
const RecordBody = SdkBody({
  file_format: Type.Optional(Type.String({ maxLength: 8 })),
  transcription_type: Type.Optional(Type.String({ maxLength: 16 })),
  transcription_url: Type.Optional(Url),
  transcription_method: Type.Optional(HttpMethod),
  callback_url: Type.Optional(Url),
  callback_method: Type.Optional(HttpMethod),
});

export function conferenceRoutes(app: App, { rooms }: Services): void {
  const { conferences } = rooms;
  const base = '/v1/Account/:authId/Conference/';
  const member = `${base}:name/Member/:memberId/`;

  app.get(base, { schema: { params: Params } }, async (req) => ({ api_id: req.id, conferences: conferences.list(req.scope) }));

  app.delete(base, { schema: { params: Params, body: NoSdkBody } }, async (req, reply) => {
    conferences.hangupAll(req.scope);
    return reply.code(204).send();
  });

  app.get(`${base}:name/`, { schema: { params: ConfParams } }, async (req) => ({ ...conferences.view(req.scope, req.params.name), api_id: req.id }));

  app.delete(`${base}:name/`, { schema: { params: ConfParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.hangup(req.scope, req.params.name);
    return reply.code(204).send();
  });

  app.delete(member, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.hangupMembers(req.scope, req.params.name, req.params.memberId);
    return reply.code(204).send();
  });

  const accepted = (message: string) => (req: { id: string; params: { memberId: string } }) => ({ message, member_id: req.params.memberId, api_id: req.id });

  app.post(`${member}Kick/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.kick(req.scope, req.params.name, req.params.memberId);
    return reply.code(202).send(accepted('kicked')(req));
  });

  app.post(`${member}Mute/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.setMuted(req.scope, req.params.name, req.params.memberId, true);
    return reply.code(202).send(accepted('muted')(req));
  });

  app.delete(`${member}Mute/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.setMuted(req.scope, req.params.name, req.params.memberId, false);
    return reply.code(204).send();
  });

  app.post(`${member}Deaf/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.setDeaf(req.scope, req.params.name, req.params.memberId, true);
    return reply.code(202).send(accepted('deaf')(req));
  });

  app.delete(`${member}Deaf/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.setDeaf(req.scope, req.params.name, req.params.memberId, false);
    return reply.code(204).send();
  });

  app.post(`${member}Play/`, { schema: { params: MemberParams, body: PlayBody } }, async (req, reply) => {
    await conferences.playAudio(req.scope, req.params.name, req.params.memberId, req.body.url);
    return reply.code(202).send(accepted('play queued into conference')(req));
  });

  app.delete(`${member}Play/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.stopAudio(req.scope, req.params.name, req.params.memberId);
    return reply.code(204).send();
  });

  app.post(`${member}Speak/`, { schema: { params: MemberParams, body: SpeakBody } }, async (req, reply) => {
    await conferences.speak(req.scope, req.params.name, req.params.memberId, req.body);
    return reply.code(202).send(accepted('speak queued into conference')(req));
  });

  app.delete(`${member}Speak/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    conferences.stopSpeaking(req.scope, req.params.name, req.params.memberId);
    return reply.code(204).send();
  });

  app.post(`${base}:name/Record/`, { schema: { params: ConfParams, body: Type.Optional(RecordBody) } }, async (req, reply) => {
    const rec = conferences.startRecording(req.scope, req.params.name, req.body ?? {}, req.id);
    return reply.code(202).send({ api_id: req.id, message: 'conference recording started', recording_id: rec.id, url: rec.url });
  });

  app.delete(`${base}:name/Record/`, { schema: { params: ConfParams, body: NoSdkBody } }, async (req, reply) => {
    await conferences.stopRecording(req.scope, req.params.name);
    return reply.code(204).send();
  });
}
