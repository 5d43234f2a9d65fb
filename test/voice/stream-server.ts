// A customer's WebSocket service for audio stream tests: a real ws server on
// port 0 that keeps every message of every connection and lets a test wait
// for a connection or a message (arrivals resolve the waits; one that never
// comes fails, naming what came instead).
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { within } from '../helpers/until.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Message = Record<string, any>;

export interface StreamConnection {
  path: string;
  socket: WebSocket;
  messages: Message[];
  /** The first message of `event` (matching `pred`), waiting for it if needed. */
  next(event: string, pred?: (m: Message) => boolean): Promise<Message>;
  /** Resolves when the platform (or the test) has closed the connection. */
  closed: Promise<void>;
  send(m: Message): void;
}

export interface StreamServer {
  origin: string;
  /** The first connection to `path`, waiting for it if needed. */
  connection(path: string): Promise<StreamConnection>;
  close(): Promise<void>;
}

export async function streamServer(onStart?: (c: StreamConnection) => void): Promise<StreamServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const connections: StreamConnection[] = [];
  const waiters: Array<{ path: string; resolve: (c: StreamConnection) => void }> = [];

  wss.on('connection', (socket, req) => {
    const messages: Message[] = [];
    const pending: Array<{ event: string; pred: (m: Message) => boolean; resolve: (m: Message) => void }> = [];
    let closedResolve!: () => void;
    const c: StreamConnection = {
      path: new URL(req.url ?? '/', 'ws://x').pathname,
      socket,
      messages,
      closed: new Promise((resolve) => (closedResolve = resolve)),
      next(event, pred = () => true) {
        const hit = messages.find((m) => m.event === event && pred(m));
        return hit ? Promise.resolve(hit) : within(new Promise((resolve) => pending.push({ event, pred, resolve })), () => `a "${event}" message on the stream to ${c.path} (it received: ${messages.map((m) => m.event).join(', ') || 'nothing'})`);
      },
      send: (m) => socket.send(JSON.stringify(m)),
    };
    socket.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Message;
      messages.push(m);
      if (m.event === 'start') onStart?.(c);
      for (const p of [...pending]) {
        if (p.event === m.event && p.pred(m)) {
          pending.splice(pending.indexOf(p), 1);
          p.resolve(m);
        }
      }
    });
    socket.on('close', () => closedResolve());
    connections.push(c);
    for (const w of [...waiters]) {
      if (w.path === c.path) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(c);
      }
    }
  });

  return {
    origin: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    connection(path) {
      const hit = connections.find((c) => c.path === path);
      return hit ? Promise.resolve(hit) : within(new Promise((resolve) => waiters.push({ path, resolve })), () => `a stream connection to ${path} (connected: ${connections.map((c) => c.path).join(', ') || 'none'})`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.socket.terminate();
        wss.close(() => resolve());
      }),
  };
}
