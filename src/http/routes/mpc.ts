// /v1/Account/{auth_id}/MultiPartyCall/ — multiparty calls (named
// name_<friendly name> or uuid_<uuid>): list, get, activate, end; add,
// list, get, update and kick participants; record the MPC or one participant
// (start, stop, pause, resume); play to members.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { assertSomethingToChange } from '../../platform/patch.ts';
import { countedListBody, pageOf } from '../pagination.ts';
import { MPC_ATTRIBUTES } from '../../voice/mpc/settings.ts';
import { BoolLike, HttpMethod, Int, NoSdkBody, PageQuery, rangeFilter, SdkBody, toBool, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const MpcParams = Type.Object({ authId: Type.String(), mpcId: Type.String({ minLength: 6, maxLength: 300, description: 'name_<friendly name> or uuid_<mpc uuid>' }) });
const MemberParams = Type.Object({
  authId: Type.String(),
  mpcId: Type.String({ minLength: 6, maxLength: 300 }),
  memberId: Type.String({ minLength: 1, maxLength: 2048, description: 'a member id, ids separated by commas, or all' }),
});

const Time = Type.String({ maxLength: 40 });
const ListQuery = Type.Object({
  ...PageQuery,
  sub_account: Type.Optional(Type.String({ maxLength: 40 })),
  friendly_name: Type.Optional(Type.String({ maxLength: 256 })),
  status: Type.Optional(Type.String({ maxLength: 20 })),
  termination_cause_code: Type.Optional(Int()),
  ...rangeFilter('end_time', Time),
  ...rangeFilter('creation_time', Time),
});

const Flag = Type.Optional(BoolLike);
/** An element setting as the API sends it: checked by the element's own rules (settings.ts). */
const Setting = Type.Union([Type.String({ maxLength: 2048 }), Type.Number({ minimum: -1e9, maximum: 1e9 }), Type.Boolean()]);
const AddParticipant = SdkBody({
    // Every <MultiPartyCall> setting, in snake_case.
    ...Object.fromEntries(MPC_ATTRIBUTES.map((name) => [name, Type.Optional(Setting)])),
    role: Type.String({ minLength: 1, maxLength: 20, description: 'agent, supervisor or customer' }),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    call_uuid: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    caller_name: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
    call_status_callback_url: Type.Optional(Url),
    call_status_callback_method: Type.Optional(HttpMethod),
    ring_timeout: Type.Optional(Int()),
    delay_dial: Type.Optional(Type.Union([Int(), Type.String({ maxLength: 200, description: 'seconds, or one per destination separated by <' })])),
    sip_headers: Type.Optional(Type.String({ maxLength: 4096 })),
    confirm_key: Type.Optional(Type.String({ maxLength: 1, description: 'one of 0-9, * or #' })),
    confirm_key_sound_url: Type.Optional(Url),
    confirm_key_sound_method: Type.Optional(HttpMethod),
});
const Update = SdkBody({ mute: Flag, hold: Flag, coach_mode: Flag });
const Activate = SdkBody({ status: Type.String({ maxLength: 20, description: 'active' }) });
const Record = SdkBody({
  file_format: Type.Optional(Type.String({ maxLength: 8 })),
  recording_callback_url: Type.Optional(Url),
  recording_callback_method: Type.Optional(HttpMethod),
});
const TrackType = SdkBody({ record_track_type: Type.Optional(Type.String({ maxLength: 20, description: 'participant, all or both' })) });
const ParticipantRecord = SdkBody({ ...Record.properties, ...TrackType.properties });
const Play = SdkBody({ url: Url });

export function mpcRoutes(app: App, { rooms }: Services): void {
  const { mpcApi: mpcs } = rooms;
  const base = '/v1/Account/:authId/MultiPartyCall/';
  const one = `${base}:mpcId/`;
  const participant = `${one}Participant/:memberId/`;

  app.get(base, { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await mpcs.list(req.scope, { ...req.query, ...page });
    return countedListBody(req.id, req.url, page, total, objects);
  });

  app.get(one, { schema: { params: MpcParams } }, async (req) => ({ api_id: req.id, ...(await mpcs.get(req.scope, req.params.mpcId)) }));

  app.post(one, { schema: { params: MpcParams, body: Activate } }, async (req, reply) => {
    mpcs.activate(req.scope, req.params.mpcId, req.body.status);
    return reply.code(204).send();
  });

  app.delete(one, { schema: { params: MpcParams, body: NoSdkBody } }, async (req, reply) => {
    mpcs.end(req.scope, req.params.mpcId);
    return reply.code(204).send();
  });

  app.post(`${one}Participant/`, { schema: { params: MpcParams, body: AddParticipant } }, async (req, reply) => {
    const added = await mpcs.addParticipant(req.scope, req.params.mpcId, req.body);
    return reply.code(201).send({ api_id: req.id, calls: added.calls, message: 'add participant action initiated', request_uuid: added.requestUuid });
  });

  app.get(`${one}Participant/`, { schema: { params: MpcParams, querystring: Type.Object({ ...PageQuery, call_uuid: Type.Optional(Type.String({ maxLength: 64 })) }) } }, async (req) => {
    const page = pageOf(req.query);
    const all = await mpcs.participants(req.scope, req.params.mpcId, req.query.call_uuid);
    return countedListBody(req.id, req.url, page, all.length, all.slice(page.offset, page.offset + page.limit));
  });

  app.get(participant, { schema: { params: MemberParams } }, async (req) => ({ api_id: req.id, ...(await mpcs.participant(req.scope, req.params.mpcId, req.params.memberId)) }));

  app.post(participant, { schema: { params: MemberParams, body: Update } }, async (req) => {
    const input = { mute: toBool(req.body.mute), hold: toBool(req.body.hold), coach_mode: toBool(req.body.coach_mode) };
    assertSomethingToChange(input);
    return { api_id: req.id, ...(await mpcs.update(req.scope, req.params.mpcId, req.params.memberId, input)) };
  });

  app.delete(participant, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    mpcs.kick(req.scope, req.params.mpcId, req.params.memberId);
    return reply.code(204).send();
  });

  app.post(`${participant}Record/`, { schema: { params: MemberParams, body: Type.Optional(ParticipantRecord) } }, async (req) => {
    const rec = mpcs.participantRecordStart(req.scope, req.params.mpcId, req.params.memberId, req.body ?? {});
    const mpc = mpcs.mpc(req.scope, req.params.mpcId);
    return { api_id: req.id, message: `MPC: ${mpc.name} record started`, recording_id: rec.id, recording_url: rec.url };
  });

  app.delete(`${participant}Record/`, { schema: { params: MemberParams, body: Type.Optional(TrackType) } }, async (req, reply) => {
    await mpcs.participantRecordStop(req.scope, req.params.mpcId, req.params.memberId, req.body?.record_track_type);
    return reply.code(204).send();
  });

  for (const [action, pause] of [['Pause', true], ['Resume', false]] as const) {
    app.post(`${participant}Record/${action}/`, { schema: { params: MemberParams, body: Type.Optional(TrackType) } }, async (req, reply) => {
      mpcs.participantRecordPause(req.scope, req.params.mpcId, req.params.memberId, req.body?.record_track_type, pause);
      return reply.code(204).send();
    });
  }

  app.post(`${one}Record/`, { schema: { params: MpcParams, body: Type.Optional(Record) } }, async (req) => {
    const rec = mpcs.recordStart(req.scope, req.params.mpcId, req.body ?? {});
    const mpc = mpcs.mpc(req.scope, req.params.mpcId);
    return { api_id: req.id, message: `MPC: ${mpc.name} record started`, recording_id: rec.id, recording_url: rec.url };
  });

  app.delete(`${one}Record/`, { schema: { params: MpcParams, body: NoSdkBody } }, async (req, reply) => {
    await mpcs.recordStop(req.scope, req.params.mpcId);
    return reply.code(204).send();
  });

  app.post(`${one}Record/Pause/`, { schema: { params: MpcParams, body: NoSdkBody } }, async (req, reply) => {
    mpcs.recordPause(req.scope, req.params.mpcId);
    return reply.code(204).send();
  });

  app.post(`${one}Record/Resume/`, { schema: { params: MpcParams, body: NoSdkBody } }, async (req, reply) => {
    mpcs.recordResume(req.scope, req.params.mpcId);
    return reply.code(204).send();
  });

  app.post(`${one}Member/:memberId/Play/`, { schema: { params: MemberParams, body: Play } }, async (req, reply) => {
    const { mpc, ids } = await mpcs.play(req.scope, req.params.mpcId, req.params.memberId, req.body.url);
    return reply.code(202).send({ api_id: req.id, message: 'play queued into MPC', mpcMemberId: ids, mpcName: mpc.name });
  });

  app.delete(`${one}Member/:memberId/Play/`, { schema: { params: MemberParams, body: NoSdkBody } }, async (req, reply) => {
    mpcs.stopPlay(req.scope, req.params.mpcId, req.params.memberId);
    return reply.code(204).send();
  });
}
