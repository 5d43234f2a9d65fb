// /v1/Account/{auth_id}/Call/{call_uuid}/Log/ — a call's debug log (our
// extension): webhook attempts, XML errors and state changes, oldest first.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { PageQuery } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String(), callUuid: Type.String({ minLength: 1, maxLength: 64 }) });
const ListQuery = Type.Object({ ...PageQuery });

export function callLogRoutes(app: App, { callLog }: Services): void {
  app.get('/v1/Account/:authId/Call/:callUuid/Log/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await callLog.list(req.scope, req.params.callUuid, page);
    return listBody(req.id, req.url, page, total, objects);
  });
}
