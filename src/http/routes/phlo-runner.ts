// The platform's PHLO runner API, on its lower-case paths: get a PHLO, run
// it (the JSON body is the payload), read a run, and steer its multiparty
// calls. Basic auth decides the account; answers follow the runner's shapes.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { runnerRunView } from '../../phlo/phlo-runner.ts';
import { formatMicroTimestamp } from '../../platform/time.ts';
import { DocumentBody } from '../schemas.ts';

const PhloParams = Type.Object({ phloId: Type.String() });
const RunParams = Type.Object({ authId: Type.String(), phloId: Type.String() });
const RunGetParams = Type.Object({ phloId: Type.String(), runId: Type.String() });
const NodeParams = Type.Object({ phloId: Type.String(), nodeId: Type.String() });
const MemberParams = Type.Object({ phloId: Type.String(), nodeId: Type.String(), memberAddress: Type.String() });
// The SDK's run() without a payload sends a JSON null: no parameters.
const Body = DocumentBody(Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])));

export function phloRunnerRoutes(app: App, { phlos, phloRunner, phloMpc: mpc }: Services): void {
  app.get('/v1/phlo/:phloId/', { schema: { params: PhloParams } }, async (req) => {
    const { row } = await phlos.find(req.scope, req.params.phloId);
    return { api_id: req.id, phlo_id: row.phlo_id, name: row.name, created_on: formatMicroTimestamp(row.created_at) };
  });

  app.post('/v1/account/:authId/phlo/:phloId/', { schema: { params: RunParams, body: Body } }, async (req, reply) => {
    const phlo = await phlos.find(req.scope, req.params.phloId);
    const started = await phloRunner.start(phlo, req.scope, { kind: 'api_request', params: req.body ?? {} });
    return reply.code(201).send({ api_id: started.runId, phlo_id: phlo.row.phlo_id, message: started.message });
  });

  app.get('/v1/phlo/:phloId/runs/:runId/', { schema: { params: RunGetParams } }, async (req) => ({
    api_id: req.id,
    ...runnerRunView(await phloRunner.find(req.scope, req.params.phloId, req.params.runId)),
  }));

  app.get('/v1/phlo/:phloId/multi_party_call/:nodeId/', { schema: { params: NodeParams } }, async (req) => {
    const { phlo, node } = await mpc.node(req.scope, req.params.phloId, req.params.nodeId);
    return { api_id: req.id, node_id: node.node_id, phlo_id: phlo.row.phlo_id, name: node.name, node_type: node.node_type, created_on: formatMicroTimestamp(phlo.row.created_at) };
  });

  app.post('/v1/phlo/:phloId/multi_party_call/:nodeId/', { schema: { params: NodeParams, body: Body } }, async (req, reply) => {
    await mpc.nodeAction(req.scope, req.params.phloId, req.params.nodeId, req.body ?? {});
    return reply.code(201).send({ api_id: req.id, error: '' });
  });

  app.post('/v1/phlo/:phloId/multi_party_call/:nodeId/members/:memberAddress/', { schema: { params: MemberParams, body: Body } }, async (req, reply) => {
    await mpc.memberAction(req.scope, req.params.phloId, req.params.nodeId, req.params.memberAddress, req.body ?? {});
    return reply.code(201).send({ api_id: req.id, error: '' });
  });
}
