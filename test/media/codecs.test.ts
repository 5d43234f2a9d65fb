// Codecs and files: G.711, resampling, WAV, MP3, sniffing, stream payloads.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MPEGDecoder } from 'mpg123-decoder';
import { SAMPLE_RATE } from '../../src/media/frame.ts';
import { alawDecode, alawEncode, MULAW_SILENCE, mulawDecode, mulawEncode } from '../../src/media/g711.ts';
import { resample, Resampler } from '../../src/media/resample.ts';
import { parseWav, readWav, writeWav } from '../../src/media/wav.ts';
import { readMp3, writeMp3 } from '../../src/media/mp3.ts';
import { decodeAudio } from '../../src/media/decode.ts';
import { MediaFormatError } from '../../src/media/errors.ts';
import { concat, rms } from '../../src/media/pcm.ts';
import { dominantFrequency } from '../../src/media/spectrum.ts';
import { parseStreamFormat, StreamDecoder, StreamEncoder } from '../../src/media/stream-codec.ts';

function sine(freq: number, seconds: number, rate = SAMPLE_RATE, amplitude = 10000): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** A WAV header + data in any layout, to test reading what others write. */
function wavBytes(opts: { tag: number; channels: number; rate: number; bits: number; data: Uint8Array }): Uint8Array {
  const out = new Uint8Array(44 + opts.data.length);
  const v = new DataView(out.buffer);
  out.set(Buffer.from('RIFF'), 0);
  v.setUint32(4, 36 + opts.data.length, true);
  out.set(Buffer.from('WAVEfmt '), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, opts.tag, true);
  v.setUint16(22, opts.channels, true);
  v.setUint32(24, opts.rate, true);
  v.setUint32(28, (opts.rate * opts.channels * opts.bits) / 8, true);
  v.setUint16(32, (opts.channels * opts.bits) / 8, true);
  v.setUint16(34, opts.bits, true);
  out.set(Buffer.from('data'), 36);
  v.setUint32(40, opts.data.length, true);
  out.set(opts.data, 44);
  return out;
}

describe('G.711', () => {
  const ramp = new Int16Array(65536);
  for (let i = 0; i < ramp.length; i++) ramp[i] = i - 32768;

  test('µ-law round trip stays within the quantisation step of each segment', () => {
    const back = mulawDecode(mulawEncode(ramp));
    for (let i = 0; i < ramp.length; i++) {
      const x = ramp[i];
      const allowed = Math.max(8, Math.abs(x) / 16) + 4; // 4 mantissa bits: half a step ≈ |x|/32, plus bias
      assert.ok(Math.abs(back[i] - x) <= allowed || Math.abs(x) > 32124, `${x} → ${back[i]}`);
    }
  });

  test('A-law round trip stays within the quantisation step of each segment', () => {
    const back = alawDecode(alawEncode(ramp));
    for (let i = 0; i < ramp.length; i++) {
      const x = ramp[i];
      assert.ok(Math.abs(back[i] - x) <= Math.max(16, Math.abs(x) / 16), `${x} → ${back[i]}`);
    }
  });

  test('known code points: silence, full scale, sign', () => {
    assert.equal(MULAW_SILENCE, 0xff);
    assert.equal(alawEncode(Int16Array.of(0))[0], 0xd5);
    assert.deepEqual([...mulawEncode(Int16Array.of(32767, -32768))], [0x80, 0x00]);
    assert.deepEqual([...mulawDecode(Uint8Array.of(0x80, 0x00))], [32124, -32124]);
    assert.deepEqual([...alawDecode(Uint8Array.of(0xaa, 0x2a))], [32256, -32256]);
  });

  test('a 1 kHz tone keeps its frequency and level through µ-law', () => {
    const tone = sine(1000, 0.5);
    const back = mulawDecode(mulawEncode(tone));
    assert.ok(Math.abs(dominantFrequency(back) - 1000) < 5);
    assert.ok(Math.abs(rms(back) / rms(tone) - 1) < 0.02);
  });
});

describe('resampling', () => {
  for (const rate of [16000, 22050, 24000, 44100, 48000]) {
    test(`${rate} Hz → 8 kHz keeps a 1 kHz tone, its level and its length`, () => {
      const out = resample(sine(1000, 1, rate), rate, SAMPLE_RATE);
      assert.equal(out.length, SAMPLE_RATE);
      assert.ok(Math.abs(dominantFrequency(out) - 1000) < 3, `got ${dominantFrequency(out)}`);
      assert.ok(Math.abs(rms(out.subarray(400, 7600)) / (10000 / Math.SQRT2) - 1) < 0.03);
    });
  }

  test('8 kHz → 16 kHz keeps a 440 Hz tone', () => {
    const out = resample(sine(440, 1), SAMPLE_RATE, 16000);
    assert.equal(out.length, 16000);
    assert.ok(Math.abs(dominantFrequency(out, 16000) - 440) < 3);
  });

  test('content above the new Nyquist is filtered out, not folded back', () => {
    const out = resample(sine(6000, 1, 48000), 48000, SAMPLE_RATE);
    assert.ok(rms(out.subarray(400, 7600)) < 10000 * 0.01, `aliased energy ${rms(out)}`);
  });

  test('streaming in 20 ms chunks gives the same samples as one pass', () => {
    const input = sine(700, 0.5, 16000);
    const whole = resample(input, 16000, SAMPLE_RATE);
    const r = new Resampler(16000, SAMPLE_RATE);
    const parts: Int16Array[] = [];
    for (let at = 0; at < input.length; at += 320) parts.push(r.process(input.subarray(at, at + 320)));
    parts.push(r.flush());
    assert.deepEqual(concat(parts), whole);
  });
});

describe('WAV', () => {
  test('write → read is the identity for 8 kHz 16-bit mono', () => {
    const samples = sine(440, 0.3);
    samples[5] = -32768;
    samples[6] = 32767;
    const bytes = writeWav(samples);
    assert.equal(bytes.length, 44 + samples.length * 2);
    assert.deepEqual(readWav(bytes), samples);
  });

  test('writes stereo: two channels interleaved, read back mixed to mono', () => {
    const left = sine(440, 0.3);
    const right = sine(1000, 0.3, SAMPLE_RATE, 5000);
    const bytes = writeWav([left, right]);
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(bytes.length, 44 + left.length * 4);
    assert.equal(v.getUint16(22, true), 2, 'channels');
    assert.equal(v.getUint32(28, true), SAMPLE_RATE * 4, 'byte rate');
    assert.equal(v.getUint16(32, true), 4, 'block align');
    assert.equal(v.getInt16(44 + 10 * 4, true), left[10]);
    assert.equal(v.getInt16(44 + 10 * 4 + 2, true), right[10]);
    assert.deepEqual(
      readWav(bytes),
      left.map((l, i) => Math.round((l + right[i]) / 2)),
    );
  });

  test('reads 8-bit unsigned, µ-law, A-law and stereo 16 kHz files as 8 kHz mono', () => {
    const tone = sine(500, 0.5);
    const u8 = Uint8Array.from(tone, (s) => (s >> 8) + 128);
    assert.ok(Math.abs(dominantFrequency(readWav(wavBytes({ tag: 1, channels: 1, rate: 8000, bits: 8, data: u8 }))) - 500) < 3);
    const mu = readWav(wavBytes({ tag: 7, channels: 1, rate: 8000, bits: 8, data: mulawEncode(tone) }));
    assert.deepEqual(mu, mulawDecode(mulawEncode(tone)));
    const a = readWav(wavBytes({ tag: 6, channels: 1, rate: 8000, bits: 8, data: alawEncode(tone) }));
    assert.deepEqual(a, alawDecode(alawEncode(tone)));

    const left = sine(1000, 1, 16000);
    const stereo = new Int16Array(left.length * 2);
    for (let i = 0; i < left.length; i++) stereo[2 * i] = left[i]; // right channel silent
    const data = new Uint8Array(stereo.buffer);
    const parsed = parseWav(wavBytes({ tag: 1, channels: 2, rate: 16000, bits: 16, data }));
    assert.equal(parsed.rate, 16000);
    assert.equal(parsed.samples[4], Math.round(left[4] / 2));
    const mono8k = readWav(wavBytes({ tag: 1, channels: 2, rate: 16000, bits: 16, data }));
    assert.equal(mono8k.length, 8000);
    assert.ok(Math.abs(dominantFrequency(mono8k) - 1000) < 3);
  });

  test('rejects what is not a WAV, and WAVs with no data', () => {
    assert.throws(() => readWav(Buffer.from('<html>nope</html>')), MediaFormatError);
    const noData = wavBytes({ tag: 1, channels: 1, rate: 8000, bits: 16, data: new Uint8Array(0) }).subarray(0, 36);
    assert.throws(() => readWav(noData), /no data chunk/);
    assert.throws(() => readWav(wavBytes({ tag: 2, channels: 1, rate: 8000, bits: 4, data: new Uint8Array(8) })), /unsupported/);
    assert.throws(() => readWav(wavBytes({ tag: 1, channels: 1, rate: 3, bits: 16, data: new Uint8Array(8) })), /sample rate 3 Hz/);
  });
});

describe('MP3', () => {
  test('encode → decode of a 1 kHz tone keeps its frequency and its length', async () => {
    const tone = sine(1000, 1.5);
    const mp3 = writeMp3(tone);
    assert.ok(mp3.length < tone.length, 'compressed');
    const back = await readMp3(mp3);
    assert.ok(Math.abs(back.length - tone.length) <= 160, `${back.length} vs ${tone.length}`);
    assert.ok(Math.abs(dominantFrequency(back) - 1000) < 3);
    assert.ok(rms(back) > rms(tone) * 0.8);
  });

  test('the encoder delay is removed: a click comes back where it was', async () => {
    const pcm = new Int16Array(4000);
    pcm[2000] = 30000;
    const back = await readMp3(writeMp3(pcm));
    let loudest = 0;
    for (let i = 0; i < back.length; i++) if (Math.abs(back[i]) > Math.abs(back[loudest])) loudest = i;
    assert.ok(Math.abs(loudest - 2000) <= 2, `click at ${loudest}`);
  });

  test('stereo keeps each channel apart and the length exact', async () => {
    const left = sine(500, 1.2);
    const right = new Int16Array(left.length);
    right.set(sine(1500, 0.4), 4000);
    const mp3 = writeMp3([left, right]);
    const decoder = new MPEGDecoder();
    await decoder.ready;
    const { channelData, samplesDecoded } = decoder.decode(mp3);
    decoder.free();
    assert.equal(channelData.length, 2);
    assert.equal(samplesDecoded, left.length, 'gapless: exactly the samples written');
    const [l, r] = channelData.map((c) => Int16Array.from(c, (x) => Math.round(x * 32767)));
    assert.ok(Math.abs(dominantFrequency(l!) - 500) < 3);
    assert.ok(rms(r!, 0, 3800) < 30, 'the right channel is silent where it was');
    assert.ok(Math.abs(dominantFrequency(r!.subarray(4000, 7200)) - 1500) < 5);
    assert.equal((await readMp3(mp3)).length, left.length, 'read back as mono');
  });

  test('bytes that are not MPEG audio are an error', async () => {
    await assert.rejects(readMp3(Buffer.from('not audio at all '.repeat(40))), MediaFormatError);
  });
});

describe('decodeAudio', () => {
  test('sniffs WAV and MP3 whatever the content type says', async () => {
    const tone = sine(800, 0.5);
    assert.deepEqual(await decodeAudio(writeWav(tone), 'application/octet-stream'), tone);
    const fromMp3 = await decodeAudio(writeMp3(tone), 'audio/wav');
    assert.ok(Math.abs(dominantFrequency(fromMp3) - 800) < 3);
  });

  test('a WAV at 44.1 kHz comes back at 8 kHz', async () => {
    const out = await decodeAudio(writeWav(sine(1000, 1, 44100), 44100));
    assert.equal(out.length, 8000);
  });

  test('names the content type when the bytes are neither', async () => {
    await assert.rejects(decodeAudio(Buffer.from('<html></html>'), 'text/html'), /neither WAV nor MP3 \(served as text\/html\)/);
  });
});

describe('stream payloads', () => {
  test('content types: whole, or split as in playAudio events; others refused', () => {
    assert.deepEqual(parseStreamFormat('audio/x-mulaw;rate=8000'), { encoding: 'mulaw', rate: 8000 });
    assert.deepEqual(parseStreamFormat('audio/x-l16; rate=16000'), { encoding: 'l16', rate: 16000 });
    assert.deepEqual(parseStreamFormat('audio/x-l16', 16000), { encoding: 'l16', rate: 16000 });
    assert.deepEqual(parseStreamFormat('audio/x-l16'), { encoding: 'l16', rate: 8000 });
    assert.equal(parseStreamFormat('audio/x-mulaw;rate=16000'), null);
    assert.equal(parseStreamFormat('audio/opus'), null);
  });

  test('µ-law payload is base64 of one byte per sample', () => {
    const frame = sine(1000, 0.02);
    const payload = new StreamEncoder({ encoding: 'mulaw', rate: 8000 }).encode(frame);
    assert.equal(Buffer.from(payload, 'base64').length, 160);
    assert.deepEqual(new StreamDecoder({ encoding: 'mulaw', rate: 8000 }).decode(payload), mulawDecode(mulawEncode(frame)));
  });

  test('L16 at 8 kHz is little-endian samples, exactly', () => {
    const frame = sine(1000, 0.02);
    const payload = new StreamEncoder({ encoding: 'l16', rate: 8000 }).encode(frame);
    const bytes = Buffer.from(payload, 'base64');
    assert.equal(bytes.readInt16LE(2), frame[1]);
    assert.deepEqual(new StreamDecoder({ encoding: 'l16', rate: 8000 }).decode(payload), frame);
  });

  test('L16 at 16 kHz: 20 ms frames go up and come back down as the same tone', () => {
    const format = { encoding: 'l16', rate: 16000 } as const;
    const enc = new StreamEncoder(format);
    const dec = new StreamDecoder(format);
    const tone = sine(600, 1);
    const back: Int16Array[] = [];
    let wireSamples = 0;
    for (let at = 0; at < tone.length; at += 160) {
      const payload = enc.encode(tone.subarray(at, at + 160));
      wireSamples += Buffer.from(payload, 'base64').length / 2;
      back.push(dec.decode(payload));
    }
    const out = concat(back);
    assert.ok(Math.abs(wireSamples - 16000) < 64, `sent ${wireSamples} samples at 16 kHz`);
    assert.ok(Math.abs(dominantFrequency(out.subarray(200)) - 600) < 3);
    assert.ok(Math.abs(rms(out.subarray(200)) / rms(tone) - 1) < 0.05);
  });

  test('an L16 payload split mid-sample is joined with the next one', () => {
    const frame = sine(300, 0.02);
    const bytes = Buffer.from(new StreamEncoder({ encoding: 'l16', rate: 8000 }).encode(frame), 'base64');
    const dec = new StreamDecoder({ encoding: 'l16', rate: 8000 });
    const a = dec.decode(bytes.subarray(0, 101).toString('base64'));
    const b = dec.decode(bytes.subarray(101).toString('base64'));
    assert.deepEqual(concat([a, b]), frame);
  });
});
