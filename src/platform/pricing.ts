// Rates for calls, messages and numbers, from an operator-replaceable JSON
// file (resources/rates.json by default, SWITCHBOARD_RATES_FILE to override),
// and the one rating function calls and messages are billed with.
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { ApiError } from '../errors.ts';
import { formatMoney, parseMoney, type Micros } from '../money.ts';
import type { NumberType } from '../store/tables/numbers.ts';
import { callingCode, countryOf, isTollFree, requireCountryIso } from './phone.ts';

export const DEFAULT_RATES_FILE = path.resolve(import.meta.dirname, '../../resources/rates.json');

/**
 * The platform bills calls in 60-second increments with a 60-second minimum
 * (a 10 s call bills 60 s, a 70 s call 120 s); the rate file may change it.
 */
export const DEFAULT_BILLING_INCREMENT_SECONDS = 60;

const Money = Type.String({ pattern: '^\\d+(\\.\\d{1,6})?$' });
const Capability = Type.Union([Type.Literal('voice'), Type.Literal('sms'), Type.Literal('mms')]);
const MessageRates = Type.Object({
  inbound: Money,
  outbound: Money,
  outbound_networks_list: Type.Optional(Type.Array(Type.Object({ group_name: Type.String(), rate: Money }))),
});
const NumberRates = Type.Object({ rental_rate: Money, setup_rate: Money, capabilities: Type.Array(Capability) });
const CountryRates = Type.Object({
  country: Type.String(),
  voice: Type.Object({
    inbound: Type.Object({ local: Money, tollfree: Money }),
    outbound: Type.Object({
      local: Money,
      tollfree: Type.Union([Money, Type.Null()]),
      rates: Type.Array(Type.Object({ prefix: Type.Array(Type.String({ pattern: '^\\d{1,15}$' })), rate: Money })),
    }),
  }),
  message: MessageRates,
  mms: Type.Optional(MessageRates),
  phone_numbers: Type.Object({
    local: Type.Optional(NumberRates),
    mobile: Type.Optional(NumberRates),
    tollfree: Type.Optional(NumberRates),
    national: Type.Optional(NumberRates),
  }),
});
const RateFile = Type.Object({
  currency: Type.String(),
  billing_increment_seconds: Type.Optional(Type.Integer({ minimum: 1 })),
  sip: Type.Object({ inbound: Money, outbound: Money }),
  countries: Type.Record(Type.String({ pattern: '^[A-Z]{2}$' }), CountryRates),
});
type RateFile = Static<typeof RateFile>;
type CountryRates = Static<typeof CountryRates>;
type MessageRates = Static<typeof MessageRates>;

export type Service = 'voice' | 'sms' | 'mms';
export type Direction = 'inbound' | 'outbound';

export interface RateQuery {
  service: Service;
  direction: Direction;
  /** Outbound: the destination. Inbound: the platform number (or `sip:` address) that was called or messaged. */
  number: string;
  /** Inbound voice: the platform number's type (tollfree bills the toll-free rate, others the local rate). */
  numberType?: NumberType;
}

export interface Rate {
  service: Service;
  direction: Direction;
  /** null for SIP. */
  countryIso: string | null;
  /** The destination prefix whose rate applied (outbound voice), else null. */
  prefix: string | null;
  /** Per minute (voice) or per message unit (sms, mms), in micros. */
  rate: Micros;
  unit: 'minute' | 'message';
}

export interface NumberPrice {
  rental: Micros;
  setup: Micros;
  capabilities: Array<'voice' | 'sms' | 'mms'>;
}

/** Seconds billed for a call that lasted `seconds`: whole increments, rounded up; nothing for an unanswered call. */
export function billedSeconds(seconds: number, increment = DEFAULT_BILLING_INCREMENT_SECONDS): number {
  if (!(seconds > 0)) return 0;
  return Math.ceil(seconds / increment) * increment;
}

const money = (s: string): Micros => parseMoney(s);
/** A rate found for `q` (one literal, not `{ ...base, … }`: see docs/decisions.md on spreads in a call's path). */
function rated(q: RateQuery, countryIso: string | null, prefix: string | null, rate: Micros): Rate {
  return { service: q.service, direction: q.direction, unit: q.service === 'voice' ? 'minute' : 'message', countryIso, prefix, rate };
}

const rateObj = (m: Micros | null) => ({ rate: m === null ? null : formatMoney(m) });

/** The last rate file read (fromFile), by path, size and modification time. */
const loaded = new Map<string, Pricing>();

export class Pricing {
  /** Outbound prefixes of every country, for destinations the numbering plan cannot place. */
  private readonly globalPrefixes = new Map<string, { iso: string; rate: Micros }>();

  private constructor(private readonly file: RateFile) {
    for (const [iso, c] of Object.entries(file.countries)) {
      for (const r of c.voice.outbound.rates) {
        for (const p of r.prefix) if (!this.globalPrefixes.has(p)) this.globalPrefixes.set(p, { iso, rate: money(r.rate) });
      }
    }
  }

  /**
   * Load and check a rate file; a broken file stops start-up with a message
   * naming the bad field. Read once per process while the file is unchanged
   * (Pricing is immutable): servers started one after another in one
   * process (a test run) share it.
   */
  static fromFile(file: string): Pricing {
    const { size, mtimeMs } = fs.statSync(file, { throwIfNoEntry: false }) ?? {};
    const key = `${file}\0${size}\0${mtimeMs}`;
    let pricing = loaded.get(key);
    if (!pricing) {
      pricing = Pricing.read(file);
      loaded.clear();
      loaded.set(key, pricing);
    }
    return pricing;
  }

  private static read(file: string): Pricing {
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`cannot read the rate file ${file}: ${(err as Error).message}`);
    }
    return Pricing.fromData(data, file);
  }

  static fromData(data: unknown, source = 'rate data'): Pricing {
    if (!Value.Check(RateFile, data)) {
      const e = [...Value.Errors(RateFile, data)][0];
      throw new Error(`${source} is invalid at ${e?.instancePath || '/'}: ${e?.message}`);
    }
    // The Pricing API shows an outbound toll-free rate for every country
    // with toll-free numbers, so the file must say what it is.
    for (const [iso, c] of Object.entries(data.countries)) {
      if (c.phone_numbers.tollfree && c.voice.outbound.tollfree === null) {
        throw new Error(`${source} is invalid at /countries/${iso}/voice/outbound/tollfree: ${iso} has toll-free numbers, so it needs an outbound toll-free rate`);
      }
    }
    return new Pricing(data);
  }

  /** SWITCHBOARD_RATES_FILE, or the shipped resources/rates.json. */
  static fromEnv(env: NodeJS.ProcessEnv): Pricing {
    return Pricing.fromFile(env.SWITCHBOARD_RATES_FILE || DEFAULT_RATES_FILE);
  }

  get currency(): string {
    return this.file.currency;
  }

  get billingIncrement(): number {
    return this.file.billing_increment_seconds ?? DEFAULT_BILLING_INCREMENT_SECONDS;
  }

  private country(iso: string | undefined): CountryRates | undefined {
    return iso ? this.file.countries[iso] : undefined;
  }

  /** Rental, setup and capabilities of a number type in a country, when the rate file offers it. */
  numberPrice(iso: string, type: NumberType): NumberPrice | undefined {
    const p = this.country(iso)?.phone_numbers[type];
    return p && { rental: money(p.rental_rate), setup: money(p.setup_rate), capabilities: p.capabilities };
  }

  /**
   * The rate for one call or message. Outbound voice uses the longest
   * matching destination prefix (the toll-free rate for toll-free numbers
   * when the country sets one); inbound voice the platform number's type;
   * SIP addresses the SIP rates. A destination with no rate → 400, since
   * nothing may be sent where it cannot be billed.
   */
  rate(q: RateQuery): Rate {
    if (q.number.startsWith('sip:')) {
      if (q.service !== 'voice') throw new ApiError(400, `${q.service} cannot be sent to a SIP address (${q.number})`);
      return rated(q, null, null, money(this.file.sip[q.direction]));
    }
    const digits = q.number.replace(/^\+/, '');
    const iso = countryOf(digits);
    const c = this.country(iso);
    if (q.direction === 'inbound') {
      // Inbound traffic cannot be refused; a platform number in a country
      // without rates (an own-carrier trunk number) receives for free.
      if (!c) return rated(q, iso ?? null, null, 0);
      if (q.service === 'voice') {
        const tollfree = (q.numberType ?? (isTollFree(digits) ? 'tollfree' : 'local')) === 'tollfree';
        return rated(q, iso!, null, money(tollfree ? c.voice.inbound.tollfree : c.voice.inbound.local));
      }
      return rated(q, iso!, null, money(this.messageRates(c, q.service, digits).inbound));
    }
    if (q.service !== 'voice') {
      if (!c) throw new ApiError(400, `no ${q.service} rate for destination ${digits}: its country ${iso ?? '(unknown)'} is not in the rate file`);
      return rated(q, iso!, null, money(this.messageRates(c, q.service, digits).outbound));
    }
    const hit = this.outboundVoice(digits, iso, c);
    if (!hit) throw new ApiError(400, `no voice rate for destination ${digits}: no prefix of it is in the rate file`);
    return rated(q, hit.countryIso, hit.prefix, hit.rate);
  }

  private messageRates(c: CountryRates, service: 'sms' | 'mms', digits: string): MessageRates {
    if (service === 'sms') return c.message;
    if (!c.mms) throw new ApiError(400, `MMS is not available for ${digits} (${c.country}); send SMS instead`);
    return c.mms;
  }

  private outboundVoice(digits: string, iso: string | undefined, c: CountryRates | undefined): Omit<Rate, 'service' | 'direction' | 'unit'> | undefined {
    if (c && iso) {
      if (c.voice.outbound.tollfree !== null && isTollFree(digits)) {
        return { countryIso: iso, prefix: null, rate: money(c.voice.outbound.tollfree) };
      }
      let best: { prefix: string; rate: string } | undefined;
      for (const r of c.voice.outbound.rates) {
        for (const p of r.prefix) if (digits.startsWith(p) && (!best || p.length > best.prefix.length)) best = { prefix: p, rate: r.rate };
      }
      return best ? { countryIso: iso, prefix: best.prefix, rate: money(best.rate) } : { countryIso: iso, prefix: null, rate: money(c.voice.outbound.local) };
    }
    for (let len = Math.min(15, digits.length); len > 0; len--) {
      const hit = this.globalPrefixes.get(digits.slice(0, len));
      if (hit) return { countryIso: hit.iso, prefix: digits.slice(0, len), rate: hit.rate };
    }
    return undefined;
  }

  /** What one billing increment of a call costs at `perMinute` (what a call in progress holds ahead). */
  incrementCost(perMinute: Micros): Micros {
    return Math.round((perMinute * this.billingIncrement) / 60);
  }

  /** Billed quantity and amount: seconds in whole increments for voice, units for messages. */
  cost(rate: Rate, quantity: number): { billed: number; amount: Micros } {
    if (rate.unit === 'message') {
      const units = Math.max(0, Math.ceil(quantity));
      return { billed: units, amount: rate.rate * units };
    }
    const billed = billedSeconds(quantity, this.billingIncrement);
    return { billed, amount: Math.round((rate.rate * billed) / 60) };
  }

  /** GET /Pricing/?country_iso=… in the platform's shape. Unknown code → 400; a country without rates → 404. */
  view(countryIsoInput: string) {
    const iso = requireCountryIso(countryIsoInput);
    const c = this.country(iso);
    if (!c) throw new ApiError(404, `no pricing for country ${iso}: the platform has no rates for it`);
    const messages = (m: MessageRates | undefined) => ({
      inbound: rateObj(m ? money(m.inbound) : null),
      outbound: rateObj(m ? money(m.outbound) : null),
      outbound_networks_list: (m?.outbound_networks_list ?? []).map((n) => ({ group_name: n.group_name, rate: formatMoney(money(n.rate)) })),
    });
    const phoneNumbers: Record<string, unknown> = {};
    for (const [type, p] of Object.entries(c.phone_numbers)) {
      if (!p) continue;
      phoneNumbers[type] = {
        rate: formatMoney(money(p.rental_rate)),
        rates: [{ capabilities: p.capabilities, rental_rate: formatMoney(money(p.rental_rate)), setup_rate: formatMoney(money(p.setup_rate)) }],
      };
    }
    const sip = this.file.sip;
    return {
      country: c.country,
      country_code: Number(callingCode(iso)),
      country_iso: iso,
      message: messages(c.message),
      mms: messages(c.mms),
      phone_numbers: phoneNumbers,
      voice: {
        inbound: { ip: rateObj(money(sip.inbound)), local: rateObj(money(c.voice.inbound.local)), tollfree: rateObj(money(c.voice.inbound.tollfree)) },
        outbound: {
          ip: rateObj(money(sip.outbound)),
          local: rateObj(money(c.voice.outbound.local)),
          rates: c.voice.outbound.rates.map((r) => ({ prefix: r.prefix, rate: formatMoney(money(r.rate)) })),
          // Every documented rate is a decimal string: a country without
          // toll-free numbers (and so without a toll-free rate) shows its local rate.
          tollfree: rateObj(money(c.voice.outbound.tollfree ?? c.voice.outbound.local)),
        },
      },
    };
  }
}
