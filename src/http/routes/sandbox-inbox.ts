// GET /v1/Account/{auth_id}/Sandbox/Phone/{number}/Messages/ — what a virtual
// phone received (SANDBOX.md), newest first.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { PageQuery } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String(), number: Type.String() });
const ListQuery = Type.Object({ ...PageQuery });

export function sandboxInboxRoutes(app: App, { sandboxInbox }: Services): void {
  app.get('/v1/Account/:authId/Sandbox/Phone/:number/Messages/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await sandboxInbox.list(req.scope, req.params.number, page);
    return listBody(req.id, req.url, page, total, objects);
  });
}
