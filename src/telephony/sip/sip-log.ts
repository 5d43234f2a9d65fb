// What the SIP layers log through: the four pino levels they use, taking
// fields and a message. A pino Logger is one; a test can pass a plain object.
export interface SipLog {
  error(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  debug(fields: object, msg: string): void;
}
