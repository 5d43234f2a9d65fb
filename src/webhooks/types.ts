// What the engine (and messaging) hands to the webhook module, and what it gets back.
export type HttpMethod = 'GET' | 'POST';

export interface WebhookRequest {
  /** May carry a callback-configuration fragment (`#ct=2000&rt=3000&rc=2&rp=5xx`); it is never sent. */
  url: string;
  method: HttpMethod;
  params: Record<string, string>;
  /** Signs the request (the owner's token: the subaccount's for a subaccount's call). */
  authToken: string;
  /** The main account's token for the `X-Plivo-Signature-Ma-*` headers; defaults to `authToken` (the owner is the main account). */
  mainAuthToken?: string;
  /** For logs and queue ownership; a subaccount's auth id is fine (the call log resolves it). */
  accountId: string;
  /** The call's owner when known, so its debug log is scoped without a lookup. */
  subaccountId?: string | null;
  /** Attempts are logged in this call's debug log. */
  callUuid?: string;
  /** 'answer' | 'fallback' | 'action' | 'hangup' | 'ring' | 'callback' | 'message_status' | … */
  kind: string;
  /** Read timeout of each attempt when the URL does not set `rt`. */
  timeoutMs?: number;
  /** Defaults for this request's callback policy (the URL's fragment still wins). */
  policy?: Partial<CallbackPolicy>;
}

export interface WebhookResult {
  ok: boolean;
  status?: number;
  body?: string;
  contentType?: string;
  error?: string;
  attempts: number;
}

/**
 * Why an attempt failed, in the vocabulary of the platform's `rp` (retry
 * policy) parameter: no connection (`ct`), no timely response (`rt`), an
 * error status (`4xx`, `5xx`), or anything else (`other`: a redirect, an
 * oversized body), which is never retried.
 */
export type FailureKind = 'ct' | 'rt' | '4xx' | '5xx' | 'other';

/** The documented callback configuration, resolved for one URL. */
export interface CallbackPolicy {
  connectTimeoutMs: number;
  readTimeoutMs: number;
  /** Upper limit on the network time of all attempts on one URL. */
  totalTimeoutMs: number;
  /** Retries after the first attempt. */
  retries: number;
  retryOn: FailureKind[];
}
