// Numbers: yours (attach an application), and the inventory to search and buy from.
import { html, useState } from '../lib/html.js';
import { Crud } from '../lib/crud.js';
import { Form } from '../lib/form.js';
import { get, post } from '../lib/api.js';
import { ErrorNote, Empty } from '../lib/format.js';
import { idFromUri, useApplications, useFlows } from '../lib/options.js';

const TYPES = [['any'], ['local'], ['national'], ['mobile'], ['tollfree']];

export default function Numbers() {
  const [version, setVersion] = useState(0);
  const apps = useApplications();
  const flows = useFlows();
  // One choice of what answers the number: an application or a flow (the API's object_type / object_id).
  const attachField = {
    name: 'attach',
    label: 'Calls and texts go to',
    type: 'select',
    options: [['', '(nothing chosen)'], ...apps.map(([v, l]) => [`application:${v}`, `Application ${l}`]), ...flows.map(([v, l]) => [`phlo:${v}`, `Flow ${l}`])],
  };
  return html`<${Crud} key=${version} title="Numbers" noun="number" path="Number/" id=${(n) => n.number}
      intro="Numbers you rent. Calls and texts to them go to the application attached."
      columns=${[
        ['Number', (n) => html`<code>${n.number}</code>`],
        ['Alias', (n) => n.alias || '—'],
        ['Type', (n) => n.number_type],
        ['Country', (n) => n.country],
        ['Answered by', (n) => attachedTo(n.application, apps, flows)],
        ['Monthly', (n) => n.monthly_rental_rate],
      ]}
      edit=${[attachField, { name: 'alias', label: 'Alias' }]}
      initialOf=${(n) => ({ ...n, attach: n.application ? `${/\/Phlo\//.test(n.application) ? 'phlo' : 'application'}:${idFromUri(n.application)}` : '' })}
      editBody=${({ attach, ...rest }) => {
        if (attach === undefined) return rest;
        const [object_type, object_id] = attach.split(':');
        return { ...rest, ...(object_type ? { object_type, object_id } : { app_id: null }) };
      }} />
    <${Search} apps=${apps} onBought=${() => setVersion((v) => v + 1)} />`;
}

function attachedTo(uri, apps, flows) {
  if (!uri) return '—';
  const id = idFromUri(uri);
  if (/\/Phlo\//.test(uri)) return `Flow ${flows.find(([v]) => v === id)?.[1] ?? id}`;
  return `Application ${apps.find(([v]) => v === id)?.[1] ?? id}`;
}

function Search({ apps, onBought }) {
  const [results, setResults] = useState(null);
  const [query, setQuery] = useState(null);
  const [app, setApp] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const fields = [
    { name: 'country_iso', label: 'Country (ISO code)', value: 'US', required: true },
    { name: 'type', label: 'Type', type: 'select', options: TYPES },
    { name: 'pattern', label: 'Digits after the country code', placeholder: '415' },
    { name: 'services', label: 'Services', type: 'select', options: [['', 'any'], ['voice'], ['sms'], ['voice,sms', 'voice and sms']] },
  ];
  async function search(values) {
    const page = await get('PhoneNumber/', { ...values, limit: 20 });
    setQuery(values);
    setResults(page.objects);
  }
  async function buy(number) {
    setError(null);
    try {
      await post(`PhoneNumber/${number}/`, app ? { app_id: app } : {});
      setStatus(`Bought ${number}.`);
      setResults((r) => r.filter((n) => n.number !== number));
      onBought();
    } catch (e) {
      setError(e);
    }
  }
  return html`<section aria-labelledby="buy-h">
    <h2 id="buy-h">Buy a number</h2>
    <${Form} fields=${fields} submit=${search} label="Search" inline />
    <p class="notice" role="status" aria-live="polite">${status}</p>
    <${ErrorNote} error=${error} />
    ${results && (results.length === 0 ? html`<${Empty}>No numbers match ${JSON.stringify(query)}.</${Empty}>` : html`
      <div class="field"><label for="buy-app">Attach to application</label>
        <select id="buy-app" value=${app} onChange=${(e) => setApp(e.target.value)}>${[['', '(the default number application)'], ...apps].map(([v, l]) => html`<option value=${v}>${l}</option>`)}</select></div>
      <div class="table-wrap"><table><caption class="sr-only">Numbers for sale</caption>
        <thead><tr><th scope="col">Number</th><th scope="col">Type</th><th scope="col">Region</th><th scope="col">Voice</th><th scope="col">SMS</th><th scope="col">Monthly</th><th scope="col"><span class="sr-only">Buy</span></th></tr></thead>
        <tbody>${results.map((n) => html`<tr key=${n.number}>
          <td><code>${n.number}</code></td><td>${n.sub_type}</td><td>${n.region || n.city || '—'}</td>
          <td>${n.voice_enabled ? 'yes' : 'no'}</td><td>${n.sms_enabled ? 'yes' : 'no'}</td><td>${n.monthly_rental_rate}</td>
          <td><button type="button" onClick=${() => buy(n.number)} aria-label=${`Buy ${n.number}`}>Buy</button></td></tr>`)}</tbody>
      </table></div>`)}
  </section>`;
}
