// The two kinds of customer requests messaging makes: status callbacks (sent
// and forgotten: durable, signed, retried) and inbound messages to an
// application's message_url (whose outcome decides the message's state, and
// whose XML answer may reply with <Message>).
export interface HookRequest {
  url: string;
  method: 'GET' | 'POST';
  params: Record<string, string>;
  /** The owner's auth token: the request is signed with it. */
  authToken: string;
  accountId: string;
  kind: 'message_status' | 'message_inbound';
}

/** A customer server's final answer, after retries. */
export interface HookOutcome {
  ok: boolean;
  /** The 2xx response body, for XML replies. */
  body?: string;
}

export interface MessageHooks {
  notify(req: HookRequest): Promise<void>;
  /** `done` runs once the request succeeded or ran out of retries. */
  deliver(req: HookRequest, done: (outcome: HookOutcome) => Promise<void>): Promise<void>;
}

/** An inbound message as a flow sees it. */
export interface ReceivedMessage {
  message_uuid: string;
  from: string;
  to: string;
  text: string;
  type: string;
}

/**
 * Inbound messages to a number attached to a PHLO start a run instead of
 * going to a message_url. Flows sit beside messaging (and use it), so the
 * composition root hands messaging this port.
 */
export interface FlowTrigger {
  messageReceived(phloId: string, owner: { accountId: string; subaccountId: string | null }, message: ReceivedMessage): Promise<void>;
}
