// The number inventory file format (resources/numbers.csv, and what
// `switchboard numbers import` reads): one number a line with a header.
// Only `number` is required; the country and type come from the numbering
// plan and the rates and capabilities from the rate file when left out.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseMoney } from '../money.ts';
import type { NewPoolRow, NumberType } from '../store/tables/numbers.ts';
import { countryOf, normalizeNumber, NUMBER_TYPES, numberTypeOf, requireCountryIso } from './phone.ts';
import type { Pricing } from './pricing.ts';

export const SHIPPED_POOL_FILE = path.resolve(import.meta.dirname, '../../resources/numbers.csv');

export class PoolFileError extends Error {}

const BOOLS: Record<string, boolean> = { true: true, yes: true, '1': true, false: false, no: false, '0': false, '': false };

function flag(value: string | undefined, fallback: boolean, field: string): 0 | 1 {
  if (value === undefined || value.trim() === '') return fallback ? 1 : 0;
  const b = BOOLS[value.trim().toLowerCase()];
  if (b === undefined) throw new Error(`${field} must be true or false, got "${value}"`);
  return b ? 1 : 0;
}

function toRow(rec: Record<string, string>, pricing: Pricing, source: string, now: number): NewPoolRow {
  if (!rec.number) throw new Error('number is required');
  const number = normalizeNumber(rec.number);
  const iso = rec.country_iso ? requireCountryIso(rec.country_iso) : countryOf(number);
  if (!iso) throw new Error(`cannot tell the country of ${number}; add a country_iso column`);
  const type = (rec.type?.trim().toLowerCase() || numberTypeOf(number)) as NumberType;
  if (!NUMBER_TYPES.includes(type)) throw new Error(`type must be one of ${NUMBER_TYPES.join(', ')}, got "${rec.type}"`);
  const price = pricing.numberPrice(iso, type);
  const money = (field: 'monthly_rental_rate' | 'setup_rate', fallback: number | undefined): number => {
    const v = rec[field]?.trim();
    if (v) return parseMoney(v);
    if (fallback === undefined) throw new Error(`${field} is required: the rate file has no ${type} numbers for ${iso}`);
    return fallback;
  };
  const caps = price?.capabilities ?? ['voice'];
  const lata = rec.lata?.trim() ? Number(rec.lata) : null;
  if (lata !== null && !Number.isInteger(lata)) throw new Error(`lata must be an integer, got "${rec.lata}"`);
  return {
    number,
    country_iso: iso,
    number_type: type,
    region: rec.region?.trim() ?? '',
    city: rec.city?.trim() ?? '',
    prefix: rec.prefix?.trim() || (iso === 'US' || iso === 'CA' ? number.slice(1, 4) : ''),
    rate_center: rec.rate_center?.trim() || null,
    lata,
    voice_enabled: flag(rec.voice, caps.includes('voice'), 'voice'),
    sms_enabled: flag(rec.sms, caps.includes('sms'), 'sms'),
    mms_enabled: flag(rec.mms, caps.includes('mms'), 'mms'),
    monthly_rental_rate: money('monthly_rental_rate', price?.rental),
    setup_rate: money('setup_rate', price?.setup),
    source,
    created_at: now,
  };
}

/** Parse and check an inventory CSV; every bad line is reported with its line number. */
export function parsePoolCsv(text: string, pricing: Pricing, source: string, now: number): NewPoolRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true });
  } catch (err) {
    throw new PoolFileError(`not a valid CSV file: ${(err as Error).message}`);
  }
  const rows: NewPoolRow[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  records.forEach((rec, i) => {
    try {
      const row = toRow(rec, pricing, source, now);
      if (seen.has(row.number)) throw new Error(`${row.number} appears more than once`);
      seen.add(row.number);
      rows.push(row);
    } catch (err) {
      // +2: the header is line 1 and records count from 0.
      errors.push(`line ${i + 2}: ${(err as Error).message}`);
    }
  });
  if (errors.length) throw new PoolFileError(`${errors.length} bad line(s):\n  ${errors.slice(0, 20).join('\n  ')}${errors.length > 20 ? '\n  …' : ''}`);
  return rows;
}

/** Inventory files parsed with each Pricing, by path, source, size and modification time. */
const parsed = new WeakMap<Pricing, Map<string, NewPoolRow[]>>();

/**
 * Read and check an inventory file. Parsed once per process for each rate
 * file while it is unchanged: every server start seeds the shipped
 * inventory, and parsing it (each number through the numbering plan) was
 * nearly all of that seed's cost.
 */
export function readPoolFile(file: string, pricing: Pricing, source: string, now: number): NewPoolRow[] {
  const { size, mtimeMs } = fs.statSync(file);
  const key = `${file}\0${source}\0${size}\0${mtimeMs}`;
  let files = parsed.get(pricing);
  if (!files) parsed.set(pricing, (files = new Map()));
  let rows = files.get(key);
  if (!rows) files.set(key, (rows = parsePoolCsv(fs.readFileSync(file, 'utf8'), pricing, source, now)));
  return rows.map((row) => ({ ...row, created_at: now }));
}
