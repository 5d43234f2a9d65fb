// /v1/Account/{auth_id}/PhoneNumber/ — search the inventory and buy (rent) a number.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { Int, PageQuery, SdkBody } from '../schemas.ts';
import { CnamLookup, ServicesFilter } from './numbers.ts';

const Params = Type.Object({ authId: Type.String() });
const NumberParams = Type.Object({ authId: Type.String(), number: Type.String() });
const SearchQuery = Type.Object({
  ...PageQuery,
  country_iso: Type.String({ minLength: 1, maxLength: 8 }),
  type: Type.Optional(Type.String({ enum: ['any', 'fixed', 'local', 'national', 'mobile', 'tollfree'] })),
  pattern: Type.Optional(Type.String({ pattern: '^[0-9*?]{1,15}$', description: 'digits after the country code; * or ? match any one digit' })),
  region: Type.Optional(Type.String({ minLength: 3, maxLength: 100 })),
  services: Type.Optional(ServicesFilter),
  lata: Type.Optional(Int()),
  rate_center: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
// The SDKs also send number, ha_enable, verification_info, compliance_application_id: dropped.
const BuyBody = SdkBody({
  app_id: Type.Optional(Type.String({ maxLength: 64 })),
  cnam_lookup: Type.Optional(CnamLookup),
});

export function phoneNumberRoutes(app: App, { numbers }: Services): void {
  app.get('/v1/Account/:authId/PhoneNumber/', { schema: { params: Params, querystring: SearchQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await numbers.search(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.post('/v1/Account/:authId/PhoneNumber/:number/', { schema: { params: NumberParams, body: Type.Optional(BuyBody) } }, async (req, reply) => {
    const row = await numbers.buy(req.scope, req.params.number, req.body ?? {});
    return reply.code(201).send({ api_id: req.id, message: 'created', numbers: [{ number: row.number, status: 'Success' }], status: 'fulfilled' });
  });
}
