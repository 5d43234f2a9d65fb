// Choices other pages offer in selects: the account's applications, numbers and endpoints.
import { getAll } from './api.js';
import { useEffect, useState } from './html.js';

export function useOptions(path, toOption, deps = []) {
  const [options, setOptions] = useState([]);
  useEffect(() => {
    let live = true;
    getAll(path, {}, 200).then((objects) => live && setOptions(objects.map(toOption)), () => {});
    return () => {
      live = false;
    };
  }, deps);
  return options;
}

export const idFromUri = (uri) => (uri ? String(uri).replace(/\/$/, '').split('/').pop() : '');

export const useApplications = (deps) => useOptions('Application/', (a) => [a.app_id, `${a.app_name} (${a.app_id})`], deps);
export const useNumbers = (deps) => useOptions('Number/', (n) => [n.number, n.alias ? `${n.number} (${n.alias})` : n.number], deps);
export const useEndpoints = (deps) => useOptions('Endpoint/', (e) => [e.sip_uri, `${e.username} (${e.sip_uri})`], deps);
export const useFlows = (deps) => useOptions('Phlo/', (f) => [f.phlo_id, f.name], deps);
