// Small display helpers shared by the pages.
import { html } from './html.js';

/** API timestamps ("2026-12-06 03:22:08.123+00:00") shown without the zone. */
export const when = (t) => (t ? String(t).replace(/(\.\d+)?\+00:00$/, '') : '—');

export const yesNo = (v) => (v === true || v === 'true' ? 'yes' : 'no');

export function Status({ value }) {
  const v = String(value ?? '');
  const tone = /fail|error|busy|no-answer|undelivered|rejected|canceled/.test(v) ? 'bad' : /progress|ringing|queued|sent|early/.test(v) ? 'live' : 'ok';
  return html`<span class=${`badge ${tone}`}>${v || '—'}</span>`;
}

export function ErrorNote({ error }) {
  return error ? html`<p class="error" role="alert">${error.message ?? String(error)}</p>` : null;
}

export function Empty({ children }) {
  return html`<p class="empty">${children}</p>`;
}
