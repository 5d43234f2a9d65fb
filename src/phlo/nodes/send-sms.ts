// Send SMS (also accepted as send_message): one text through the messaging
// service, exactly as the Message API sends it (rules, billing, callbacks).
// `sent` means the platform accepted it; delivery is reported later.
import { ApiError } from '../../errors.ts';
import { newUuid } from '../../ids.ts';
import { splitList } from '../phlo-config.ts';
import type { NodeComponent } from '../phlo-node.ts';

/** An alphanumeric sender ID as the messaging rules allow it. */
const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

export const sendSms: NodeComponent = {
  type: 'send_sms',
  label: 'Send SMS',
  needsCall: false,
  states: () => ['sent', 'failed'],
  check(c) {
    const from = c.string('from', { required: true });
    if (from && !from.includes('{{') && !SENDER_ID.test(from)) c.string('from', { address: 'one' });
    c.string('to', { required: true, address: 'list' });
    c.string('text', { required: true, maxLength: 1600 });
  },
  async run({ config, owner, services, sentMessages }) {
    const from = String(config.from ?? '');
    const to = splitList(String(config.to ?? ''));
    const text = String(config.text ?? '');
    const variables = { from, to: to.join(','), text };
    try {
      const sent = await services.sendMessage(owner, { src: from, dst: to.join('<'), text });
      sentMessages(sent.messageUuids);
      const uuids = sent.messageUuids;
      return {
        state: 'sent',
        variables: { ...variables, message_uuid: uuids.length === 1 ? uuids[0] : uuids.join(','), status: 'queued' },
        response: `{'api_id': '${newUuid()}', 'message': 'message(s) queued', 'message_uuid': [${uuids.map((u) => `'${u}'`).join(', ')}]}`,
      };
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      return { state: 'failed', variables: { ...variables, message_uuid: '', status: 'failed', error: err.message } };
    }
  },
};
