// /v1/Account/{auth_id}/Subaccount/ — create, list, get, modify, delete.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { BoolLike, OwnBody, PageQuery, SdkBody, toBool } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const SubParams = Type.Object({ authId: Type.String(), subId: Type.String() });
const Fields = { name: Type.String({ minLength: 1, maxLength: 255 }), enabled: Type.Optional(BoolLike) };
const CreateBody = OwnBody(Fields);
// The Python SDK repeats the subaccount's auth_id in the body of update and delete.
const UpdateBody = SdkBody(Fields);
const DeleteArgs = Type.Object({ cascade: Type.Optional(BoolLike) });
const DeleteBody = SdkBody(DeleteArgs.properties);

export function subaccountRoutes(app: App, { accounts }: Services): void {
  app.post('/v1/Account/:authId/Subaccount/', { schema: { params: Params, body: CreateBody } }, async (req, reply) => {
    const row = await accounts.createSubaccount(req.scope, { name: req.body.name, enabled: toBool(req.body.enabled) });
    return reply.code(201).send({ api_id: req.id, auth_id: row.auth_id, auth_token: row.auth_token, message: 'created' });
  });

  app.get('/v1/Account/:authId/Subaccount/', { schema: { params: Params, querystring: Type.Object(PageQuery) } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await accounts.listSubaccounts(req.scope, page.limit, page.offset);
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Subaccount/:subId/', { schema: { params: SubParams } }, async (req) => ({
    api_id: req.id,
    ...(await accounts.getSubaccount(req.scope, req.params.subId)),
  }));

  app.post('/v1/Account/:authId/Subaccount/:subId/', { schema: { params: SubParams, body: UpdateBody } }, async (req, reply) => {
    await accounts.updateSubaccount(req.scope, req.params.subId, { name: req.body.name, enabled: toBool(req.body.enabled) });
    return reply.code(202).send({ api_id: req.id, message: 'changed' });
  });

  // DELETE arguments may come in the query string or, as the official SDK
  // sends them, in a JSON body.
  app.delete(
    '/v1/Account/:authId/Subaccount/:subId/',
    { schema: { params: SubParams, querystring: DeleteArgs, body: Type.Optional(DeleteBody) } },
    async (req, reply) => {
      const cascade = toBool(req.body?.cascade ?? req.query.cascade) ?? false;
      await accounts.deleteSubaccount(req.scope, req.params.subId, cascade);
      return reply.code(204).send();
    },
  );
}
