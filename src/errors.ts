// One error type for every failure a client can cause. Services throw it;
// the HTTP layer's single error handler turns it into {api_id, error}.
//
// The platform's API answers 200/201/202/204/400/401/404/405/429/500, and
// the official SDKs turn exactly those into typed errors carrying our
// message; anything else reaches the Node SDK as a bare "Request failed
// with status code N". The extra codes below stay only where docs/decisions.md
// ("Status codes") says why: 413/415 (HTTP framing no SDK sends), 422 (call
// feedback, documented so), 409 (our Sandbox API and the PHLO definitions
// API's If-Match, which no SDK calls), 403 (the web console's CSRF and
// sign-in origin checks, which only a browser meets).
export type ApiStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500;

export class ApiError extends Error {
  constructor(
    readonly status: ApiStatus,
    message: string,
    /** Extra fields of the error body beside api_id and error (e.g. a PHLO's per-node `errors`). */
    readonly details?: Record<string, unknown>,
    /** Response headers that go with it (Retry-After on a 429). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string): ApiError => new ApiError(404, `${what} not found`);
