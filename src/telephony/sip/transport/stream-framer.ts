// Cuts a TCP byte stream into SIP messages (RFC 3261 §18.3): headers up to
// the blank line, then exactly Content-Length octets (0 when absent). A
// CRLF CRLF between messages is a keep-alive ping (RFC 5626 §3.5.1) that
// the connection answers with CRLF. Oversized or unframeable input is an
// error: the connection is closed, since a stream cannot resynchronise.
import { headerEnd, skipLeadingBlankLines } from '../message/sip-parser.ts';

export type Framed = { kind: 'message'; bytes: Buffer } | { kind: 'ping' } | { kind: 'error'; reason: string };

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,10})[ \t]*$/im;

export class StreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes: number) {}

  /** Feed received bytes; returns what became complete, in order. */
  push(chunk: Buffer): Framed[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Framed[] = [];
    for (;;) {
      const start = skipLeadingBlankLines(this.buf, 0);
      if (start > 0) {
        // Four or more blank octets before anything else: a keep-alive ping.
        if (start >= 4 && this.buf.subarray(0, 4).toString('latin1') === '\r\n\r\n') out.push({ kind: 'ping' });
        this.buf = this.buf.subarray(start);
      }
      if (this.buf.length === 0) return out;
      const [end, sep] = headerEnd(this.buf, 0);
      if (end < 0) {
        if (this.buf.length > this.maxMessageBytes) return this.fail(out, `headers longer than ${this.maxMessageBytes} bytes`);
        return out;
      }
      const head = this.buf.toString('latin1', 0, end);
      const m = CONTENT_LENGTH.exec(head);
      const bodyLength = m ? Number(m[1]) : 0;
      const total = end + sep + bodyLength;
      if (total > this.maxMessageBytes) return this.fail(out, `message of ${total} bytes is larger than ${this.maxMessageBytes}`);
      if (this.buf.length < total) return out;
      out.push({ kind: 'message', bytes: this.buf.subarray(0, total) });
      this.buf = this.buf.subarray(total);
    }
  }

  private fail(out: Framed[], reason: string): Framed[] {
    this.buf = Buffer.alloc(0);
    out.push({ kind: 'error', reason });
    return out;
  }
}
