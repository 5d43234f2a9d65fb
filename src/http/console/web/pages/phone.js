// The sandbox softphone: a virtual phone calls one of your numbers or
// endpoints; you read what it hears as it plays, press keys, say text, hang
// up, and can listen to the audio live. Phones' behaviours (busy, no
// answer, machine, script) are set here too.
import { html, useEffect, useRef, useState } from '../lib/html.js';
import { Form } from '../lib/form.js';
import { get, post } from '../lib/api.js';
import { useList } from '../lib/crud.js';
import { ErrorNote, Status } from '../lib/format.js';
import { listen } from '../lib/listen.js';
import { href } from '../lib/router.js';
import { useEndpoints, useNumbers } from '../lib/options.js';
import { Transcript } from './call.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];
const BEHAVIOURS = [['answer'], ['busy'], ['no_answer', 'no answer'], ['reject'], ['machine', 'answering machine'], ['unreachable']];

export default function Phone() {
  const numbers = useNumbers();
  const endpoints = useEndpoints();
  const [callUuid, setCallUuid] = useState(null);
  const targets = [...numbers, ...endpoints];
  return html`<h1>Softphone</h1>
    <p class="intro">A virtual phone of the sandbox carrier calls your number or endpoint, exactly as a real caller would.</p>
    <div class="cols">
      <section aria-labelledby="dial-h" class="panel">
        <h2 id="dial-h">Call</h2>
        <${Form} key=${targets.length} fields=${[
          { name: 'from', label: 'From (virtual phone)', value: '14155550123', required: true },
          { name: 'to', label: 'To', type: 'select', options: targets.length ? targets : [['', '(rent a number or create an endpoint first)']], required: true },
        ]} submit=${(v) => post('Sandbox/Call/', v)} label="Call" onDone=${(r) => setCallUuid(r.call_uuid)} />
      </section>
      ${callUuid && html`<${ActiveCall} key=${callUuid} uuid=${callUuid} />`}
    </div>
    <${Phones} />`;
}

function ActiveCall({ uuid }) {
  const [t, setT] = useState({ state: 'ringing', events: [] });
  const [error, setError] = useState(null);
  const [listening, setListening] = useState(false);
  const stopListening = useRef(null);
  const ended = t.state === 'completed';

  useEffect(() => {
    let live = true;
    let timer;
    const poll = async () => {
      try {
        const next = await get(`Sandbox/Call/${uuid}/Transcript/`);
        if (!live) return;
        setT(next);
        if (next.state === 'completed') return;
      } catch (e) {
        // The leg appears once the call is dialled (a queued call has none yet).
        if (e.status !== 404 && live) setError(e);
      }
      timer = setTimeout(poll, 300);
    };
    poll();
    return () => {
      live = false;
      clearTimeout(timer);
      stopListening.current?.();
    };
  }, [uuid]);

  const act = (path, body) => post(`Sandbox/Call/${uuid}/${path}`, body).then(() => setError(null), setError);
  function toggleListen() {
    if (listening) {
      stopListening.current?.();
      setListening(false);
    } else {
      stopListening.current = listen(uuid, () => setListening(false));
      setListening(true);
    }
  }

  return html`<section aria-labelledby="call-h" class="panel phone">
    <h2 id="call-h">Call <a href=${href('calls', uuid)}><code>${uuid.slice(0, 8)}</code></a> <${Status} value=${t.state} /></h2>
    <${ErrorNote} error=${error} />
    <div class="keypad" role="group" aria-label="Keypad">
      ${KEYS.map((k) => html`<button type="button" disabled=${ended} onClick=${() => act('DTMF/', { digits: k })} aria-label=${`Key ${k}`}>${k}</button>`)}
    </div>
    <${Form} inline fields=${[{ name: 'text', label: 'Say', placeholder: 'something the caller says' }]} submit=${(v) => act('Say/', v)} label="Say" />
    <div class="buttons">
      <button type="button" class="danger" disabled=${ended} onClick=${() => act('Hangup/')}>Hang up</button>
      <button type="button" class="secondary" aria-pressed=${listening} disabled=${ended && !listening} onClick=${toggleListen}>${listening ? 'Stop listening' : 'Listen live'}</button>
      <a href=${href('calls', uuid)}>Open the timeline</a>
    </div>
    <h3>What the phone hears</h3>
    <div aria-live="polite"><${Transcript} t=${t} /></div>
  </section>`;
}

function Phones() {
  const list = useList('Sandbox/Phone/');
  return html`<section aria-labelledby="phones-h">
    <h2 id="phones-h">Virtual phones</h2>
    <p>A number your calls reach that is not one of yours is a virtual phone: it rings for a second, answers and stays silent, unless set otherwise here.</p>
    <details class="panel"><summary>Set a phone's behaviour</summary>
      <${Form} fields=${[
        { name: 'number', label: 'Number', required: true, placeholder: '14155550100' },
        { name: 'behaviour', label: 'Behaviour', type: 'select', options: BEHAVIOURS },
        { name: 'ring_seconds', label: 'Ring seconds', type: 'number', placeholder: '1' },
        { name: 'script', label: 'Script (JSON list of steps)', type: 'json', placeholder: '[{"on_hear":"press 1","action":"dtmf","digits":"1"}]', help: 'Steps run once it answers; each has an action (dtmf, say, play, hangup) and may wait: after_ms, on_hear.' },
      ]} submit=${(v) => post('Sandbox/Phone/', v)} label="Save behaviour" onDone=${list.reload} />
    </details>
    <${ErrorNote} error=${list.error} />
    ${list.objects.length > 0 && html`<div class="table-wrap"><table><caption class="sr-only">Virtual phones</caption>
      <thead><tr><th scope="col">Number</th><th scope="col">Behaviour</th><th scope="col">Ring</th><th scope="col">Script</th></tr></thead>
      <tbody>${list.objects.map((p) => html`<tr key=${p.number}><td><code>${p.number}</code></td><td>${p.behaviour}</td><td>${p.ring_seconds} s</td><td><code>${p.script?.length ? JSON.stringify(p.script) : '—'}</code></td></tr>`)}</tbody>
    </table></div>`}
  </section>`;
}
