// Messaging in the sandbox (our extension, SANDBOX.md): a virtual phone sends
// a message to a platform number, and a test sets what happens to messages
// sent to a virtual phone (outcome, error code, timing).
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { MessageType } from './messages.ts';
import { OwnBody, Url } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const PhoneParams = Type.Object({ authId: Type.String(), number: Type.String() });

const InboundBody = OwnBody({
  from: Type.String({ minLength: 1, maxLength: 32 }),
  to: Type.String({ minLength: 1, maxLength: 32 }),
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  type: Type.Optional(MessageType),
  media_urls: Type.Optional(Type.Array(Url, { maxItems: 100 })),
});

const Delay = Type.Integer({ minimum: 0, maximum: 86_400_000 });
const BehaviourBody = OwnBody({
  outcome: Type.Unsafe<'delivered' | 'sent' | 'undelivered' | 'failed'>({
    type: 'string',
    enum: ['delivered', 'sent', 'undelivered', 'failed'],
    description: 'delivered, sent, undelivered or failed',
  }),
  error_code: Type.Optional(Type.String({ maxLength: 8 })),
  sent_after_ms: Type.Optional(Delay),
  delivered_after_ms: Type.Optional(Delay),
});

export function sandboxMessageRoutes(app: App, { messages, sandboxBehaviours }: Services): void {
  app.post('/v1/Account/:authId/Sandbox/Message/', { schema: { params: Params, body: InboundBody } }, async (req, reply) => {
    const uuid = await messages.receiveFromSandbox(req.scope, req.body);
    return reply.code(201).send({ api_id: req.id, message_uuid: uuid });
  });

  const path = '/v1/Account/:authId/Sandbox/Phone/:number/Messaging/';
  app.post(path, { schema: { params: PhoneParams, body: BehaviourBody } }, async (req, reply) => {
    const view = await sandboxBehaviours.set(req.scope, req.params.number, req.body);
    return reply.code(201).send({ api_id: req.id, ...view });
  });

  app.get(path, { schema: { params: PhoneParams } }, async (req) => ({ api_id: req.id, ...(await sandboxBehaviours.get(req.scope, req.params.number)) }));

  app.delete(path, { schema: { params: PhoneParams, body: Type.Optional(OwnBody({})) } }, async (req, reply) => {
    await sandboxBehaviours.reset(req.scope, req.params.number);
    return reply.code(204).send();
  });
}
