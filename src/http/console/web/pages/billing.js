// Balance and the ledger behind it; the sandbox can top up.
import { html, useEffect, useState } from '../lib/html.js';
import { useList } from '../lib/crud.js';
import { Form } from '../lib/form.js';
import { get, post } from '../lib/api.js';
import { Empty, ErrorNote, when } from '../lib/format.js';

export default function Billing() {
  const [account, setAccount] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);
  const ledger = useList('Ledger/', {}, [version]);
  useEffect(() => {
    get('').then(setAccount, setError);
  }, [version]);
  return html`<h1>Balance</h1>
    <${ErrorNote} error=${error} />
    ${account && html`<dl class="facts">
      <dt>Cash credits</dt><dd class="big">${account.cash_credits}</dd>
      <dt>Account</dt><dd>${account.name} <code>${account.auth_id}</code></dd>
      <dt>Type</dt><dd>${account.account_type}</dd>
    </dl>`}
    <details class="panel"><summary>Add sandbox credit</summary>
      <${Form} fields=${[{ name: 'amount', label: 'Amount', required: true, placeholder: '25.00' }]} submit=${(v) => post('Sandbox/Credit/', v)} label="Add credit" onDone=${() => setVersion((n) => n + 1)} />
    </details>
    <h2>Ledger</h2>
    <${ErrorNote} error=${ledger.error} />
    ${ledger.loading ? html`<p>Loading…</p>` : ledger.objects.length === 0 ? html`<${Empty}>No entries.</${Empty}>` : html`
    <div class="table-wrap"><table><caption class="sr-only">Ledger</caption>
      <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">Description</th><th scope="col" class="num">Amount</th><th scope="col">Subaccount</th></tr></thead>
      <tbody>${ledger.objects.map((e) => html`<tr key=${e.entry_id}><td>${when(e.time)}</td><td>${e.kind}</td><td>${e.description}</td><td class="num">${e.amount}</td><td>${e.subaccount ?? '—'}</td></tr>`)}</tbody>
    </table></div>
    <p class="meta">${ledger.objects.length} of ${ledger.total} ${ledger.objects.length < ledger.total ? html`<button type="button" class="link" onClick=${ledger.more}>Show more</button>` : ''}</p>`}`;
}
