// Time condition (ours): `open` when the platform clock, read in `timezone`,
// falls in one of the weekly slots and the local date is not a holiday;
// `closed` otherwise. Slots are [from, to) in local time; `to` 24:00 is the
// end of the day.
import type { NodeComponent } from '../phlo-node.ts';

export const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY_SPEC = /^(sun|mon|tue|wed|thu|fri|sat)(-(sun|mon|tue|wed|thu|fri|sat))?$/;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** `mon-fri` → mon … fri (wrapping past sat), `sun` → sun. */
function expandDays(spec: string): string[] {
  const [from, to] = spec.split('-');
  if (!to) return [from];
  const out: string[] = [];
  for (let i = DAYS.indexOf(from as (typeof DAYS)[number]); ; i = (i + 1) % 7) {
    out.push(DAYS[i]);
    if (DAYS[i] === to) return out;
  }
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The local weekday, date and minute of the day of `ms` in `tz`. */
export function localTime(ms: number, tz: string): { day: string; date: string; minute: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  return { day: parts.weekday.toLowerCase().slice(0, 3), date: `${parts.year}-${parts.month}-${parts.day}`, minute: Number(parts.hour) * 60 + Number(parts.minute) };
}

interface Slot {
  days: string[];
  from: string;
  to: string;
}

export const timeCondition: NodeComponent = {
  type: 'time_condition',
  label: 'Time Condition',
  needsCall: false,
  states: () => ['open', 'closed'],
  check(c) {
    const tz = c.string('timezone', { required: true });
    if (tz && !tz.includes('{{') && !isTimeZone(tz)) c.error('timezone', `"${tz}" is not an IANA time zone (for example Europe/Paris, America/New_York, UTC)`);
    (c.list('slots', { required: true, minItems: 1 }) ?? []).forEach((slot) => {
      for (const day of slot.strings('days', { required: true, minItems: 1 }) ?? []) {
        if (!DAY_SPEC.test(day)) slot.error('days', `"${day}" is not a day (sun, mon … sat) or a range of days (mon-fri)`);
      }
      const from = slot.string('from', { required: true, pattern: TIME, hint: 'a time as HH:MM' });
      const to = slot.string('to', { required: true, pattern: TIME, hint: 'a time as HH:MM (24:00 for the end of the day)' });
      if (from && to && TIME.test(from) && TIME.test(to) && minutes(from) >= minutes(to)) slot.error('to', `must be later than from (${from})`);
    });
    for (const day of c.strings('holidays') ?? []) {
      if (!DATE.test(day) || Number.isNaN(Date.parse(day))) c.error('holidays', `"${day}" is not a date as YYYY-MM-DD`);
    }
  },
  async run({ config, services }) {
    const now = localTime(services.clock.now(), String(config.timezone));
    const holidays = (config.holidays as string[] | undefined) ?? [];
    const open =
      !holidays.includes(now.date) &&
      ((config.slots as Slot[]) ?? []).some((s) => s.days.flatMap(expandDays).includes(now.day) && now.minute >= minutes(s.from) && now.minute < minutes(s.to));
    return { state: open ? 'open' : 'closed', variables: { local_time: `${now.date} ${String(Math.floor(now.minute / 60)).padStart(2, '0')}:${String(now.minute % 60).padStart(2, '0')}`, timezone: config.timezone } };
  },
};
