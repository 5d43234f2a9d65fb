// Every route the API serves, with its schema and config, read by running the
// real route plugins against a bare Fastify instance that only records them.
import Fastify, { type RouteOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { routePlugins, type App } from '../../src/http/app.ts';
import type { Services } from '../../src/services.ts';

export interface RouteInfo {
  method: string;
  url: string;
  schema: { params?: any; querystring?: any; body?: any };
  public: boolean;
  /** Its response stays open while the client listens. */
  live: boolean;
}

export async function routeTable(services: Services): Promise<RouteInfo[]> {
  const recorder = Fastify().withTypeProvider<TypeBoxTypeProvider>();
  const routes: RouteInfo[] = [];
  recorder.addHook('onRoute', (r: RouteOptions) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({ method, url: r.url, schema: (r.schema ?? {}) as RouteInfo['schema'], public: Boolean((r.config as { public?: boolean } | undefined)?.public), live: Boolean((r.config as { live?: boolean } | undefined)?.live) });
    }
  });
  for (const plugin of routePlugins) await plugin(recorder as unknown as App, services);
  return routes;
}
