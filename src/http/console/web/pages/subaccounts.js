// Subaccounts: separate credentials whose calls, numbers and apps are kept apart.
import { html } from '../lib/html.js';
import { Crud } from '../lib/crud.js';
import { when, yesNo } from '../lib/format.js';

const FIELDS = [
  { name: 'name', label: 'Name', required: true },
  { name: 'enabled', label: 'Enabled', type: 'checkbox', value: true },
];

export default function Subaccounts() {
  return html`<${Crud} title="Subaccounts" noun="subaccount" path="Subaccount/" id=${(s) => s.auth_id}
    intro="A subaccount signs in with its own auth id and token and sees only its own resources."
    columns=${[
      ['Name', (s) => s.name],
      ['Auth ID', (s) => html`<code>${s.auth_id}</code>`],
      ['Auth token', (s) => html`<${Secret} value=${s.auth_token} />`],
      ['Enabled', (s) => yesNo(s.enabled)],
      ['Created', (s) => when(s.created)],
    ]}
    create=${FIELDS} edit=${FIELDS} />`;
}

function Secret({ value }) {
  return html`<details class="secret"><summary>Show</summary><code>${value}</code></details>`;
}
