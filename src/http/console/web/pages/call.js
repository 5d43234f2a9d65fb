// One call's timeline, from its debug log (GET /Call/{uuid}/Log/): state
// changes, every webhook attempt (URL, parameters, status, latency, retries,
// signature headers, the XML it answered), XML errors, each verb as it ran,
// keys pressed; then its recordings, and for a sandbox call what the far end
// heard, as text and as audio. A flow's steps link to its graph with the run's path. Entries arriving on the event stream are
// added as they happen.
import { html, useEffect, useState } from '../lib/html.js';
import { ApiFailure, accountPath, get, getAll } from '../lib/api.js';
import { useEvents } from '../lib/events.js';
import { Empty, ErrorNote, Status, when } from '../lib/format.js';
import { href } from '../lib/router.js';
import { Player } from './recordings.js';

async function optional(promise) {
  try {
    return await promise;
  } catch (e) {
    if (e instanceof ApiFailure && e.status === 404) return null;
    throw e;
  }
}

export function Timeline({ uuid }) {
  const [call, setCall] = useState(null);
  const [entries, setEntries] = useState(null);
  const [recordings, setRecordings] = useState([]);
  const [transcript, setTranscript] = useState(null);
  const [error, setError] = useState(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const cdr = (await optional(get(`Call/${uuid}/`))) ?? (await optional(get(`Call/${uuid}/`, { status: 'live' })));
        const log = (await optional(getAll(`Call/${uuid}/Log/`, {}, 2000))) ?? [];
        const recs = await getAll('Recording/', { call_uuid: uuid }, 100);
        const heard = await optional(get(`Sandbox/Call/${uuid}/Transcript/`));
        if (!live) return;
        setCall(cdr);
        setEntries(log);
        setRecordings(recs);
        setTranscript(heard);
      } catch (e) {
        if (live) setError(e);
      }
    })();
    return () => {
      live = false;
    };
  }, [uuid, version]);

  useEvents(
    (type, e) => {
      if (type !== 'call' || e.call_uuid !== uuid) return;
      setEntries((list) => (list && !list.some((x) => x.sequence === e.sequence) ? [...list, e].sort((a, b) => a.sequence - b.sequence) : list));
      if (e.kind === 'state' || /recording/.test(e.message)) setVersion((v) => v + 1);
    },
    [uuid],
  );

  const start = entries?.[0]?.epoch_ms;
  return html`<p><a href=${href('calls')}>← All calls</a></p>
    <h1>Call <code>${uuid}</code></h1>
    <${ErrorNote} error=${error} />
    ${call && html`<${Summary} call=${call} />`}
    ${entries?.length === 0 && !call && !transcript && html`<p class="error" role="alert">No call ${uuid} in this account: it may belong to another account, or not have started yet.</p>`}
    <section aria-labelledby="tl-h">
      <h2 id="tl-h">Timeline</h2>
      ${entries === null ? html`<p>Loading…</p>` : entries.length === 0 ? html`<${Empty}>Nothing recorded for this call.</${Empty}>` : html`
      <ol class="timeline">${entries.map((e) => html`<${Entry} key=${e.sequence} e=${e} start=${start} />`)}</ol>`}
    </section>
    ${recordings.length > 0 && html`<section aria-labelledby="rec-h"><h2 id="rec-h">Recordings</h2>
      <ul class="plain">${recordings.map((r) => html`<li key=${r.recording_id}><code>${r.recording_id}</code> · ${Math.round(r.recording_duration_ms / 100) / 10} s ${r.recording_format} <${Player} rec=${r} /></li>`)}</ul></section>`}
    ${transcript && html`<section aria-labelledby="far-h"><h2 id="far-h">What the far end heard</h2>
      <${Transcript} t=${transcript} />
      <p>Audio the far end received: <audio controls preload="none" src=${accountPath(`Sandbox/Call/${uuid}/Audio/?v=${transcript.events.length}`)} aria-label="Audio the far end received"></audio></p>
    </section>`}`;
}

function Summary({ call }) {
  const rows = call.call_status
    ? [['Status', html`<${Status} value=${call.call_status} />`], ['Direction', call.direction], ['From', call.from], ['To', call.to], ['Answered', when(call.session_start)]]
    : [
        ['Status', html`<${Status} value=${call.call_state} />`],
        ['Direction', call.call_direction],
        ['From', call.from_number],
        ['To', call.to_number],
        ['Started', when(call.initiation_time)],
        ['Answered', when(call.answer_time)],
        ['Ended', when(call.end_time)],
        ['Duration', `${call.call_duration} s (billed ${call.billed_duration} s)`],
        ['Hangup', `${call.hangup_cause_name} (${call.hangup_cause_code}), by ${call.hangup_source}`],
        ['Amount', call.total_amount],
      ];
  return html`<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
}

const offset = (ms, start) => `+${((ms - start) / 1000).toFixed(3)} s`;

function Entry({ e, start }) {
  const d = e.data ?? {};
  const failed = e.kind === 'error' || (e.kind === 'webhook' && (d.error || (d.status && d.status >= 400)));
  return html`<li class=${`entry ${e.kind}${failed ? ' failed' : ''}`}>
    <span class="at" title=${e.time}>${offset(e.epoch_ms, start)}</span>
    <span class="kind">${e.kind}</span>
    <div class="what">
      <p>${e.message}</p>
      ${e.kind === 'flow' && d.phlo_id && d.run_id && html`<p><a href=${`${href('flows', d.phlo_id)}?run=${encodeURIComponent(d.run_id)}`}>Show the run's path</a></p>`}
      ${e.kind === 'webhook' ? html`<${Webhook} d=${d} />` : Object.keys(d).length > 0 && html`<details><summary>Details</summary><pre>${JSON.stringify(d, null, 2)}</pre></details>`}
    </div>
  </li>`;
}

function Webhook({ d }) {
  return html`<details>
    <summary>${d.method} ${d.url} — ${d.status ?? 'no response'} in ${d.latency_ms} ms, attempt ${d.attempt} of ${d.max_attempts}</summary>
    <dl class="facts small">
      <dt>Hook</dt><dd>${d.hook}</dd>
      <dt>Status</dt><dd>${d.status ?? '—'}${d.error ? ` (${d.error})` : ''}</dd>
      <dt>Latency</dt><dd>${d.latency_ms} ms</dd>
    </dl>
    <h4>Parameters</h4>
    <${Pairs} obj=${d.params} label="Parameters sent" />
    ${d.request_headers && html`<h4>Signature headers</h4><${Pairs} obj=${d.request_headers} label="Signature headers" />`}
    ${(d.response_body ?? d.response_excerpt) && html`<h4>Response${d.response_type ? ` (${d.response_type})` : ''}</h4><pre class="xml">${d.response_body ?? d.response_excerpt}</pre>`}
    ${d.response_truncated && html`<p class="meta">The response was longer; the log keeps its first ${(d.response_body ?? '').length} characters.</p>`}
  </details>`;
}

function Pairs({ obj, label }) {
  const entries = Object.entries(obj ?? {});
  if (entries.length === 0) return html`<p class="meta">none</p>`;
  return html`<div class="table-wrap"><table class="pairs"><caption class="sr-only">${label}</caption><tbody>${entries.map(([k, v]) => html`<tr><th scope="row">${k}</th><td><code>${String(v)}</code></td></tr>`)}</tbody></table></div>`;
}

export function Transcript({ t }) {
  if (!t.events.length) return html`<${Empty}>Nothing heard yet (${t.state}).</${Empty}>`;
  return html`<ol class="transcript" aria-label="Transcript">${t.events.map((ev, i) => html`<li key=${i}><span class="at">${(ev.at_ms / 1000).toFixed(1)} s</span> <span class="kind">${LABELS[ev.type] ?? ev.type}</span> ${describe(ev)}</li>`)}</ol>`;
}

const LABELS = { speak: 'heard', said: 'said', play: 'heard audio', tone: 'heard tone', beep: 'heard a beep', silence: 'silence', dtmf_heard: 'heard keys', dtmf_sent: 'pressed', answered: 'answered', hangup: 'hung up', conference_audio: 'conference audio' };

function describe(ev) {
  if (ev.text) return html`“${ev.text}”`;
  if (ev.url) return ev.url;
  if (ev.digits) return ev.digits;
  if (ev.name) return ev.name;
  if (ev.by) return `by ${ev.by}`;
  if (ev.duration_ms) return `${(ev.duration_ms / 1000).toFixed(1)} s`;
  return '';
}
