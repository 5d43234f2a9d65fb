// The live call media API (…/Call/{uuid}/Play/, …/Speak/, …/DTMF/) over the
// typed operations of CallMedia: it reads the API's parameters (URLs
// separated by commas, voice names, the legs) and finds the call, saying
// what is wrong with a request as an ApiError before anything plays.
import { ApiError } from '../../errors.ts';
import type { Scope } from '../../platform/scope.ts';
import { speakVoiceProblem } from '../../platform/speak-voices.ts';
import type { CallMedia, Legs } from './call-media.ts';
import type { CallsApi } from './calls-api.ts';

export interface PlayInput {
  /** One URL or several separated by commas. */
  urls: string;
  /** Seconds, at most, of playing (all loops together). */
  length?: number;
  legs?: Legs;
  loop?: boolean;
  mix?: boolean;
}

export interface SpeakInput {
  text: string;
  voice?: string;
  language?: string;
  legs?: Legs;
  loop?: boolean;
  mix?: boolean;
}

export interface DigitsInput {
  digits: string;
  leg?: 'aleg' | 'bleg';
}

export class CallMediaApi {
  constructor(
    private readonly media: CallMedia,
    private readonly calls: CallsApi,
  ) {}

  async play(scope: Scope, uuid: string, input: PlayInput): Promise<void> {
    const urls = input.urls
      .split(',')
      .map((u) => u.trim())
      .filter((u) => u !== '');
    if (urls.length === 0) throw new ApiError(400, 'urls must name at least one mp3 or wav URL (several separated by commas)');
    for (const u of urls) if (!/^https?:\/\/\S+$/i.test(u)) throw new ApiError(400, `urls must be http(s) URLs separated by commas (got "${u}")`);
    await this.media.play(this.calls.liveCall(scope, uuid), { urls, legs: input.legs, lengthS: input.length, loop: input.loop, mix: input.mix });
  }

  stopPlay(scope: Scope, uuid: string): void {
    this.media.stopPlay(this.calls.liveCall(scope, uuid));
  }

  async speak(scope: Scope, uuid: string, input: SpeakInput): Promise<void> {
    const voice = input.voice ?? 'WOMAN';
    const language = input.language ?? 'en-US';
    const problem = speakVoiceProblem(voice, language);
    if (problem) throw new ApiError(400, problem);
    const call = this.calls.liveCall(scope, uuid);
    await this.media.speak(call, {
      text: input.text,
      voice: /^(wo)?man$/i.test(voice) ? voice.toUpperCase() : voice,
      language,
      legs: input.legs,
      loop: input.loop,
      mix: input.mix,
    });
  }

  stopSpeak(scope: Scope, uuid: string): void {
    this.media.stopSpeak(this.calls.liveCall(scope, uuid));
  }

  sendDigits(scope: Scope, uuid: string, input: DigitsInput): void {
    this.media.sendDigits(this.calls.liveCall(scope, uuid), input.digits, input.leg);
  }
}
