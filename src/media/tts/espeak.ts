// eSpeak NG behind the `Tts` interface. The synthesizer runs in a worker
// thread (espeak-worker.mjs), started on first use; this side maps Plivo's
// voice/language onto eSpeak voices, turns SSML into what eSpeak accepts and
// brings the audio down to 8 kHz.

import { Worker } from 'node:worker_threads';
import { SAMPLE_RATE } from '../frame.ts';
import { resample } from '../resample.ts';
import { toEspeakMarkup } from './ssml.ts';
import type { SpeakRequest, Tts } from './tts.ts';
import { espeakVoice } from './voices.ts';

interface Pending {
  resolve: (samples: Int16Array) => void;
  reject: (error: Error) => void;
}

type Reply = { id: number; samples: Int16Array; rate: number } | { id: number; error: string };

export class EspeakTts implements Tts {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** How many times the synthesizer actually ran (a cache in front keeps this low). */
  invocations = 0;

  synthesize(req: SpeakRequest): Promise<Int16Array> {
    this.invocations++;
    const markup = toEspeakMarkup(req.text, req.ssml ?? false);
    const voice = espeakVoice(req.voice, req.language);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Int16Array>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref(); // keep the process alive while speech is owed
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, markup, voice });
    });
  }

  /** Stop the worker (it is restarted if asked to speak again). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.fail(new Error('text to speech closed'));
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./espeak-worker.mjs', import.meta.url));
    worker.unref();
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = null;
      this.fail(error);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = null;
      this.fail(new Error(`text to speech worker exited (code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  private onReply(reply: Reply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('error' in reply) waiter.reject(new Error(`text to speech failed: ${reply.error}`));
    else waiter.resolve(resample(reply.samples, reply.rate, SAMPLE_RATE));
  }

  private fail(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
