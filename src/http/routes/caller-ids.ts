// /v1/Account/{auth_id}/VerifiedCallerId/ — verify a number by one-time code,
// then list, read, modify and delete verified caller IDs.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { OTP_TTL_MS, verifiedCallerIdView } from '../../platform/caller-ids.ts';
import { listBody, pageOf } from '../pagination.ts';
import { NoSdkBody, PageQuery, SdkBody } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const NumberParams = Type.Object({ authId: Type.String(), phoneNumber: Type.String() });
const VerificationParams = Type.Object({ authId: Type.String(), verificationUuid: Type.String() });

const Alias = Type.String({ maxLength: 255 });
const Subaccount = Type.String({ maxLength: 20 });
const InitiateBody = SdkBody({
  phone_number: Type.String({ minLength: 1, maxLength: 20 }),
  alias: Type.Optional(Alias),
  channel: Type.Optional(Type.Unsafe<'sms' | 'call'>({ type: 'string', enum: ['sms', 'call'] })),
  subaccount: Type.Optional(Subaccount),
});
const VerifyBody = SdkBody({ otp: Type.String({ minLength: 1, maxLength: 10 }) });
const UpdateBody = SdkBody({ alias: Type.Optional(Alias), subaccount: Type.Optional(Subaccount) });
const ListQuery = Type.Object({
  ...PageQuery,
  alias: Type.Optional(Type.String({ maxLength: 255 })),
  subaccount: Type.Optional(Type.String({ maxLength: 40 })),
  country: Type.Optional(Type.String({ minLength: 2, maxLength: 2 })),
});

export function callerIdRoutes(app: App, { callerIds }: Services): void {
  app.post('/v1/Account/:authId/VerifiedCallerId/', { schema: { params: Params, body: InitiateBody } }, async (req, reply) => {
    const { verificationUuid, phoneNumber } = await callerIds.initiate(req.scope, req.body);
    return reply.code(201).send({
      api_id: req.id,
      message: `Verification code is sent to number ${phoneNumber} which is valid for ${OTP_TTL_MS / 60_000} minutes`,
      verification_uuid: verificationUuid,
    });
  });

  app.post('/v1/Account/:authId/VerifiedCallerId/Verification/:verificationUuid/', { schema: { params: VerificationParams, body: VerifyBody } }, async (req) => {
    const row = await callerIds.verify(req.scope, req.params.verificationUuid, req.body.otp);
    const { alias, country, created_at, phone_number, subaccount, verification_uuid } = verifiedCallerIdView(row);
    return { alias, api_id: req.id, channel: row.channel, country, created_at, phone_number, subaccount, verification_uuid };
  });

  app.get('/v1/Account/:authId/VerifiedCallerId/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await callerIds.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/VerifiedCallerId/:phoneNumber/', { schema: { params: NumberParams } }, async (req) => {
    const { resource_uri, ...view } = verifiedCallerIdView(await callerIds.find(req.scope, req.params.phoneNumber));
    return { api_id: req.id, ...view };
  });

  app.post('/v1/Account/:authId/VerifiedCallerId/:phoneNumber/', { schema: { params: NumberParams, body: Type.Optional(UpdateBody) } }, async (req) => {
    const { resource_uri, ...view } = verifiedCallerIdView(await callerIds.update(req.scope, req.params.phoneNumber, req.body ?? {}));
    return { api_id: req.id, ...view };
  });

  app.delete('/v1/Account/:authId/VerifiedCallerId/:phoneNumber/', { schema: { params: NumberParams, body: NoSdkBody } }, async (req, reply) => {
    await callerIds.delete(req.scope, req.params.phoneNumber);
    return reply.code(204).send();
  });
}
