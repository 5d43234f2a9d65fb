// GET and POST /v1/Account/{auth_id}/ — the account's own details.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { OwnBody } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
// Neither SDK adds keys here (Python sends exactly name, city, address).
const Patch = OwnBody({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  city: Type.Optional(Type.String({ maxLength: 255 })),
  address: Type.Optional(Type.String({ maxLength: 1024 })),
  state: Type.Optional(Type.String({ maxLength: 255 })),
  timezone: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$', description: 'an IANA time zone such as Europe/Paris' })),
});

export function accountRoutes(app: App, { accounts }: Services): void {
  app.get('/v1/Account/:authId/', { schema: { params: Params } }, async (req) => ({
    api_id: req.id,
    ...(await accounts.get(req.scope)),
  }));

  app.post('/v1/Account/:authId/', { schema: { params: Params, body: Type.Optional(Patch) } }, async (req, reply) => {
    await accounts.update(req.scope, req.body ?? {});
    return reply.code(202).send({ api_id: req.id, message: 'changed' });
  });
}
