// The Fastify application: conventions in one place (api_id, auth, errors,
// body parsing, slashes), then one plugin per resource.
import Fastify, { LogController, type onRequestHookHandler, type preHandlerHookHandler, type FastifyBaseLogger, type FastifyError } from 'fastify';
import formbody from '@fastify/formbody';
import Router from 'find-my-way';
import secureJson from 'secure-json-parse';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { ApiError } from '../errors.ts';
import type { App } from './types.ts';
import { newUuid } from '../ids.ts';
import type { Services } from '../services.ts';
import { authenticator } from './auth.ts';
import { ClockDomains } from '../clock/domains.ts';
import type { AuthLimiter } from './auth-limiter.ts';
import { lazyChildLoggerFactory } from './request-logger.ts';
import { formatSchemaErrors } from './validation.ts';
import { buildLazyValidator } from './lazy-validators.ts';
import { requestNormaliser } from './normalise.ts';
import { healthRoutes } from './routes/health.ts';
import { accountRoutes } from './routes/account.ts';
import { subaccountRoutes } from './routes/subaccounts.ts';
import { applicationRoutes } from './routes/applications.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { carrierRoutes } from './routes/carriers.ts';
import { callerIdRoutes } from './routes/caller-ids.ts';
import { sandboxInboxRoutes } from './routes/sandbox-inbox.ts';
import { numberRoutes } from './routes/numbers.ts';
import { phoneNumberRoutes } from './routes/phone-numbers.ts';
import { pricingRoutes } from './routes/pricing.ts';
import { sandboxCreditRoutes } from './routes/sandbox-credit.ts';
import { sandboxNumberRoutes } from './routes/sandbox-numbers.ts';
import { callLogRoutes } from './routes/call-logs.ts';
import { messageRoutes } from './routes/messages.ts';
import { sandboxMessageRoutes } from './routes/sandbox-messages.ts';
import { callRoutes } from './routes/calls.ts';
import { sandboxRoutes } from './routes/sandbox.ts';
import { sandboxEndpointRoutes } from './routes/sandbox-endpoints.ts';
import { conferenceRoutes } from './routes/conferences.ts';
import { mpcRoutes } from './routes/mpc.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { streamRoutes } from './routes/streams.ts';
import { callMediaRoutes } from './routes/call-media.ts';
import { phloRoutes } from './routes/phlos.ts';
import { phloRunnerRoutes } from './routes/phlo-runner.ts';
import { callFeedbackRoutes } from './routes/call-feedback.ts';
import { eventRoutes } from './routes/events.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { consoleRoutes } from './console/console-routes.ts';
import { ConsoleSessions } from './console/sessions.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without credentials (recording files, whose unguessable id is the key). */
    public?: boolean;
    /** Answers with a response that stays open while the client listens (an event stream, live audio). */
    live?: boolean;
  }
}

export type { App };

/** Body size limit: the largest legitimate request (bulk calls, long SMS) is far below it. */
export const BODY_LIMIT = 256 * 1024;

/**
 * Coercion and unknown keys are handled before validation (normalise.ts):
 * Ajv's own coercion turns null into "" and "0x10" into 16.
 */
export const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, useDefaults: true, allErrors: false, verbose: true } as const;

/** Route plugins are added here; later features append theirs. */
export type RoutePlugin = (app: App, services: Services) => void | Promise<void>;
export const routePlugins: RoutePlugin[] = [accountRoutes, subaccountRoutes, applicationRoutes, numberRoutes, phoneNumberRoutes, pricingRoutes, sandboxCreditRoutes, sandboxNumberRoutes, endpointRoutes, carrierRoutes, callerIdRoutes, sandboxInboxRoutes, callLogRoutes, messageRoutes, sandboxMessageRoutes, callRoutes, sandboxRoutes, sandboxEndpointRoutes, conferenceRoutes, mpcRoutes, recordingRoutes, streamRoutes, callMediaRoutes, phloRoutes, phloRunnerRoutes, callFeedbackRoutes, eventRoutes, ledgerRoutes];

export interface AppOptions {
  /** Failed-auth budgets (tests inject one with their own clock). */
  authLimiter?: AuthLimiter;
}

export async function buildApp(services: Services, logger: Logger, opts: AppOptions = {}): Promise<App> {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    genReqId: () => newUuid(),
    childLoggerFactory: lazyChildLoggerFactory,
    logController: new LogController({ requestIdLogLabel: 'api_id', disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    ajv: { customOptions: AJV_OPTIONS },
    schemaController: { compilersFactory: { buildValidator: buildLazyValidator } },
    schemaErrorFormatter: formatSchemaErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(formbody);
  // SDKs send `Content-Type: application/json` with an empty body on DELETE
  // and some GETs; an empty body means "no parameters", not an error.
  // secure-json-parse (Fastify's own) refuses `__proto__` and
  // `constructor.prototype` keys, so a body cannot smuggle a prototype.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') return done(null, {});
    try {
      done(null, secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }));
    } catch (err) {
      done(new ApiError(400, `request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });

  // One compact line per request, with the api_id the client receives (on
  // the root logger: see request-logger.ts). Callback-style hooks: they run on
  // every request, and an async hook's promise is a measurable cost.
  app.addHook('onResponse', (req, reply, done) => {
    app.log.info({ api_id: req.id, method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request');
    done();
  });

  // Authentication is attached to each route as it is added (and to the
  // not-found handler), not run as a global hook that would look up on every
  // request whether its route is public.
  const authenticate = authenticator(services.accounts, opts.authLimiter);
  // The web console's signed-in browser is authenticated the same way (its session stands in for Basic auth).
  const sessions = new ConsoleSessions();
  const authHook: onRequestHookHandler = (req, _reply, done) => {
    let pending: void | Promise<void>;
    try {
      sessions.authorize(req);
      pending = authenticate(req);
    } catch (err) {
      return done(err as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  };
  // Every method a path serves, so a method it does not serve can get 405.
  const methodsByPath = new Map<string, { methods: Set<string>; public: boolean }>();
  app.addHook('onRoute', (route) => {
    const entry = methodsByPath.get(route.url) ?? { methods: new Set(), public: !!route.config?.public || route.url.startsWith('/health') };
    for (const m of [route.method].flat()) entry.methods.add(m);
    methodsByPath.set(route.url, entry);
    const normalise = requestNormaliser(route);
    if (normalise) route.preValidation = [normalise, ...(route.preValidation ? [route.preValidation].flat() : [])];
    if (route.config?.public || route.url.startsWith('/health')) return;
    const own = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [authHook, ...own];
    // The request runs on its caller's time: on the virtual clock a subaccount (its credentials or its path) has its own.
    const clock = services.clock;
    if (!(clock instanceof ClockDomains)) return;
    const handler = route.handler;
    route.handler = function (req, reply) {
      return clock.run(req.scope, () => handler.call(this, req, reply));
    };
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    let status = 500;
    let message = 'internal server error';
    let details: Record<string, unknown> | undefined;
    if (err instanceof ApiError) {
      status = err.status;
      message = err.message;
      details = err.details;
    } else if (err.validation) {
      status = 400;
      message = err.message;
    } else if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      status = 400;
      message = `request body is not valid JSON: ${err.message}`;
    } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      status = 413;
      message = `request body is larger than ${BODY_LIMIT} bytes`;
    } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      status = 415;
      message = 'unsupported Content-Type: send application/json or application/x-www-form-urlencoded';
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      message = err.message;
    } else {
      req.log.error({ err }, 'unhandled error');
    }
    if (err instanceof ApiError && err.headers) reply.headers(err.headers);
    reply.code(status).send({ api_id: req.id, error: message, ...details });
  });

  // A method a path does not serve is answered 405 from here too (unsupportedMethod); a public path's without credentials.
  const unsupported = unsupportedMethod(methodsByPath);
  const notFoundAuth: preHandlerHookHandler = (req, reply, done) => (unsupported(req)?.public ? done() : authHook.call(app, req, reply, done));
  app.setNotFoundHandler({ preHandler: notFoundAuth }, (req, reply) => {
    const path = unsupported(req);
    if (path) {
      reply
        .code(405)
        .header('allow', path.allow)
        .send({ api_id: req.id, error: `method ${req.method} is not allowed on ${req.url.split('?')[0]}; this path serves ${path.allow}` });
      return;
    }
    reply.code(404).send({ api_id: req.id, error: `no such resource: ${req.method} ${req.url.split('?')[0]}` });
  });

  healthRoutes(app);
  for (const plugin of routePlugins) await plugin(app, services);
  await consoleRoutes(sessions, authenticate)(app, services);
  return app;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The platform answers 405 with its error envelope for a method a path does
 * not serve (`PUT /Application/`), 404 for an unknown path. Requests the
 * routes do not match come to the not-found handler, which asks this: a
 * router of every path under the methods it lacks (same matching as
 * Fastify's), built on the first such request. Building it with the routes
 * (~400 of them) was a third of a start's CPU.
 */
function unsupportedMethod(methodsByPath: Map<string, { methods: Set<string>; public: boolean }>) {
  type Entry = { allow: string; public: boolean };
  let router: Router.Instance<Router.HTTPVersion.V1> | undefined;
  const build = () => {
    const r = Router({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true });
    for (const [url, entry] of methodsByPath) {
      const missing = METHODS.filter((m) => !entry.methods.has(m));
      if (missing.length === 0) continue;
      const store: Entry = { allow: METHODS.filter((m) => entry.methods.has(m)).join(', '), public: entry.public };
      r.on(missing, url, () => {}, store);
    }
    return r;
  };
  return (req: { method: string; url: string }): Entry | undefined => {
    if (!(METHODS as readonly string[]).includes(req.method)) return undefined;
    router ??= build();
    return (router.find(req.method as Router.HTTPMethod, req.url)?.store as Entry | undefined) ?? undefined;
  };
}
