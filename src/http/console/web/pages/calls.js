// Calls: the live ones, updated as they change, and the call records with
// the API's filters. A call opens its timeline (call.js).
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { useList } from '../lib/crud.js';
import { Form } from '../lib/form.js';
import { get } from '../lib/api.js';
import { useEvents } from '../lib/events.js';
import { Empty, ErrorNote, Status, when } from '../lib/format.js';
import { href } from '../lib/router.js';

export default function Calls({ route, session }) {
  if (route[0]) return html`<${Lazy} uuid=${route[0]} />`;
  return html`<h1>Calls</h1><${Live} /><${Records} subaccountFilter=${!session?.is_subaccount} />`;
}

function Lazy({ uuid }) {
  const [mod, setMod] = useState(null);
  useEffect(() => {
    import('./call.js').then(setMod);
  }, []);
  return mod ? html`<${mod.Timeline} uuid=${uuid} />` : html`<p>Loading…</p>`;
}

/** Runs `fn` at most once per `ms` however often it is asked. */
function useCoalesced(fn, ms) {
  const timer = useRef(null);
  useEffect(() => () => clearTimeout(timer.current), []);
  return () => {
    if (!timer.current) timer.current = setTimeout(() => ((timer.current = null), fn()), ms);
  };
}

function Live() {
  const [calls, setCalls] = useState(null);
  const [error, setError] = useState(null);
  async function load() {
    try {
      const { calls: uuids } = await get('Call/', { status: 'live' });
      const details = await Promise.all(uuids.slice(0, 50).map((u) => get(`Call/${u}/`, { status: 'live' }).catch(() => null)));
      setCalls(details.filter(Boolean));
      setError(null);
    } catch (e) {
      setError(e);
    }
  }
  const reload = useCoalesced(load, 150);
  useEffect(() => void load(), []);
  useEvents((type, e) => type === 'call' && e.kind === 'state' && reload(), []);
  return html`<section aria-labelledby="live-h">
    <h2 id="live-h">Live calls <span class="pulse" aria-hidden="true"></span></h2>
    <${ErrorNote} error=${error} />
    <div aria-live="polite">
    ${calls === null ? html`<p>Loading…</p>` : calls.length === 0 ? html`<${Empty}>No call is in progress. Start one from the <a href=${href('phone')}>softphone</a>.</${Empty}>` : html`
      <div class="table-wrap"><table><caption class="sr-only">Live calls</caption>
        <thead><tr><th scope="col">Call</th><th scope="col">Direction</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Status</th><th scope="col">Since</th></tr></thead>
        <tbody>${calls.map((c) => html`<tr key=${c.call_uuid}>
          <td><a href=${href('calls', c.call_uuid)}><code>${c.call_uuid.slice(0, 8)}</code></a></td><td>${c.direction}</td><td>${c.from}</td><td>${c.to}</td>
          <td><${Status} value=${c.call_status} /></td><td>${when(c.session_start)}</td></tr>`)}</tbody>
      </table></div>`}
    </div>
  </section>`;
}

/** The call list API's filters (a main account may also pick one subaccount's calls). */
const FILTERS = [
  { name: 'call_direction', label: 'Direction', type: 'select', options: [['', 'any'], ['inbound'], ['outbound']] },
  { name: 'from_number', label: 'From', placeholder: 'number or prefix' },
  { name: 'to_number', label: 'To', placeholder: 'number or prefix' },
  { name: 'hangup_cause_code', label: 'Hangup cause code', type: 'number' },
  { name: 'hangup_source', label: 'Hung up by', type: 'select', options: [['', 'anyone'], ...['Caller', 'Callee', 'Plivo', 'API Request', 'Answer XML', 'Error', 'Unknown'].map((s) => [s])] },
  { name: 'bill_duration__gte', label: 'Billed at least (s)', type: 'number' },
  { name: 'bill_duration__lte', label: 'Billed at most (s)', type: 'number' },
  { name: 'end_time__gte', label: 'Ended at or after', placeholder: 'YYYY-MM-DD HH:MM' },
  { name: 'end_time__lte', label: 'Ended at or before', placeholder: 'YYYY-MM-DD HH:MM' },
  { name: 'parent_call_uuid', label: 'A leg (parent call UUID)', placeholder: 'its B legs' },
];
const SUBACCOUNT_FILTER = { name: 'subaccount', label: 'Subaccount', placeholder: 'SA… auth id' };

function Records({ subaccountFilter }) {
  const [query, setQuery] = useState({});
  const list = useList('Call/', query);
  const reload = useCoalesced(list.reload, 500);
  useEvents((type, e) => type === 'call' && e.kind === 'state' && e.data?.state === 'completed' && reload(), []);
  return html`<section aria-labelledby="cdr-h">
    <h2 id="cdr-h">Call records</h2>
    <details class="panel"><summary>Filter</summary>
      <${Form} fields=${subaccountFilter ? [...FILTERS, SUBACCOUNT_FILTER] : FILTERS} submit=${async (v) => setQuery(v)} label="Apply filters" inline />
    </details>
    <${ErrorNote} error=${list.error} />
    ${list.loading ? html`<p>Loading…</p>` : list.objects.length === 0 ? html`<${Empty}>No finished calls${Object.keys(query).length ? ' match these filters' : ' yet'}.</${Empty}>` : html`
    <div class="table-wrap"><table><caption class="sr-only">Call records</caption>
      <thead><tr><th scope="col">Call</th><th scope="col">Ended</th><th scope="col">Direction</th><th scope="col">From</th><th scope="col">To</th><th scope="col" class="num">Duration</th><th scope="col">Hangup</th><th scope="col" class="num">Amount</th></tr></thead>
      <tbody>${list.objects.map((c) => html`<tr key=${c.call_uuid}>
        <td><a href=${href('calls', c.call_uuid)}><code>${c.call_uuid.slice(0, 8)}</code></a></td><td>${when(c.end_time)}</td><td>${c.call_direction}</td>
        <td>${c.from_number}</td><td>${c.to_number}</td><td class="num">${c.call_duration} s</td><td>${c.hangup_cause_name} <small>(${c.hangup_source})</small></td><td class="num">${c.total_amount}</td></tr>`)}</tbody>
    </table></div>
    <p class="meta">${list.objects.length} of ${list.total} ${list.objects.length < list.total ? html`<button type="button" class="link" onClick=${list.more}>Show more</button>` : ''}</p>`}
  </section>`;
}
