// Messaging's customer requests go through the same module: signed, durable,
// retried on the schedule the platform documents for messaging (any non-2xx
// or no answer within 8 s; retries 60 s, 120 s and 240 s apart).
import type { MessageHooks } from './hooks.ts';
import type { CallbackPolicy } from '../webhooks/types.ts';
import type { Webhooks } from '../webhooks/webhooks.ts';

export const MESSAGE_POLICY: Partial<CallbackPolicy> = { readTimeoutMs: 8_000, retries: 3, retryOn: ['ct', 'rt', '4xx', '5xx'] };

export function messageHooks(webhooks: Webhooks): MessageHooks {
  return {
    notify: (req) => webhooks.enqueue({ ...req, policy: MESSAGE_POLICY }),
    deliver: (req, done) =>
      webhooks.enqueue({ ...req, policy: MESSAGE_POLICY }, (result) => void done({ ok: result.ok, body: result.ok ? result.body : undefined })),
  };
}
