// Money is integer micro-units (1 unit = 1_000_000 micros) end to end; only
// the API edge turns it into the spec's decimal strings ("23.38500").
export type Micros = number;

export const MICROS_PER_UNIT = 1_000_000;

/** Parse a decimal string or number ("25", "25.5", "0.00850") into micros; throws on anything else. */
export function parseMoney(input: string | number): Micros {
  const s = typeof input === 'number' ? String(input) : input.trim();
  const m = /^(-?)(\d+)(?:\.(\d{0,6}))?$/.exec(s);
  if (!m) throw new RangeError(`"${input}" is not a decimal amount with at most 6 decimals`);
  const micros = Number(m[2]) * MICROS_PER_UNIT + Number((m[3] ?? '').padEnd(6, '0'));
  if (!Number.isSafeInteger(micros)) throw new RangeError(`"${input}" is too large`);
  return m[1] === '-' ? -micros : micros;
}

/** Render micros with a fixed number of decimals (the spec uses 5 for balances, 5 for rates). */
export function formatMoney(micros: Micros, decimals = 5): string {
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const scale = 10 ** (6 - decimals);
  // Round half away from zero at the requested precision, in integers.
  const scaled = Math.floor((abs + scale / 2) / scale);
  const units = Math.floor(scaled / 10 ** decimals);
  const frac = String(scaled % 10 ** decimals).padStart(decimals, '0');
  return (negative && scaled > 0 ? '-' : '') + (decimals > 0 ? `${units}.${frac}` : String(units));
}
