// Verification codes by voice call. The call is an ordinary outbound call
// whose answer_url is a one-time document served by this server, so it goes
// through the same engine, carrier, billing and debug log as any other call.
import type { Clock } from '../clock/clock.ts';
import { newUuid } from '../ids.ts';
import type { OtpDelivery } from '../platform/otp-delivery.ts';
import type { Calls } from './calls.ts';

/** The number verification calls come from (a sandbox/operator caller ID). */
export const OTP_CALLER_ID = '18005550199';
/** How long the one-time document stays fetchable (the code itself expires later, in CallerIds). */
const DOCUMENT_TTL_MS = 10 * 60_000;

export class OtpCalls {
  private readonly pending = new Map<string, { code: string; expires: number }>();

  constructor(
    private readonly calls: Calls,
    private readonly clock: Clock,
    /** This server's own base URL, known once it listens. */
    private readonly origin: () => string,
  ) {}

  readonly delivery: OtpDelivery = {
    deliver: async ({ to, code, scope }) => {
      this.sweep();
      const token = newUuid();
      this.pending.set(token, { code, expires: this.clock.now() + DOCUMENT_TTL_MS });
      await this.calls.make(scope, { from: OTP_CALLER_ID, to, answer_url: `${this.origin()}/v1/VerifyCall/${token}/`, answer_method: 'GET' });
    },
  };

  /** The document for `token`, once: undefined when unknown, used or expired. */
  document(token: string): string | undefined {
    const entry = this.pending.get(token);
    this.pending.delete(token);
    if (!entry || entry.expires < this.clock.now()) return undefined;
    // Digits spoken one by one, twice, so a listener can write them down.
    const spoken = entry.code.split('').join(', ');
    const say = `Your Switchboard verification code is ${spoken}.`;
    return `<Response><Speak>${say}</Speak><Wait length="1"/><Speak>Again, ${say}</Speak></Response>`;
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [token, e] of this.pending) if (e.expires < now) this.pending.delete(token);
  }
}
