// /v1/Account/{auth_id}/Application/ — create, list, get, modify, delete.
import { Type } from 'typebox';
import type { App } from '../types.ts';
import type { Services } from '../../services.ts';
import { applicationView } from '../../platform/applications.ts';
import { listBody, pageOf } from '../pagination.ts';
import { BoolLike, HttpMethod, PageQuery, SdkBody, toBool, Url, UrlOrEmpty } from '../schemas.ts';

const Params = Type.Object({ authId: Type.String() });
const AppParams = Type.Object({ authId: Type.String(), appId: Type.String() });

const Fields = {
  answer_url: Type.Optional(UrlOrEmpty),
  answer_method: Type.Optional(HttpMethod),
  hangup_url: Type.Optional(UrlOrEmpty),
  hangup_method: Type.Optional(HttpMethod),
  fallback_answer_url: Type.Optional(UrlOrEmpty),
  fallback_method: Type.Optional(HttpMethod),
  message_url: Type.Optional(UrlOrEmpty),
  message_method: Type.Optional(HttpMethod),
  default_number_app: Type.Optional(BoolLike),
  default_endpoint_app: Type.Optional(BoolLike),
  subaccount: Type.Optional(Type.String({ maxLength: 20 })),
  log_incoming_messages: Type.Optional(BoolLike),
  public_uri: Type.Optional(BoolLike),
};
const AppName = Type.String({ minLength: 1, maxLength: 255 });
// The platform requires both on create (platform-functions.md: createApplication).
const CreateBody = SdkBody({ app_name: AppName, ...Fields, answer_url: Url });
const UpdateBody = SdkBody({ app_name: Type.Optional(AppName), ...Fields });
const ListQuery = Type.Object({ ...PageQuery, subaccount: Type.Optional(Type.String()), app_name: Type.Optional(Type.String()) });
const DeleteArgs = Type.Object({ cascade: Type.Optional(BoolLike), new_endpoint_application: Type.Optional(Type.String({ maxLength: 40 })) });
const DeleteBody = SdkBody(DeleteArgs.properties);

type Flags = { default_number_app?: boolean | string; default_endpoint_app?: boolean | string; log_incoming_messages?: boolean | string; public_uri?: boolean | string };
function normalise<T extends Flags>(body: T): Omit<T, keyof Flags> & { [K in keyof Flags]: boolean | undefined } {
  return {
    ...body,
    default_number_app: toBool(body.default_number_app),
    default_endpoint_app: toBool(body.default_endpoint_app),
    log_incoming_messages: toBool(body.log_incoming_messages),
    public_uri: toBool(body.public_uri),
  };
}

export function applicationRoutes(app: App, { applications }: Services): void {
  app.post('/v1/Account/:authId/Application/', { schema: { params: Params, body: CreateBody } }, async (req, reply) => {
    const row = await applications.create(req.scope, normalise(req.body));
    return reply.code(201).send({ api_id: req.id, app_id: row.app_id, message: 'created' });
  });

  app.get('/v1/Account/:authId/Application/', { schema: { params: Params, querystring: ListQuery } }, async (req) => {
    const page = pageOf(req.query);
    const { objects, total } = await applications.list(req.scope, { ...req.query, ...page });
    return listBody(req.id, req.url, page, total, objects);
  });

  app.get('/v1/Account/:authId/Application/:appId/', { schema: { params: AppParams } }, async (req) => ({
    api_id: req.id,
    ...applicationView(await applications.find(req.scope, req.params.appId)),
  }));

  app.post('/v1/Account/:authId/Application/:appId/', { schema: { params: AppParams, body: Type.Optional(UpdateBody) } }, async (req, reply) => {
    await applications.update(req.scope, req.params.appId, normalise(req.body ?? {}));
    return reply.code(202).send({ api_id: req.id, message: 'changed' });
  });

  app.delete(
    '/v1/Account/:authId/Application/:appId/',
    { schema: { params: AppParams, querystring: DeleteArgs, body: Type.Optional(DeleteBody) } },
    async (req, reply) => {
      const args = { ...req.query, ...req.body };
      await applications.delete(req.scope, req.params.appId, { cascade: toBool(args.cascade), newEndpointApplication: args.new_endpoint_application });
      return reply.code(204).send();
    },
  );
}
