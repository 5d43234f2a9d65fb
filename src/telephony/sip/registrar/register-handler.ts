// REGISTER as the stack's handler: authenticate, check the credentials own
// the address of record, apply it to the registrar, answer with the
// bindings. The AOR is the authenticated username (endpoint usernames are
// unique platform-wide), so a phone may register only itself.
import { uriUser } from '../message/sip-uri.ts';
import type { SipRequest } from '../message/sip-message.ts';
import type { RequestAuthenticator } from '../auth/request-authenticator.ts';
import type { ServerTransaction } from '../transaction/server-transactions.ts';
import type { Flow } from '../transport/sip-flow.ts';
import type { SipStack } from '../sip-stack.ts';
import type { Registrar } from './registrar.ts';

export function registerHandler<Identity>(stack: SipStack, auth: RequestAuthenticator<Identity>, registrar: Registrar) {
  const handle = async (req: SipRequest, flow: Flow, tx: ServerTransaction): Promise<void> => {
    const who = await auth.authenticate(req, flow, (status, headers, reason) => stack.reply(tx, req, status, { headers, reason }));
    if (!who) return;
    const aor = uriUser(req.to().uri);
    if (aor !== who.username) return stack.refuse(tx, req, flow, 403, `${who.username} may not register ${aor ?? 'that address'}`);
    const outcome = registrar.register(req, who.username, flow);
    if ('reason' in outcome) return stack.refuse(tx, req, flow, outcome.status, outcome.reason);
    stack.reply(tx, req, outcome.status, { headers: outcome.headers });
  };
  return (req: SipRequest, flow: Flow, tx: ServerTransaction): void => {
    stack.clock.track(handle(req, flow, tx)).catch((err: unknown) => {
      stack.warn({ err, method: 'REGISTER' }, 'register handler failed');
      if (!tx.finalSent) stack.reply(tx, req, 500);
    });
  };
}
