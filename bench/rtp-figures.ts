// The media workers' figures both SIP benchmarks print (bench:sip-media, and
// bench:sip's app ladder, which reads them from the server's workers over
// the inspector): packet lateness percentiles, how full the steps were and
// how many started late.
import { PHASE_MS } from '../src/telephony/sip/rtp/rtp-time.ts';
import { STEP_BUCKET_MS } from '../src/telephony/sip/rtp/rtp-pacer.ts';
import { LATENESS_BUCKET_MS, type WorkerStats } from '../src/telephony/sip/rtp/rtp-protocol.ts';

/** The `q` quantile of the RTP packets' lateness after their tick's time over the workers (ms; the histogram's bucket top). */
export function latenessPercentile(stats: WorkerStats[], q: number): number {
  const hist = stats[0]!.lateness.map((_, i) => stats.reduce((n, s) => n + s.lateness[i]!, 0));
  const total = hist.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i]!;
    if (seen >= q * total) return (i + 1) * LATENESS_BUCKET_MS;
  }
  return Infinity;
}

/** How full the workers' steps were (p50, p99 of a step's work against its PHASE_MS) and how many steps started more than 1 ms late. */
export function stepFigures(stats: WorkerStats[]) {
  const hist = stats[0]!.steps.work.map((_, i) => stats.reduce((n, s) => n + (s.steps.work[i] ?? 0), 0));
  const steps = stats.reduce((n, s) => n + s.steps.steps, 0);
  const fill = (q: number) => {
    let seen = 0;
    for (let i = 0; i < hist.length; i++) if ((seen += hist[i]!) >= q * steps) return ((i + 1) * STEP_BUCKET_MS) / PHASE_MS;
    return Infinity;
  };
  return { steps, lateSteps: stats.reduce((n, s) => n + s.steps.late, 0), fill50: fill(0.5), fill99: fill(0.99) };
}
