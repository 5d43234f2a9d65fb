// Timestamps in API bodies use the spec's UTC formats.
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** "2012-04-25" */
export function formatDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** "2022-10-12 21:57:47+00:00" as in CDRs and resource listings. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${formatDate(ms)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`;
}

/** "2021-01-30 09:20:08.617883+00:00": the PHLO runner's timestamps (microseconds; ours end in 000). */
export function formatMicroTimestamp(ms: number): string {
  return `${formatTimestamp(ms).slice(0, 19)}.${pad(new Date(ms).getUTCMilliseconds(), 3)}000+00:00`;
}
