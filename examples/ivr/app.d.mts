import type http from 'node:http';
export function startIvr(port?: number): Promise<{ server: http.Server; url: string; close(): Promise<void> }>;
