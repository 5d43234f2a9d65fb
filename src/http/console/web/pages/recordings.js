// Recordings with a player, filtered by call.
import { html, useState } from '../lib/html.js';
import { Crud } from '../lib/crud.js';
import { when } from '../lib/format.js';
import { href } from '../lib/router.js';

export default function Recordings() {
  const [callUuid, setCallUuid] = useState(new URLSearchParams(location.hash.split('?')[1]).get('call_uuid') ?? '');
  return html`<div class="field inline-filter"><label for="rec-call">Call UUID</label>
      <input id="rec-call" value=${callUuid} onChange=${(e) => setCallUuid(e.target.value.trim())} placeholder="all calls" /></div>
    <${Crud} title="Recordings" noun="recording" path="Recording/" id=${(r) => r.recording_id} query=${callUuid ? { call_uuid: callUuid } : {}}
      columns=${[
        ['Added', (r) => when(r.add_time)],
        ['Call', (r) => html`<a href=${href('calls', r.call_uuid)}>${r.call_uuid.slice(0, 8)}…</a>`],
        ['Duration', (r) => `${Math.round(Number(r.recording_duration_ms) / 100) / 10} s`],
        ['Format', (r) => r.recording_format],
        ['Listen', (r) => html`<${Player} rec=${r} />`],
      ]} />`;
}

export function Player({ rec }) {
  const src = new URL(rec.recording_url, location.href);
  return html`<audio controls preload="none" src=${src.pathname} aria-label=${`Recording ${rec.recording_id}`}></audio>`;
}
