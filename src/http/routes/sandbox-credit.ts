// POST /v1/Account/{auth_id}/Sandbox/Credit/ — top up cash credit (our
// extension). A subaccount's top-up goes to its main account, whose credit it
// spends.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { formatMoney, parseMoney } from '../../money.ts';
import { OwnBody } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const Body = OwnBody({
  amount: Type.String({ pattern: '^\\d{1,7}(\\.\\d{1,6})?$', description: 'a positive decimal amount such as "25.00"' }),
});

export function sandboxCreditRoutes(app: App, { billing }: Services): void {
  app.post('/v1/Account/:authId/Sandbox/Credit/', { schema: { params: Params, body: Body } }, async (req, reply) => {
    const amount = parseMoney(req.body.amount);
    const balance = await billing.credit(req.scope, amount, `sandbox top-up by ${req.scope.callerId}`);
    return reply.code(202).send({ api_id: req.id, message: 'credited', amount: formatMoney(amount), cash_credits: formatMoney(balance) });
  });
}
