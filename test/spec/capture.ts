// Every request the official SDK makes, with the answer exactly as it came
// off the wire (status, JSON before the SDK camel-cases it): wraps the
// adapter switchboard/sdk installed on the SDK's own axios. Raw requests of
// the suite are recorded the same way, so checks read one list.
import { createRequire } from 'node:module';

export interface Exchange {
  method: string;
  /** Path and query, as the server saw them. */
  url: string;
  /** The request body as sent (JSON text, or undefined). */
  body: string | undefined;
  status: number;
  /** Parsed JSON answer, or undefined for an empty body. */
  answer: unknown;
}

interface AxiosConfig {
  method?: string;
  url?: string;
  data?: unknown;
}
interface AxiosResponse {
  status: number;
  data: unknown;
}
type Adapter = (config: AxiosConfig) => Promise<AxiosResponse>;

function sdkAxios(): { defaults: { adapter: Adapter } } {
  const plivoEntry = createRequire(import.meta.url).resolve('plivo');
  return createRequire(plivoEntry)('axios');
}

const parse = (data: unknown): unknown => {
  if (typeof data !== 'string') return data;
  if (data.trim() === '') return undefined;
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
};

export class Capture {
  readonly exchanges: Exchange[] = [];
  private wrapper: Adapter | undefined;

  /** Wraps the adapter in place now (switchboardClient's, once a client exists); again if something replaced it. */
  install(): void {
    const axios = sdkAxios();
    if (this.wrapper && axios.defaults.adapter === this.wrapper) return;
    const inner = axios.defaults.adapter;
    this.wrapper = axios.defaults.adapter = async (config) => {
      const record = (status: number, data: unknown) => {
        const u = new URL(config.url ?? '', 'http://x');
        this.exchanges.push({
          method: (config.method ?? 'get').toUpperCase(),
          url: u.pathname.replace(/\/{2,}/g, '/') + u.search,
          body: typeof config.data === 'string' ? config.data : undefined,
          status,
          answer: parse(data),
        });
      };
      try {
        const res = await inner(config);
        record(res.status, res.data);
        return res;
      } catch (err) {
        const res = (err as { response?: AxiosResponse }).response;
        if (res) record(res.status, res.data);
        throw err;
      }
    };
  }

  record(e: Exchange): void {
    this.exchanges.push(e);
  }
}
