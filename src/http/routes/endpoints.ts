// /v1/Account/{auth_id}/Endpoint/ — create, list, get, modify, delete.
// Passwords are accepted and hashed; the object shows their MD5, as the platform does.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { NoSdkBody, PageQuery, SdkBody } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const EndpointParams = Type.Object({ authId: Type.String(), endpointId: Type.String() });

const Password = Type.String({ minLength: 5, maxLength: 128 });
const Alias = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9 _-]+$', description: 'letters, digits, spaces, "-" and "_"' });
const AppId = Type.String({ maxLength: 40 });

const CreateBody = SdkBody({
  username: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z][A-Za-z0-9]*$', description: 'letters and digits, starting with a letter' }),
  password: Password,
  alias: Alias,
  app_id: Type.Optional(AppId),
  phlo_id: Type.Optional(AppId),
});
const UpdateBody = SdkBody({
  password: Type.Optional(Password),
  alias: Type.Optional(Alias),
  app_id: Type.Optional(AppId),
  phlo_id: Type.Optional(AppId),
  // The SDK offers it; the service refuses it with a clear message.
  username: Type.Optional(Type.String({ maxLength: 64 })),
});
const ListQuery = Type.Object({ ...PageQuery, subaccount: Type.Optional(Type.String()) });

export function endpointRoutes(app: App, { endpoints }: Services): void {
  app.post('/v1/Account/:authId/Endpoint/', { schema: { params: Params, body: CreateBody } }, async (req, reply) => {
    const row = await endpoints.create(req.scope, req.body);
    return reply.code(201).send({ alias: row.alias, api_id: req.id, endpoint_id: row.endpoint_id, message: 'created', username: row.username });
  });

  app.get('/v1/Account/:authId/Endpoint/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await endpoints.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Endpoint/:endpointId/', { schema: { params: EndpointParams } }, async (req) => ({
    api_id: req.id,
    ...endpoints.view(await endpoints.find(req.scope, req.params.endpointId)),
  }));

  app.post('/v1/Account/:authId/Endpoint/:endpointId/', { schema: { params: EndpointParams, body: Type.Optional(UpdateBody) } }, async (req, reply) => {
    const row = await endpoints.update(req.scope, req.params.endpointId, req.body ?? {});
    return reply.code(202).send({ alias: row.alias, api_id: req.id, message: 'changed' });
  });

  app.delete('/v1/Account/:authId/Endpoint/:endpointId/', { schema: { params: EndpointParams, body: NoSdkBody } }, async (req, reply) => {
    await endpoints.delete(req.scope, req.params.endpointId);
    return reply.code(204).send();
  });
}
