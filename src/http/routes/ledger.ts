// GET /v1/Account/{auth_id}/Ledger/ — the entries behind cash_credits
// (our extension): credits, number rentals, calls and messages, newest first.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { PageQuery } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });

export function ledgerRoutes(app: App, { billing }: Services): void {
  app.get('/v1/Account/:authId/Ledger/', { schema: { params: Params, querystring: Type.Object({ ...PageQuery }) } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await billing.ledger(req.scope, page);
    return listBody(req.id, req.url, page, total, objects);
  });
}
