// Sign in with an auth id and token (a main account's or a subaccount's).
import { html } from '../lib/html.js';
import { Form } from '../lib/form.js';
import { ApiFailure } from '../lib/api.js';

const FIELDS = [
  { name: 'auth_id', label: 'Auth ID', required: true, autocomplete: 'username', help: 'MA… for the main account, SA… for a subaccount' },
  { name: 'auth_token', label: 'Auth token', type: 'password', required: true, autocomplete: 'current-password' },
];

async function signIn(values) {
  const res = await fetch('/console/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(values), credentials: 'same-origin' });
  const data = await res.json();
  if (!res.ok) throw new ApiFailure(res.status, data.error);
  return data;
}

export function SignIn({ onSignedIn }) {
  document.title = 'Sign in · Switchboard console';
  return html`<main id="main" class="signin">
    <h1>Switchboard console</h1>
    <p>Sign in with the credentials the server printed on its first start (also in <code>data/credentials.json</code>), or a subaccount's.</p>
    <${Form} fields=${FIELDS} submit=${signIn} onDone=${onSignedIn} label="Sign in" />
  </main>`;
}
