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
  owner: object;
  resolve: (samples: Int16Array) => void;
  reject: (error: Error) => void;
}

type Reply = { id: number; samples: Int16Array; rate: number } | { id: number; error: string };

/**
 * The process's eSpeak worker, shared by every EspeakTts in it (a test run
 * starts many servers in one process): starting it and bringing its
 * code up to speed costs about 1.5 s of CPU — the first few
 * syntheses run ten times slower than later ones while V8 optimises the
 * code — so it is paid once. It stops when its last user closes.
 */
class SpeechWorker {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly users = new Set<object>();
  private nextId = 1;
  private warming = false;

  synthesize(owner: object, markup: string, voice: string): Promise<Int16Array> {
    this.users.add(owner);
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<Int16Array>((resolve, reject) => {
      if (this.pending.size === 0) worker.ref(); // keep the process alive while speech is owed
      this.pending.set(id, { owner, resolve, reject });
      worker.postMessage({ id, markup, voice });
    });
  }

  /**
   * Start the worker (if it is not running) and have it synthesize a few
   * sentences in the background, so the first call does not wait for it;
   * `owner` keeps it running until it closes. Requests sent meanwhile are
   * answered between the warm-up's sentences. `started`: a worker of
   * espeak-worker.mjs already told to warm up (switchboard/testing starts it
   * before the server's modules have loaded), used unless one runs here.
   */
  warm(owner: object, started?: Worker): void {
    this.users.add(owner);
    if (started && this.worker) void started.terminate();
    else if (started) {
      this.attach(started);
      this.warming = true;
    }
    if (this.warming) return;
    this.warming = true;
    this.start().postMessage({ warm: true });
  }

  /** `owner` stops using the worker: its unanswered requests fail with `error`; the last user's close stops the worker. */
  async release(owner: object, error: Error): Promise<void> {
    this.users.delete(owner);
    for (const [id, waiter] of this.pending) {
      if (waiter.owner !== owner) continue;
      this.pending.delete(id);
      waiter.reject(error);
    }
    if (this.pending.size === 0) this.worker?.unref();
    if (this.users.size > 0 || !this.worker) return;
    const worker = this.worker;
    this.worker = null;
    this.warming = false;
    await worker.terminate();
  }

  private start(): Worker {
    // Plain JavaScript: none of the parent's flags apply (a loader's hooks would slow its start; `node --input-type=module -e` broke it).
    return this.worker ?? this.attach(new Worker(new URL('./espeak-worker.mjs', import.meta.url), { execArgv: [] }));
  }

  private attach(worker: Worker): Worker {
    worker.unref();
    worker.on('message', (reply: Reply) => this.onReply(reply));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`text to speech worker exited (code ${code})`)));
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

  /** The worker failed or exited: what it owed fails; the next request starts a new one. */
  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.warming = false;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

const speechWorker = new SpeechWorker();

/**
 * Warm this process's synthesizer in the background (switchboard/testing
 * does, once a server has started, so a test's first call does not pay for
 * it, with the worker it started early). `owner` counts as a user for
 * good: the worker outlives the servers (idle, it does not keep the process
 * alive).
 */
export function warmSpeech(owner: object, started?: Worker): void {
  speechWorker.warm(owner, started);
}

export class EspeakTts implements Tts {
  /** How many times the synthesizer actually ran (a cache in front keeps this low). */
  invocations = 0;

  synthesize(req: SpeakRequest): Promise<Int16Array> {
    this.invocations++;
    return speechWorker.synthesize(this, toEspeakMarkup(req.text, req.ssml ?? false), espeakVoice(req.voice, req.language));
  }

  /** Start the synthesizer and bring it up to speed in the background, until this closes. */
  warm(): void {
    speechWorker.warm(this);
  }

  /** Stop using the worker (it is started again if asked to speak again); requests still unanswered fail. */
  close(): Promise<void> {
    return speechWorker.release(this, new Error('text to speech closed'));
  }
}
