// One EventSource per signed-in tab on the account's event stream
// (GET /v1/Account/{auth_id}/Events/, docs/console.md); pages subscribe and
// unsubscribe as they come and go.
import { accountPath } from './api.js';
import { useEffect } from './html.js';

const TYPES = ['call', 'message'];
const listeners = new Set();
let source = null;

function open() {
  if (source) return;
  source = new EventSource(accountPath('Events/'));
  for (const type of TYPES) {
    source.addEventListener(type, (e) => {
      const data = JSON.parse(e.data);
      for (const fn of [...listeners]) fn(type, data);
    });
  }
}

export function closeEvents() {
  source?.close();
  source = null;
}

/** Calls `fn(type, data)` for every event while the component is mounted. */
export function useEvents(fn, deps = []) {
  useEffect(() => {
    open();
    listeners.add(fn);
    return () => listeners.delete(fn);
  }, deps);
}
