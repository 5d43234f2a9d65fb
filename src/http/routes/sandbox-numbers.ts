// POST /v1/Account/{auth_id}/Sandbox/Number/ — rent the first number for
// sale and point it at a new application, in one request and one
// transaction (our extension): what a test needs before its first call,
// without searching the inventory, renting, creating the application and
// linking it in four requests (switchboard/testing's `sandbox.number()`).
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { HttpMethod, Name, OwnBody, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const Body = OwnBody({
  answer_url: Url,
  answer_method: Type.Optional(HttpMethod),
  hangup_url: Type.Optional(Url),
  hangup_method: Type.Optional(HttpMethod),
  fallback_answer_url: Type.Optional(Url),
  fallback_method: Type.Optional(HttpMethod),
  message_url: Type.Optional(Url),
  message_method: Type.Optional(HttpMethod),
  app_name: Type.Optional(Name()),
  country_iso: Type.Optional(Type.String({ minLength: 2, maxLength: 2, description: 'the number\'s country (default US)' })),
});

export function sandboxNumberRoutes(app: App, { numbers }: Services): void {
  app.post('/v1/Account/:authId/Sandbox/Number/', { schema: { params: Params, body: Body } }, async (req, reply) => {
    const { country_iso = 'US', ...app } = req.body;
    const { number, application } = await numbers.rentWithApplication(req.scope, country_iso, app);
    return reply.code(201).send({ api_id: req.id, message: 'created', number: number.number, app_id: application.app_id });
  });
}
