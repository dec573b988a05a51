/**
 * Range and code-list checks of declared values, by data element (UK Customs Declaration Service
 * Tariff, Volume 3 — the CDS data element definitions), shared by every parser (CDS reports,
 * CHIEF MSS through the same assembler, ERP receipts, DMS XML), so a value is judged the same
 * whichever format carried it. Each check returns why a value is not one the element can hold
 * (naming the element), or undefined when it can. Pure; no parser-specific spelling here: the
 * caller hands the value as its parser reads it (commas stripped, trimmed).
 *
 * Why these and not more: each is a value no accepted declaration can carry, and each one
 * downstream would compute with — a negative customs value or mass prices a reclaim that does not
 * exist, item number 1,000,000 is not an item of any declaration (DE 1/6 is n..3), an empty or
 * 6-digit commodity code has no tariff, an unknown currency has no HMRC rate.
 */

/** The elements, as issues name them (field and reason). */
export const ELEMENT = {
  itemNumber: 'DE 1/6 goods item number',
  invoiceCurrency: 'DE 4/10 invoice currency',
  invoiceTotal: 'DE 4/11 total amount invoiced',
  itemPrice: 'DE 4/14 item price/amount',
  customsValue: 'customs value (DE 4/14 adjusted by DE 4/9 and 4/13)',
  vatValue: 'VAT value',
  netMass: 'DE 6/1 net mass',
  grossMass: 'DE 6/5 gross mass',
  commodityCode: 'DE 6/14 commodity code',
} as const;

/** DE 1/6 is n..3 and sequential from 1: at most 999 items (DE 1/9). */
export const MAX_ITEM_NUMBER = 999;

/**
 * Most integer digits an amount or mass may have: DE 4/14 and 4/11 are n..16,2, DE 6/1 and 6/5
 * n..16,6 (CDS Tariff Vol 3). A longer number is not a value CDS accepts (and "1e400" would be
 * Infinity to a float reader, which is why exponents are never read as numbers here).
 */
const MAX_INTEGER_DIGITS = 16;

/**
 * An unsigned decimal an element of format n..16,f can hold: digits, optionally a point and
 * digits. "-5", "Infinity", "NaN", "1e5", "" are not. `fraction` is the element's most decimals,
 * or undefined where parsers keep more and do not round (item prices in foreign currency).
 */
export function unsignedDecimalProblem(value: string, element: string, fraction?: number): string | undefined {
  const v = value.trim();
  if (v.startsWith('-') && /^-[0-9.]+$/.test(v) && Number(v) !== 0) return `${element} "${value}" is negative; the element holds a value of zero or more`;
  const m = /^([0-9]+)(?:\.([0-9]+))?$/.exec(v);
  if (!m) return `${element} "${value}" is not a decimal number (digits, optionally a point and decimals)`;
  if (m[1]!.replace(/^0+(?=.)/, '').length > MAX_INTEGER_DIGITS) return `${element} "${value}" has more than ${MAX_INTEGER_DIGITS} integer digits`;
  if (fraction !== undefined && (m[2] ?? '').replace(/0+$/, '').length > fraction) return `${element} "${value}" has more than ${fraction} decimals`;
  return undefined;
}

/** A GBP amount read in pence: never negative for a value (customs value, VAT value). */
export function penceProblem(pence: number, written: string, element: string): string | undefined {
  if (!Number.isSafeInteger(pence)) return `${element} "${written}" is too large to hold exactly in pence`;
  if (pence < 0) return `${element} "${written}" is negative; the element holds a value of zero or more`;
  return undefined;
}

/** DE 1/6: a whole number 1–999 (a "+" or leading zeros are a spelling; "1.0" is read as 1). */
export function itemNumberProblem(value: string): string | undefined {
  const v = value.trim();
  if (!/^\+?[0-9]+(?:\.0*)?$/.test(v)) return `${ELEMENT.itemNumber} "${value}" is not a whole number`;
  const n = Number(v);
  if (n < 1 || n > MAX_ITEM_NUMBER) return `${ELEMENT.itemNumber} ${v} is outside 1–${MAX_ITEM_NUMBER} (DE 1/6 is n..3, numbered from 1)`;
  return undefined;
}

/** DE 6/14 (+ 6/15): 8 combined-nomenclature digits, or 10 with the TARIC code; required. */
export function commodityCodeProblem(code: string): string | undefined {
  if (code === '') return `${ELEMENT.commodityCode} is empty; every goods item declares one (8 or 10 digits)`;
  if (!/^\d{8}(\d{2})?$/.test(code)) return `${ELEMENT.commodityCode} "${code}" is not 8 or 10 digits`;
  return undefined;
}

/**
 * ISO 4217 alphabetic codes an invoice may be in. Source: ISO 4217 List One (current currencies,
 * SIX Group, amendment 179 of 2025, with XCG) and List Three (historic codes: the euro legacy
 * currencies and others withdrawn since 1999, which pre-2023 CHIEF history may carry), plus every
 * code HMRC's monthly exchange-rate files use (services/reference/data/exchange_rates, 2014–2026:
 * among them ECS, SRG and HMRC's own ZIG for the Zimbabwe Gold), so no currency HMRC publishes a
 * rate for is refused. Not included: fund codes other than those HMRC rates, precious metals
 * (XAU…), XDR and the testing/no-currency codes XTS/XXX: none is an invoice currency.
 */
export const ISO_4217_CURRENCIES: ReadonlySet<string> = new Set(
  // List One (current)
  (
    'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
    'CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
    'GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD ' +
    'KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO ' +
    'NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD ' +
    'SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV ' +
    'WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ' +
    // List Three (historic, withdrawn 1999 onwards)
    'ATS BEF BYR CUC CYP DEM EEK ESP FIM FRF GRD HRK IEP ITL LTL LUF LVL MRO MTL NLG PTE ROL SIT SKK SLL ' +
    'SRG STD TRL VEF ZMK ZWL ECS ' +
    // HMRC exchange-rate files' own spelling
    'ZIG'
  ).split(' '),
);

/** DE 4/10 (and any amount's currencyID): an ISO 4217 code of a currency (list above). */
export function currencyProblem(code: string, element: string = ELEMENT.invoiceCurrency): string | undefined {
  if (!/^[A-Z]{3}$/.test(code)) return `${element} "${code}" is not an ISO 4217 alpha-3 currency code`;
  if (!ISO_4217_CURRENCIES.has(code)) return `${element} "${code}" is not an ISO 4217 currency (ISO 4217 lists one and three)`;
  return undefined;
}
