// SIP endpoints, with their registration state; in the sandbox a virtual
// device can register for one so calls to it ring.
import { html } from '../lib/html.js';
import { Crud } from '../lib/crud.js';
import { post, del } from '../lib/api.js';
import { Status } from '../lib/format.js';
import { idFromUri, useApplications } from '../lib/options.js';

export default function Endpoints() {
  const apps = useApplications();
  const appField = { name: 'app_id', label: 'Application', type: 'select', options: [['', '(the default endpoint application)'], ...apps] };
  const create = [
    { name: 'username', label: 'Username', required: true },
    { name: 'password', label: 'Password', type: 'password', required: true, autocomplete: 'new-password' },
    { name: 'alias', label: 'Alias', required: true },
    appField,
  ];
  const edit = [{ name: 'alias', label: 'Alias' }, { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password' }, appField];
  return html`<${Crud} title="Endpoints" noun="endpoint" path="Endpoint/" id=${(e) => e.endpoint_id}
    intro="SIP endpoints your applications can dial and that can place calls."
    columns=${[
      ['Username', (e) => e.username],
      ['Alias', (e) => e.alias],
      ['SIP URI', (e) => html`<code>${e.sip_uri}</code>`],
      ['Registered', (e) => html`<${Status} value=${e.sip_registered === 'true' ? `registered until ${e.sip_expires}` : 'not registered'} />`],
      ['Application', (e) => idFromUri(e.application) || '—'],
    ]}
    create=${create} edit=${edit}
    editBody=${(v) => v}
    actions=${(e, reload) => e.sip_registered === 'true'
      ? html`<button type="button" class="secondary" onClick=${() => del(`Sandbox/Endpoint/${encodeURIComponent(e.username)}/Register/`).then(reload)}>Unregister</button>`
      : html`<button type="button" class="secondary" onClick=${() => post(`Sandbox/Endpoint/${encodeURIComponent(e.username)}/Register/`, { expires: 3600 }).then(reload)}>Register a virtual device</button>`} />`;
}
