import type { App } from '../types.ts';

export function healthRoutes(app: App): void {
  app.get('/health', async () => ({ status: 'ok' }));
}
