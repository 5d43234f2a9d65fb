// /v1/Account/{auth_id}/IncomingCarrier/ — the operator's inbound SIP trunks.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { carrierView } from '../../platform/carriers.ts';
import { listBody, pageOf } from '../pagination.ts';
import { BoolLike, Name, OwnBody, PageQuery, toBool } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const CarrierParams = Type.Object({ authId: Type.String(), carrierId: Type.String() });

const IpSet = Type.String({ minLength: 1, maxLength: 8192 });
const Fields = {
  prefix_set: Type.Optional(Type.String({ maxLength: 2048 })),
  voice: Type.Optional(BoolLike),
  sms: Type.Optional(BoolLike),
};
// No official SDK has incoming carriers: unknown keys are refused.
const CreateBody = OwnBody({ name: Name(), ip_set: IpSet, ...Fields });
const UpdateBody = OwnBody({ name: Type.Optional(Name()), ip_set: Type.Optional(IpSet), ...Fields });
const ListQuery = Type.Object({ ...PageQuery, name: Type.Optional(Type.String()) });

function normalise<T extends { voice?: boolean | string; sms?: boolean | string }>(body: T) {
  return { ...body, voice: toBool(body.voice), sms: toBool(body.sms) };
}

export function carrierRoutes(app: App, { carriers }: Services): void {
  app.post('/v1/Account/:authId/IncomingCarrier/', { schema: { params: Params, body: CreateBody } }, async (req, reply) => {
    const row = await carriers.create(req.scope, normalise(req.body));
    return reply.code(201).send({ api_id: req.id, carrier_id: row.carrier_id, message: 'created' });
  });

  app.get('/v1/Account/:authId/IncomingCarrier/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await carriers.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/IncomingCarrier/:carrierId/', { schema: { params: CarrierParams } }, async (req) => ({
    api_id: req.id,
    ...carrierView(await carriers.find(req.scope, req.params.carrierId)),
  }));

  app.post('/v1/Account/:authId/IncomingCarrier/:carrierId/', { schema: { params: CarrierParams, body: Type.Optional(UpdateBody) } }, async (req, reply) => {
    await carriers.update(req.scope, req.params.carrierId, normalise(req.body ?? {}));
    return reply.code(202).send({ api_id: req.id, message: 'changed' });
  });

  app.delete('/v1/Account/:authId/IncomingCarrier/:carrierId/', { schema: { params: CarrierParams, body: Type.Optional(OwnBody({})) } }, async (req, reply) => {
    await carriers.delete(req.scope, req.params.carrierId);
    return reply.code(204).send();
  });
}
