// What the messaging service needs from a carrier: take an outbound message,
// later report what became of it. The service never knows which carrier it
// talks to; the sandbox carrier is the only one today (SIP trunks carry no SMS).
import type { MessageType } from '../store/tables/messages.ts';

export interface OutboundMessage {
  messageUuid: string;
  /** Whose traffic it is (the sandbox keys per-phone behaviour by it). */
  accountId: string;
  subaccountId: string | null;
  from: string;
  /** Country code and digits, no '+'. */
  to: string;
  text: string;
  type: MessageType;
  mediaUrls: string[];
}

/** A carrier's news about a message: handed over (`sent`), or its final fate. */
export type DeliveryReport =
  | { messageUuid: string; state: 'sent' }
  | { messageUuid: string; state: 'delivered' }
  | { messageUuid: string; state: 'failed' | 'undelivered'; errorCode: string };

/** An inbound message a carrier brings to a platform number. */
export interface InboundMessage {
  from: string;
  to: string;
  text: string;
  type: MessageType;
  mediaUrls: string[];
}

/** How a driver talks back to the messaging service. */
export interface CarrierEvents {
  report(r: DeliveryReport): Promise<void>;
  /** A message for a platform number (the sandbox routes platform-to-platform traffic here). */
  inbound(m: InboundMessage): Promise<void>;
}

export interface MessagingDriver {
  /** Hand over a committed message; resolves once the carrier has taken it. Outcomes arrive later through CarrierEvents. */
  submit(message: OutboundMessage): Promise<void>;
  /** Stop working (server shutdown): pending steps are dropped. */
  stop(): void;
}
