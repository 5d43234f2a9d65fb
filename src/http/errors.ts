export { ApiError, notFound, type ApiStatus } from '../errors.ts';
