// A form built from a list of fields. The API's validation message is shown
// at the field it names (its messages start with the field: "answer_url
// must be an absolute http(s) URL"); anything else above the buttons.
import { html, useRef, useState } from './html.js';
import { ApiFailure, clean } from './api.js';

let formSeq = 0;

function initialValues(fields, initial) {
  const v = {};
  for (const f of fields) {
    const given = initial?.[f.name];
    const fallback = f.value ?? (f.type === 'select' && f.options?.[0] ? f.options[0][0] : '');
    v[f.name] = f.type === 'checkbox' ? given === true || given === 'true' : given === undefined || given === null ? fallback : String(given);
  }
  return v;
}

/** Which field an API error message is about, if any. */
export function fieldOf(fields, message) {
  return fields.find((f) => new RegExp(`(^|[^a-z_])${f.name}([^a-z_]|$)`).test(message));
}

/**
 * fields: [{ name, label, type?: text|url|password|number|select|checkbox|textarea,
 * options?: [value, label][], required?, help?, placeholder? }]. `submit(values)`
 * gets only the changed fields when `initial` is given (an edit), else the
 * non-empty ones.
 */
export function Form({ fields, initial, submit, label = 'Save', onDone, onCancel, inline }) {
  const id = useRef(`f${++formSeq}`).current;
  const [values, setValues] = useState(() => initialValues(fields, initial));
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  const formRef = useRef(null);

  const set = (name, value) => setValues((v) => ({ ...v, [name]: value }));

  async function onSubmit(e) {
    e.preventDefault();
    const start = initialValues(fields, initial);
    const body = {};
    for (const f of fields) {
      const value = values[f.name];
      if (initial && value === start[f.name]) continue;
      body[f.name] = f.type === 'number' && value !== '' ? Number(value) : f.type === 'json' && value ? JSON.parse(value) : value;
    }
    setBusy(true);
    setErrors({});
    try {
      const result = await submit(initial ? body : clean(body), values);
      onDone?.(result);
      if (!initial) setValues(initialValues(fields));
    } catch (err) {
      const message = err instanceof ApiFailure || err instanceof SyntaxError ? err.message : String(err);
      const field = fieldOf(fields, message);
      setErrors(field ? { [field.name]: message } : { _form: message });
      queueMicrotask(() => formRef.current?.querySelector(field ? `#${id}-${field.name}` : '.error')?.focus?.());
    } finally {
      setBusy(false);
    }
  }

  return html`<form ref=${formRef} class=${inline ? 'form inline' : 'form'} onSubmit=${onSubmit} novalidate>
    ${fields.map((f) => html`<${Field} key=${f.name} f=${f} id=${`${id}-${f.name}`} value=${values[f.name]} error=${errors[f.name]} set=${set} />`)}
    ${errors._form && html`<p class="error" role="alert" tabindex="-1">${errors._form}</p>`}
    <div class="buttons">
      <button type="submit" disabled=${busy}>${busy ? 'Working…' : label}</button>
      ${onCancel && html`<button type="button" class="secondary" onClick=${onCancel}>Cancel</button>`}
    </div>
  </form>`;
}

function Field({ f, id, value, error, set }) {
  const described = [error && `${id}-error`, f.help && `${id}-help`].filter(Boolean).join(' ') || undefined;
  const common = { id, name: f.name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described, required: f.required };
  let input;
  if (f.type === 'select') {
    input = html`<select ...${common} value=${value} onChange=${(e) => set(f.name, e.target.value)}>
      ${(f.options ?? []).map(([v, l]) => html`<option value=${v}>${l ?? v}</option>`)}
    </select>`;
  } else if (f.type === 'checkbox') {
    input = html`<input type="checkbox" ...${common} checked=${value} onChange=${(e) => set(f.name, e.target.checked)} />`;
  } else if (f.type === 'textarea' || f.type === 'json') {
    input = html`<textarea ...${common} rows="4" placeholder=${f.placeholder} value=${value} onInput=${(e) => set(f.name, e.target.value)} />`;
  } else {
    input = html`<input type=${f.type ?? 'text'} ...${common} placeholder=${f.placeholder} autocomplete=${f.autocomplete ?? 'off'} value=${value} onInput=${(e) => set(f.name, e.target.value)} />`;
  }
  return html`<div class=${f.type === 'checkbox' ? 'field check' : 'field'}>
    <label for=${id}>${f.label ?? f.name}</label>
    ${input}
    ${f.help && html`<small id=${`${id}-help`}>${f.help}</small>`}
    ${error && html`<p class="error" id=${`${id}-error`}>${error}</p>`}
  </div>`;
}
