// A resource page: a list (20 at a time, as the API serves them), a form to
// create one, and per row an edit form and a delete that asks once more.
import { html, useEffect, useState } from './html.js';
import { del, get, post } from './api.js';
import { Form } from './form.js';
import { Empty, ErrorNote } from './format.js';

export function useList(path, query = {}, deps = []) {
  const [state, setState] = useState({ objects: [], total: 0, loading: true, error: null });
  const [version, setVersion] = useState(0);
  const [limit, setLimit] = useState(20);
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const objects = [];
        let total = 0;
        for (let offset = 0; offset < limit; offset += 20) {
          const page = await get(path, { ...query, limit: 20, offset });
          objects.push(...page.objects);
          total = page.meta.total_count;
          if (!page.meta.next) break;
        }
        if (live) setState({ objects, total, loading: false, error: null });
      } catch (error) {
        if (live) setState({ objects: [], total: 0, loading: false, error });
      }
    })();
    return () => {
      live = false;
    };
  }, [path, version, limit, JSON.stringify(query), ...deps]);
  return { ...state, reload: () => setVersion((v) => v + 1), more: () => setLimit((l) => l + 20) };
}

/**
 * title, noun ("application"), path ("Application/"), id (row → id),
 * columns [[label, row → content]], create / edit: form fields (edit optional),
 * createBody / editBody: values → request body (optional), actions: row → extra buttons.
 */
export function Crud({ title, intro, noun, path, id, columns, create, edit, createBody = (v) => v, editBody = (v) => v, initialOf = (row) => row, actions, query }) {
  const list = useList(path, query);
  const [editing, setEditing] = useState(null);
  const [confirming, setConfirming] = useState(null);
  const [notice, setNotice] = useState(null);
  const [error, setError] = useState(null);

  async function remove(row) {
    setError(null);
    try {
      await del(`${path}${encodeURIComponent(id(row))}/`);
      setNotice(`Deleted ${noun} ${id(row)}.`);
      setConfirming(null);
      list.reload();
    } catch (e) {
      setError(e);
    }
  }

  return html`<h1>${title}</h1>
    ${intro && html`<p class="intro">${intro}</p>`}
    ${create && html`<details class="panel"><summary>New ${noun}</summary>
      <${Form} fields=${create} label=${`Create ${noun}`} submit=${(v) => post(path, createBody(v))} onDone=${(r) => { setNotice(`Created ${noun}${r && (r.app_id || r.auth_id || r.endpoint_id) ? ` ${r.app_id || r.auth_id || r.endpoint_id}` : ''}.`); list.reload(); }} />
    </details>`}
    <p class="notice" role="status" aria-live="polite">${notice ?? ''}</p>
    <${ErrorNote} error=${error ?? list.error} />
    ${list.loading ? html`<p>Loading…</p>` : list.objects.length === 0 ? html`<${Empty}>No ${noun}s yet.</${Empty}>` : html`
    <div class="table-wrap"><table>
      <caption class="sr-only">${title}</caption>
      <thead><tr>${columns.map(([label]) => html`<th scope="col">${label}</th>`)}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${list.objects.map((row) => html`
        <tr key=${id(row)}>
          ${columns.map(([, cell]) => html`<td>${cell(row)}</td>`)}
          <td class="actions">
            ${actions?.(row, list.reload)}
            ${edit && html`<button type="button" class="secondary" aria-expanded=${editing === id(row)} onClick=${() => setEditing(editing === id(row) ? null : id(row))}>Edit</button>`}
            ${confirming === id(row)
              ? html`<button type="button" class="danger" onClick=${() => remove(row)}>Confirm delete</button> <button type="button" class="secondary" onClick=${() => setConfirming(null)}>Keep</button>`
              : html`<button type="button" class="secondary" onClick=${() => setConfirming(id(row))} aria-label=${`Delete ${noun} ${id(row)}`}>Delete</button>`}
          </td>
        </tr>
        ${editing === id(row) && html`<tr class="editing"><td colspan=${columns.length + 1}>
          <${Form} fields=${edit} initial=${initialOf(row)} label=${`Save ${noun}`} submit=${(v) => post(`${path}${encodeURIComponent(id(row))}/`, editBody(v, row))}
            onDone=${() => { setEditing(null); setNotice(`Saved ${noun} ${id(row)}.`); list.reload(); }} onCancel=${() => setEditing(null)} />
        </td></tr>`}`)}
      </tbody>
    </table></div>
    <p class="meta">${list.objects.length} of ${list.total} ${list.objects.length < list.total ? html`<button type="button" class="link" onClick=${list.more}>Show more</button>` : ''}</p>`}`;
}
