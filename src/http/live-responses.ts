// Responses that stay open for as long as the client listens (the event
// stream, live audio). They never end by themselves, so closing the server
// ends them; otherwise it would wait for them forever.
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface LiveResponse {
  write(chunk: string | Uint8Array): void;
  end(): void;
  /** Bytes written but not yet taken by the client. */
  readonly buffered: number;
}

export class LiveResponses {
  private readonly open = new Set<() => void>();

  constructor(app: FastifyInstance<any, any, any, any, any>) {
    app.addHook('preClose', (done) => {
      for (const close of [...this.open]) close();
      done();
    });
  }

  /** Takes the response over from Fastify; `onClose` runs once, when either side ends it. */
  start(reply: FastifyReply<any, any, any, any, any, any, any, any>, headers: Record<string, string>, onClose: () => void): LiveResponse {
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, { 'cache-control': 'no-store', 'x-accel-buffering': 'no', ...headers });
    const close = (): void => {
      if (!this.open.delete(close)) return;
      onClose();
      res.end();
    };
    this.open.add(close);
    res.on('close', close);
    return {
      write: (chunk) => void (res.writableEnded || res.write(chunk)),
      end: close,
      get buffered() {
        return res.writableLength;
      },
    };
  }
}
