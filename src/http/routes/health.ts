import type { App } from '../app.ts';

export function healthRoutes(app: App): void {
  app.get('/health', async () => ({ status: 'ok' }));
}
