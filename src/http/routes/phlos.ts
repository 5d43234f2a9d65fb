// /v1/Account/{auth_id}/Phlo/ — flow definitions (our extension): create,
// list, get, replace (If-Match), delete, validate, runs and their traces.
// The body is the flow document; the PHLO validator checks all of it and
// names each problem's node and field.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { runTraceView } from '../../phlo/phlo-runner.ts';
import { listBody, pageOf } from '../pagination.ts';
import { DocumentBody, OwnBody, PageQuery } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const PhloParams = Type.Object({ authId: Type.String(), phloId: Type.String() });
const RunParams = Type.Object({ authId: Type.String(), phloId: Type.String(), runId: Type.String() });
const ListQuery = Type.Object({ ...PageQuery, name: Type.Optional(Type.String({ maxLength: 255 })) });
/** The flow document: the PHLO validator checks all of it. */
const Flow = DocumentBody(Type.Unknown());

export function phloRoutes(app: App, { phlos, phloRunner }: Services): void {
  app.post('/v1/Account/:authId/Phlo/', { schema: { params: Params, body: Flow } }, async (req, reply) => {
    const phlo = await phlos.create(req.scope, req.body);
    return reply.code(201).header('etag', `"${phlo.row.version}"`).send({ api_id: req.id, ...(await phlos.view(phlo)) });
  });

  app.get('/v1/Account/:authId/Phlo/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await phlos.list(req.scope, { name: req.query.name, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.post('/v1/Account/:authId/Phlo/validate/', { schema: { params: Params, body: Flow } }, async (req) => {
    const { errors, warnings } = phlos.validate(req.body);
    return { api_id: req.id, valid: errors.length === 0, errors, warnings };
  });

  app.get('/v1/Account/:authId/Phlo/:phloId/', { schema: { params: PhloParams } }, async (req, reply) => {
    const phlo = await phlos.find(req.scope, req.params.phloId);
    return reply.header('etag', `"${phlo.row.version}"`).send({ api_id: req.id, ...(await phlos.view(phlo)) });
  });

  app.post('/v1/Account/:authId/Phlo/:phloId/', { schema: { params: PhloParams, body: Flow } }, async (req, reply) => {
    const ifMatch = req.headers['if-match'];
    const phlo = await phlos.replace(req.scope, req.params.phloId, req.body, Array.isArray(ifMatch) ? ifMatch[0] : ifMatch);
    return reply.code(202).header('etag', `"${phlo.row.version}"`).send({ api_id: req.id, message: 'changed', phlo_id: phlo.row.phlo_id, version: phlo.row.version });
  });

  app.delete('/v1/Account/:authId/Phlo/:phloId/', { schema: { params: PhloParams, body: Type.Optional(OwnBody({})) } }, async (req, reply) => {
    await phlos.delete(req.scope, req.params.phloId);
    return reply.code(204).send();
  });

  app.get('/v1/Account/:authId/Phlo/:phloId/Run/', { schema: { params: PhloParams, querystring: Type.Object(PageQuery) } }, async (req) => {
    await phlos.find(req.scope, req.params.phloId);
    const page = pageOf(req.query);
    const { rows, total } = await phloRunner.list(req.scope, req.params.phloId, page.limit, page.offset);
    return listBody(req.id, req.url, page, total, rows.map(runTraceView));
  });

  app.get('/v1/Account/:authId/Phlo/:phloId/Run/:runId/', { schema: { params: RunParams } }, async (req) => ({
    api_id: req.id,
    ...runTraceView(await phloRunner.find(req.scope, req.params.phloId, req.params.runId)),
  }));
}
