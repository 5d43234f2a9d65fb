// /v1/Account/{auth_id}/Number/ — the account's numbers: list, get, modify,
// unrent, and add numbers from the operator's own carrier. This plugin also
// loads the shipped inventory and runs rental renewals while the server runs.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { listBody, pageOf } from '../pagination.ts';
import { NoSdkBody, OwnBody, PageQuery, rangeFilter, SdkBody } from '../schemas.ts';

export const ServicesFilter = Type.String({
  pattern: '^(voice|sms|mms)(,(voice|sms|mms))*$',
  description: 'a comma-separated list of voice, sms, mms',
});
export const CnamLookup = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')]);
const NumberType = Type.Union([Type.Literal('local'), Type.Literal('mobile'), Type.Literal('tollfree'), Type.Literal('national')]);
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'a date as YYYY-MM-DD' });

const Params = Type.Object({ authId: Type.String() });
const NumberParams = Type.Object({ authId: Type.String(), number: Type.String() });
const ListQuery = Type.Object({
  ...PageQuery,
  type: Type.Optional(Type.String({ enum: ['fixed', 'local', 'national', 'mobile', 'tollfree'] })),
  number_startswith: Type.Optional(Type.String({ pattern: '^\\d{1,15}$', description: 'leading digits of the number' })),
  subaccount: Type.Optional(Type.String({ maxLength: 20 })),
  alias: Type.Optional(Type.String({ maxLength: 255 })),
  services: Type.Optional(ServicesFilter),
  ...rangeFilter('renewal_date', Day),
});
// The Python SDK repeats `number` and sends `verification_info`.
const UpdateBody = SdkBody({
  app_id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  object_type: Type.Optional(Type.Union([Type.Literal('application'), Type.Literal('phlo')])),
  object_id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  subaccount: Type.Optional(Type.String({ maxLength: 20 })),
  alias: Type.Optional(Type.String({ maxLength: 255 })),
  cnam_lookup: Type.Optional(CnamLookup),
});
const AddOwnBody = OwnBody({
  numbers: Type.String({ minLength: 1, maxLength: 2000 }),
  carrier: Type.String({ minLength: 1, maxLength: 64 }),
  region: Type.String({ minLength: 1, maxLength: 255 }),
  number_type: Type.Optional(NumberType),
  app_id: Type.Optional(Type.String({ maxLength: 64 })),
  subaccount: Type.Optional(Type.String({ maxLength: 20 })),
});

export function numberRoutes(app: App, { numbers }: Services): void {
  app.get('/v1/Account/:authId/Number/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await numbers.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.post('/v1/Account/:authId/Number/', { schema: { params: Params, body: AddOwnBody } }, async (req, reply) => {
    await numbers.addOwn(req.scope, req.body);
    return reply.code(202).send({ api_id: req.id, message: 'changed' });
  });

  app.get('/v1/Account/:authId/Number/:number/', { schema: { params: NumberParams } }, async (req) => ({
    api_id: req.id,
    ...numbers.numberView(await numbers.get(req.scope, req.params.number)),
  }));

  app.post('/v1/Account/:authId/Number/:number/', { schema: { params: NumberParams, body: Type.Optional(UpdateBody) } }, async (req, reply) => {
    await numbers.update(req.scope, req.params.number, req.body ?? {});
    return reply.code(202).send({ api_id: req.id, message: 'changed' });
  });

  app.delete('/v1/Account/:authId/Number/:number/', { schema: { params: NumberParams, body: NoSdkBody } }, async (req, reply) => {
    await numbers.unrent(req.scope, req.params.number);
    return reply.code(204).send();
  });
}
