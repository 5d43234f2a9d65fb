import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout; request logs carry `api_id`, call logs `call_uuid`. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'switchboard' }, redact: ['req.headers.authorization', '*.password', '*.auth_token'] });
}
