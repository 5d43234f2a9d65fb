// How a verification code reaches the phone being verified. The caller ID
// service only sees this interface; the sandbox delivers SMS into the
// virtual phone's inbox, and the voice engine supplies call delivery.
import { ApiError } from '../errors.ts';
import type { SandboxInbox } from './sandbox-inbox.ts';
import type { Scope } from './scope.ts';

export type OtpChannel = 'sms' | 'call';

export interface OtpMessage {
  channel: OtpChannel;
  /** The number being verified: country code and digits, no '+'. */
  to: string;
  code: string;
  /** Who asked (the verification's owner): deliveries are billed and recorded for it. */
  scope: Scope;
}

export interface OtpDelivery {
  deliver(message: OtpMessage): Promise<void>;
}

/** The sender the verification SMS shows (an alphanumeric sender ID). */
export const OTP_SENDER = 'Switchboard';

export const otpText = (code: string): string => `Your Switchboard verification code is ${code}. Do not share it with anyone.`;

/** SMS delivery in the sandbox: the code lands in the virtual phone's inbox. */
export function sandboxSmsDelivery(inbox: SandboxInbox): OtpDelivery {
  return {
    async deliver({ to, code, scope }) {
      await inbox.receive({ owner: { accountId: scope.accountId, subaccountId: scope.subaccountId }, to, from: OTP_SENDER, text: otpText(code) });
    },
  };
}

/** Until the voice engine provides a call delivery, `channel=call` is refused rather than faked. */
export const voiceOtpUnavailable: OtpDelivery = {
  async deliver() {
    throw new ApiError(500, 'voice OTP delivery is not available');
  },
};
