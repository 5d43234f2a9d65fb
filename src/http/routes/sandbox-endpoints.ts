// /v1/Account/{auth_id}/Sandbox/Endpoint/{username}/Register/ — a virtual
// SIP device registers for (or leaves) an endpoint, so calls can reach it.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { formatTimestamp } from '../../platform/time.ts';
import { OwnBody } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String(), username: Type.String({ minLength: 1, maxLength: 64 }) });
const Register = OwnBody({ expires: Type.Optional(Type.Integer({ minimum: 1, maximum: 7 * 86_400, description: 'seconds the registration lasts' })) });

export function sandboxEndpointRoutes(app: App, { sandbox }: Services): void {
  // Only the sandbox carrier has virtual devices.
  if (!sandbox) return;
  const { devices } = sandbox;
  app.post('/v1/Account/:authId/Sandbox/Endpoint/:username/Register/', { schema: { params: Params, body: Type.Optional(Register) } }, async (req, reply) => {
    const r = await devices.register(req.scope, req.params.username, req.body?.expires);
    return reply.code(201).send({ api_id: req.id, username: req.params.username, sip_uri: r.sipUri, sip_registered: 'true', sip_expires: formatTimestamp(r.expiresAt).slice(0, 19) });
  });

  app.delete('/v1/Account/:authId/Sandbox/Endpoint/:username/Register/', { schema: { params: Params, body: Type.Optional(OwnBody({})) } }, async (req, reply) => {
    await devices.unregister(req.scope, req.params.username);
    return reply.code(204).send();
  });
}
