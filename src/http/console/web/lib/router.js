// Hash routes (#/calls/…): the server serves one page, links still work,
// and the back button moves between views.
import { useEffect, useState } from './html.js';

const parse = (hash) => hash.replace(/^#\/?/, '').split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);

export function useRoute() {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parse(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = (...parts) => `#/${parts.map(encodeURIComponent).join('/')}`;
export const go = (...parts) => {
  location.hash = href(...parts);
};
