// The one-time answer document of a verification call (src/voice/otp-call.ts).
// Public like a customer's answer_url: the unguessable token is the credential.
import { Type } from 'typebox';
import type { App } from '../app.ts';
import type { Services } from '../../services.ts';
import { notFound } from '../../errors.ts';

const Params = Type.Object({ token: Type.String({ maxLength: 64 }) });

export function verifyCallRoutes(app: App, { otpCalls }: Services): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/v1/VerifyCall/:token/',
    config: { public: true },
    schema: { params: Params },
    handler: async (req, reply) => {
      const doc = otpCalls.document(req.params.token);
      if (!doc) throw notFound('verification call document');
      return reply.type('application/xml').send(doc);
    },
  });
}
