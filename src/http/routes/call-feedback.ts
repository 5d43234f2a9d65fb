// POST /v1/Call/{call_uuid}/Feedback/ — call quality feedback, served where
// the SDK sends it (the platform's stats host, which switchboard/sdk points
// here). No auth id in the path: the credentials name the account.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { SdkBody } from '../schemas.ts';

const Params = Type.Object({ callUuid: Type.String({ maxLength: 64 }) });
// Checked by the service, which answers the platform's documented 422s.
const Body = SdkBody({ rating: Type.Optional(Type.Unknown()), issues: Type.Optional(Type.Unknown()), notes: Type.Optional(Type.String({ maxLength: 4096 })) });

export function callFeedbackRoutes(app: App, { voice }: Services): void {
  app.post('/v1/Call/:callUuid/Feedback/', { schema: { params: Params, body: Body } }, async (req, reply) => {
    await voice.feedback.post(req.scope, req.params.callUuid, req.body);
    return reply.code(201).send({ api_id: req.id, message: 'Feedback has been posted', status: 'success' });
  });
}
