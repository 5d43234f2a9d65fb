// Applications: where calls and messages to your numbers and endpoints go.
import { html } from '../lib/html.js';
import { Crud } from '../lib/crud.js';
import { yesNo } from '../lib/format.js';

const METHODS = [['POST'], ['GET']];
const FIELDS = [
  { name: 'app_name', label: 'Name', required: true },
  { name: 'answer_url', label: 'Answer URL', type: 'url', required: true, placeholder: 'https://your.app/answer', help: 'Fetched when a call is answered; answers with Plivo XML.' },
  { name: 'answer_method', label: 'Answer method', type: 'select', options: METHODS, value: 'POST' },
  { name: 'hangup_url', label: 'Hangup URL', type: 'url' },
  { name: 'fallback_answer_url', label: 'Fallback answer URL', type: 'url' },
  { name: 'message_url', label: 'Message URL', type: 'url', help: 'Receives texts sent to numbers linked to this application.' },
  { name: 'default_number_app', label: 'Default for new numbers', type: 'checkbox' },
  { name: 'default_endpoint_app', label: 'Default for new endpoints', type: 'checkbox' },
];

export default function Applications() {
  return html`<${Crud} title="Applications" noun="application" path="Application/" id=${(a) => a.app_id}
    intro="An application tells Switchboard which URLs to ask what to do with a call or a message."
    columns=${[
      ['Name', (a) => a.app_name],
      ['ID', (a) => html`<code>${a.app_id}</code>`],
      ['Answer URL', (a) => html`<span class="url">${a.answer_url}</span>`],
      ['Default', (a) => [a.default_app && 'numbers', a.default_endpoint_app && 'endpoints'].filter(Boolean).join(', ') || yesNo(false)],
    ]}
    create=${FIELDS} edit=${FIELDS} />`;
}
