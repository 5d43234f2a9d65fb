// The console's entry: sign-in, or the shell (navigation + the current page,
// each page a module loaded when first opened).
import { html, render, useEffect, useRef, useState } from './lib/html.js';
import { currentSession, useSession } from './lib/api.js';
import { closeEvents } from './lib/events.js';
import { href, useRoute } from './lib/router.js';
import { SignIn } from './pages/signin.js';

const PAGES = [
  ['calls', 'Calls', () => import('./pages/calls.js')],
  ['phone', 'Softphone', () => import('./pages/phone.js')],
  ['applications', 'Applications', () => import('./pages/applications.js')],
  ['numbers', 'Numbers', () => import('./pages/numbers.js')],
  ['endpoints', 'Endpoints', () => import('./pages/endpoints.js')],
  ['messages', 'Messages', () => import('./pages/messages.js')],
  ['recordings', 'Recordings', () => import('./pages/recordings.js')],
  ['flows', 'Flows', () => import('./pages/flows.js')],
  ['subaccounts', 'Subaccounts', () => import('./pages/subaccounts.js'), { mainOnly: true }],
  ['billing', 'Balance', () => import('./pages/billing.js')],
];

function App() {
  const [session, setSession] = useState(undefined);
  const adopt = (s) => {
    useSession(s, () => setSession(null));
    setSession(s);
  };
  useEffect(() => {
    fetch('/console/session', { credentials: 'same-origin' })
      .then((r) => r.json())
      .then((s) => (s.signed_in ? s : null))
      .then(adopt, () => adopt(null));
  }, []);
  if (session === undefined) return html`<p class="boot">Loading the console…</p>`;
  if (!session) return html`<${SignIn} onSignedIn=${adopt} />`;
  return html`<${Shell} session=${session} onSignedOut=${() => adopt(null)} />`;
}

function Shell({ session, onSignedOut }) {
  const route = useRoute();
  const pages = PAGES.filter(([, , , o]) => !(o?.mainOnly && session.is_subaccount));
  const name = pages.some(([n]) => n === route[0]) ? route[0] : 'calls';

  async function signOut() {
    await fetch('/console/session', { method: 'DELETE', headers: { [session.csrf_header]: session.csrf_token }, credentials: 'same-origin' });
    closeEvents();
    onSignedOut();
  }

  return html`<a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <header class="top">
      <span class="brand">Switchboard</span>
      <span class="who">${session.is_subaccount ? 'Subaccount' : 'Account'} <strong>${session.name || session.auth_id}</strong> <code>${session.auth_id}</code></span>
      <button type="button" class="secondary" onClick=${signOut}>Sign out</button>
    </header>
    <nav aria-label="Console">
      <ul>${pages.map(([n, label]) => html`<li><a href=${href(n)} aria-current=${n === name ? 'page' : undefined}>${label}</a></li>`)}</ul>
    </nav>
    <main id="main" tabindex="-1"><${Page} key=${name} name=${name} route=${route.slice(1)} pages=${pages} /></main>`;
}

function Page({ name, route, pages }) {
  const [mod, setMod] = useState(null);
  const [error, setError] = useState(null);
  const first = useRef(true);
  const [, label, load] = pages.find(([n]) => n === name);
  useEffect(() => {
    let live = true;
    load().then((m) => live && setMod(m), (e) => live && setError(e));
    document.title = `${label} · Switchboard console`;
    // Moving between pages moves the keyboard focus to the new page.
    if (!first.current) document.getElementById('main')?.focus();
    first.current = false;
    return () => {
      live = false;
    };
  }, [name]);
  if (error) return html`<p class="error" role="alert">This page failed to load: ${String(error)}</p>`;
  if (!mod) return html`<p>Loading…</p>`;
  return html`<${mod.default} route=${route} session=${currentSession()} />`;
}

render(html`<${App} />`, document.getElementById('app'));
