// One error type for every failure a client can cause. Services throw it;
// the HTTP layer's single error handler turns it into {api_id, error}.
export type ApiStatus = 400 | 401 | 402 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

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
