// Verification codes by voice call. The call is an ordinary outbound call
// that runs a document the platform builds (as data: no answer URL is
// fetched), so it goes through the same engine, carrier, billing and debug
// log as any other call.
import { response, speak, wait } from '../../plivo-xml/build.ts';
import type { OtpDelivery } from '../../platform/otp-delivery.ts';
import type { Calls } from './calls.ts';
import { DEFAULT_RING_TIMEOUT_S, DEFAULT_TIME_LIMIT_S } from '../defaults.ts';

/** The number verification calls come from (a sandbox/operator caller ID). */
export const OTP_CALLER_ID = '18005550199';

/** What the called phone hears: the digits one by one, twice, so a listener can write them down. */
export function otpDocument(code: string) {
  const say = `Your Switchboard verification code is ${code.split('').join(', ')}.`;
  return response(speak(say), wait({ length: 1 }), speak(`Again, ${say}`));
}

export function otpCalls(calls: Calls): OtpDelivery {
  return {
    deliver: async ({ to, code, scope }) => {
      await calls.place(scope, {
        from: OTP_CALLER_ID,
        to: [to],
        setup: {
          answer: { url: '', method: 'POST' },
          document: otpDocument(code),
          callerName: OTP_CALLER_ID,
          timeLimitS: DEFAULT_TIME_LIMIT_S,
          ringTimeoutS: DEFAULT_RING_TIMEOUT_S,
          sipHeaders: {},
        },
      });
    },
  };
}
