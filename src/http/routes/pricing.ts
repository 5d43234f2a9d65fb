// GET /v1/Account/{auth_id}/Pricing/?country_iso=… — rates for one country.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';

const Params = Type.Object({ authId: Type.String() });
const Query = Type.Object({ country_iso: Type.String({ minLength: 1, maxLength: 8 }) });

export function pricingRoutes(app: App, { pricing }: Services): void {
  app.get('/v1/Account/:authId/Pricing/', { schema: { params: Params, querystring: Query } }, async (req) => ({
    api_id: req.id,
    ...pricing.view(req.query.country_iso),
  }));
}
