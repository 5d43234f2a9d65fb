export interface PlivoTarget {
  authId: string;
  authToken: string;
  /** e.g. http://127.0.0.1:8080 */
  baseUrl: string;
}
export function pointPlivoAt(target: Pick<PlivoTarget, 'authId' | 'baseUrl'>): { url: string };
export function switchboardClient<C>(plivo: { Client: new (authId: string, authToken: string, options?: object) => C }, target: PlivoTarget, options?: object): C;
export function switchboardPhloClient<C>(plivo: { PhloClient: new (authId: string, authToken: string, options?: object) => C }, target: PlivoTarget, options?: object): C;
