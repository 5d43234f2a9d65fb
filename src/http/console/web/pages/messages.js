// Messages: what your numbers sent and received, sending one, and the
// sandbox side: a virtual phone's inbox and texting your numbers from it.
import { html, useState } from '../lib/html.js';
import { useList } from '../lib/crud.js';
import { Form } from '../lib/form.js';
import { get, post } from '../lib/api.js';
import { useEvents } from '../lib/events.js';
import { Empty, ErrorNote, Status, when } from '../lib/format.js';
import { useNumbers } from '../lib/options.js';

export default function Messages() {
  const list = useList('Message/');
  const numbers = useNumbers();
  const [notice, setNotice] = useState('');
  useEvents((type) => type === 'message' && list.reload(), []);
  const mine = numbers.length ? numbers : [['', '(rent a number first)']];
  return html`<h1>Messages</h1>
    <details class="panel"><summary>Send a message</summary>
      <${Form} fields=${[
        { name: 'src', label: 'From (your number)', type: 'select', options: mine },
        { name: 'dst', label: 'To', required: true, placeholder: '14155550100', help: 'A number that is not yours is a virtual phone: read its inbox below.' },
        { name: 'text', label: 'Text', type: 'textarea', required: true },
      ]} submit=${(v) => post('Message/', v)} label="Send" onDone=${(r) => { setNotice(`Queued ${r.message_uuid.join(', ')}.`); list.reload(); }} />
    </details>
    <p class="notice" role="status" aria-live="polite">${notice}</p>
    <${ErrorNote} error=${list.error} />
    ${list.loading ? html`<p>Loading…</p>` : list.objects.length === 0 ? html`<${Empty}>No messages yet.</${Empty}>` : html`
    <div class="table-wrap"><table><caption class="sr-only">Messages</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Direction</th><th scope="col">From</th><th scope="col">To</th><th scope="col">State</th><th scope="col">Units</th><th scope="col">Amount</th></tr></thead>
      <tbody>${list.objects.map((m) => html`<tr key=${m.message_uuid}>
        <td>${when(m.message_time)}</td><td>${m.message_direction}</td><td>${m.from_number}</td><td>${m.to_number}</td>
        <td><${Status} value=${m.message_state} />${m.error_code && m.error_code !== '000' ? html` <small>${m.error_message}</small>` : ''}</td><td>${m.units}</td><td>${m.total_amount}</td></tr>`)}</tbody>
    </table></div>
    <p class="meta">${list.objects.length} of ${list.total} ${list.objects.length < list.total ? html`<button type="button" class="link" onClick=${list.more}>Show more</button>` : ''}</p>`}
    <${Inbox} numbers=${mine} onSent=${list.reload} />`;
}

function Inbox({ numbers, onSent }) {
  const [phone, setPhone] = useState('');
  const [inbox, setInbox] = useState(null);
  const [error, setError] = useState(null);
  async function open(values) {
    setPhone(values.number);
    setError(null);
    try {
      setInbox((await get(`Sandbox/Phone/${encodeURIComponent(values.number)}/Messages/`, { limit: 20 })).objects);
    } catch (e) {
      setInbox(null);
      setError(e);
    }
  }
  useEvents((type, m) => type === 'message' && phone && m.to === phone.replace(/^\+/, '') && open({ number: phone }), [phone]);
  return html`<section aria-labelledby="inbox-h">
    <h2 id="inbox-h">Sandbox phones</h2>
    <${Form} fields=${[{ name: 'number', label: 'Virtual phone number', required: true, placeholder: '14155550100' }]} submit=${open} label="Open inbox" inline />
    <${ErrorNote} error=${error} />
    ${inbox && html`<h3>Inbox of ${phone}</h3>${inbox.length === 0 ? html`<${Empty}>Nothing received yet.</${Empty}>` : html`<ul class="inbox">${inbox.map((m) => html`<li key=${m.message_uuid}><span class="meta">${when(m.received_at)} from ${m.from}</span><p>${m.text}</p></li>`)}</ul>`}
      <h3>Text one of your numbers from ${phone}</h3>
      <${Form} fields=${[{ name: 'to', label: 'To (your number)', type: 'select', options: numbers }, { name: 'text', label: 'Text', type: 'textarea', required: true }]}
        submit=${(v) => post('Sandbox/Message/', { ...v, from: phone })} label="Send from the virtual phone" onDone=${onSent} />`}
  </section>`;
}
