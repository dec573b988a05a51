// What CDS does with a tax line it has calculated: charge it, or assess it without charging it
// because the goods are under a relief, a suspension or a security (DE 1/10 procedure, DE 1/11
// additional procedure codes, DE 4/8 method of payment), and which VAT rate applies (DE 6/17 VAT
// additional code, tariff VAT measure). Pure tables and decisions; the caller passes the
// declaration's codes. HMRC's annotated samples say it plainly, e.g. TT_IM080a: "CDS will
// calculate VAT due and then suppress the VAT charged as a relief treatment"; TT_IM102a (APC 1FV):
// "Customs Duty will be reserved as a Security Deposit".

/** Family of a DE 4/3 tax type: A.. customs duties, B.. VAT, 3-digit numeric excise. */
export type TaxClass = 'duty' | 'vat' | 'excise' | 'other';

export function taxClassOf(taxType: string): TaxClass {
  const t = taxType.trim().toUpperCase();
  if (/^A\d{2}$/.test(t)) return 'duty';
  if (/^B\d{2}$/.test(t)) return 'vat';
  if (/^\d{3}$/.test(t)) return 'excise';
  return 'other';
}

/**
 * payable: charged. relieved: a relief removes the charge for good. suspended: a special procedure
 * defers it (charged only if the procedure is not discharged). secured: a guarantee or deposit
 * covers it and nothing is collected now. unknown: the codes declared may or may not remove the
 * charge and the engine has no rule for them — never read as payable.
 */
export type Liability = 'payable' | 'relieved' | 'suspended' | 'secured' | 'unknown';

/** The declaration's procedure, as declared. */
export interface ProcedureInput {
  /** DE 1/10, 4 digits (requested + previous procedure), e.g. "4000", "5100", "7100"; 7 characters with the APC are accepted too. */
  cpc?: string;
  /** DE 1/11 additional procedure codes, e.g. ["C07", "1RV"]. */
  apcs?: string[];
}

export interface LiabilityDecision {
  liability: Liability;
  /** Why, naming the code that decided it (empty for plain payable lines). */
  reason: string;
}

type ClassSet = readonly TaxClass[];
const ALL: ClassSet = ['duty', 'vat', 'excise'];

/** Requested procedures (first two digits of DE 1/10) that suspend charges. */
const SUSPENDING_PROCEDURES: Record<string, { name: string; classes: ClassSet }> = {
  '51': { name: 'inward processing', classes: ALL },
  '53': { name: 'temporary admission', classes: ALL },
  '71': { name: 'customs warehousing', classes: ALL },
  // Release to free circulation with entry into an excise/tax warehouse: duty is paid, VAT and
  // excise stay suspended in the warehouse.
  '07': { name: 'release to free circulation into an excise warehouse', classes: ['vat', 'excise'] },
};

/** Requested procedures that relieve a class outright. */
const RELIEVING_PROCEDURES: Record<string, { name: string; classes: ClassSet }> = {
  '42': { name: 'onward supply relief', classes: ['vat'] },
};

/**
 * DE 1/11 codes with a known effect (CDS Volume 3 Appendix 2; the bundled apcs.json). Codes not
 * listed here and not in NEUTRAL_APCS make the affected lines "unknown".
 */
const APC_EFFECTS: Record<string, { liability: Exclude<Liability, 'payable' | 'unknown'>; classes: ClassSet; name: string; unknownClasses?: ClassSet }> = {
  C07: { liability: 'relieved', classes: ['duty'], name: 'consignment of negligible value (customs duty relief; VAT stays due)' },
  F01: { liability: 'relieved', classes: ['duty'], name: 'returned goods relief', unknownClasses: ['vat'] },
  F02: { liability: 'relieved', classes: ['duty'], name: 'returned goods relief (agricultural goods)', unknownClasses: ['vat'] },
  F03: { liability: 'relieved', classes: ['duty'], name: 'returned goods relief (repair or restoration)', unknownClasses: ['vat'] },
  F05: { liability: 'relieved', classes: ['duty', 'vat'], name: 'returned goods relief from import duties and VAT' },
  '1RL': { liability: 'relieved', classes: ['duty', 'vat'], name: 'returned goods relief with end use (duty and VAT relief)' },
  '1RC': { liability: 'relieved', classes: ['duty'], name: 'relief from customs duty' },
  '1RE': { liability: 'relieved', classes: ['excise'], name: 'relief from excise duty' },
  '1RV': { liability: 'relieved', classes: ['vat'], name: 'relief from VAT (VAT exemption claimed)' },
  F45: { liability: 'relieved', classes: ['vat'], name: 'exemption from VAT on final importation' },
  '1VW': { liability: 'suspended', classes: ['duty'], name: 'goods liable to VAT only, in or from customs warehousing', unknownClasses: ['vat'] },
  F06: { liability: 'suspended', classes: ['excise'], name: 'excise goods moved under duty suspension' },
  '1EX': { liability: 'suspended', classes: ['excise'], name: 'hydrocarbon oil entering an excise warehouse (excise suspended)' },
  '1FV': { liability: 'secured', classes: ['duty'], name: 'provisional value: customs duty reserved as a security deposit' },
  // HMRC sample TT_FI002a (4400/1SW): "Duty and VAT Relief Applied".
  '1SW': { liability: 'relieved', classes: ['duty', 'vat'], name: 'shipwork or platform end use (duty and VAT relief)' },
};

/**
 * DE 1/11 codes that change nothing about what is charged: none, simplified valuation (unit price,
 * standard import values), dataset/route markers seen on HMRC's free-circulation samples.
 */
const NEUTRAL_APCS = new Set(['000', 'E01', 'E02']);

/** DE 4/8 methods of payment that secure a charge instead of paying it (CDS codes, DOMAIN.md §2.2). */
const SECURITY_METHODS: Record<string, string> = {
  M: 'security including cash deposit',
  N: 'security: cash deposit',
  O: 'guarantee lodged with the Rural Payments Agency',
  R: 'security deposit on the deferment account',
  S: "importer's general guarantee account",
  T: "agent's guarantee account",
  U: "agent's guarantee account (standing authority)",
  V: "importer's guarantee account (individual authority)",
  Z: 'individual guarantee',
};

/** Whether a DE 4/8 method of payment secures the line rather than paying it. */
export function isSecurityMethod(methodOfPayment: string | undefined): boolean {
  return methodOfPayment !== undefined && SECURITY_METHODS[methodOfPayment.trim().toUpperCase()] !== undefined;
}

/** The APC codes of the input, upper case, without the "000" filler. */
function apcsOf(p: ProcedureInput): string[] {
  const out = (p.apcs ?? []).map((a) => a.trim().toUpperCase()).filter((a) => a !== '');
  // "4000000" / "4000C07": the 7-character form carries the APC after the CPC.
  const cpc = (p.cpc ?? '').trim().toUpperCase();
  if (cpc.length === 7 && !out.includes(cpc.slice(4))) out.push(cpc.slice(4));
  return out;
}

/**
 * Whether CDS charges a tax line of `taxType` under the declared procedure and method of payment.
 * Suspension by the requested procedure comes first (nothing is charged under IP/TA/CW whatever
 * the APC), then reliefs and securities from the APCs, then the line's own method of payment.
 * An APC the engine does not know makes the line "unknown": it may be a relief.
 */
const PAYABLE: LiabilityDecision = Object.freeze({ liability: 'payable', reason: '' });

export function procedureLiability(procedure: ProcedureInput | undefined, taxType: string, methodOfPayment?: string): LiabilityDecision {
  // The common case (no procedure, no method of payment) is on the engine's hot path: answer
  // before any parsing. A security method of payment secures the line whatever the procedure.
  if (!procedure) {
    if (methodOfPayment === undefined) return PAYABLE;
    procedure = {};
  }
  const cls = taxClassOf(taxType);
  const cpc = (procedure.cpc ?? '').trim();
  const requested = cpc.slice(0, 2);
  const suspending = SUSPENDING_PROCEDURES[requested];
  if (suspending && suspending.classes.includes(cls)) {
    return {
      liability: 'suspended',
      reason: `procedure ${cpc.slice(0, 4)} (${suspending.name}) suspends ${cls === 'vat' ? 'import VAT' : cls === 'excise' ? 'excise' : 'customs duty'}: assessed by CDS, not charged`,
    };
  }
  const relieving = RELIEVING_PROCEDURES[requested];
  if (relieving && relieving.classes.includes(cls)) {
    return { liability: 'relieved', reason: `procedure ${cpc.slice(0, 4)} (${relieving.name}) relieves ${cls === 'vat' ? 'import VAT' : cls}: assessed by CDS, not charged` };
  }
  const unknown: string[] = [];
  for (const apc of apcsOf(procedure)) {
    if (NEUTRAL_APCS.has(apc)) continue;
    const effect = APC_EFFECTS[apc];
    if (effect?.classes.includes(cls)) return { liability: effect.liability, reason: `APC ${apc} (${effect.name}): assessed by CDS, not charged` };
    if (effect?.unknownClasses?.includes(cls)) unknown.push(`APC ${apc} (${effect.name}) may also relieve this ${cls === 'vat' ? 'VAT' : cls} line; the engine has no rule for which`);
    else if (!effect && /^C\d{2}$/.test(apc)) {
      // Reg. 1186/2009 reliefs (C01–C61) relieve customs duty; some relieve VAT too.
      if (cls === 'duty') return { liability: 'relieved', reason: `APC ${apc} (relief from import duties, Reg. 1186/2009 as retained): assessed by CDS, not charged` };
      unknown.push(`APC ${apc} (duty relief) may also relieve ${cls === 'vat' ? 'VAT' : cls}; the engine has no rule for which`);
    } else if (!effect && /^D\d{2}$/.test(apc)) {
      unknown.push(`APC ${apc} is a temporary admission code; whether this line is relieved is not modelled`);
    } else if (!effect) unknown.push(`APC ${apc} has no rule in the engine (it may be a relief)`);
  }
  const mop = (methodOfPayment ?? '').trim().toUpperCase();
  if (SECURITY_METHODS[mop]) return { liability: 'secured', reason: `method of payment ${mop} (${SECURITY_METHODS[mop]}): the amount is secured, not charged` };
  if (unknown.length > 0) return { liability: 'unknown', reason: unknown.join('; ') };
  return PAYABLE;
}

// ---------------------------------------------------------------------------------------------
// VAT rate

export type VatCategory = 'standard' | 'reduced' | 'zero' | 'exempt';

/** A tariff VAT measure (OTT measure type 305, or VTS/VTA/VTZ/VTE), as published. */
export interface VatMeasureInput {
  /** "20.00 %", "5%", "0.00 %". */
  expression: string;
  /** The VAT additional code the measure applies with (VATZ, VATR, VATE …), "" or undefined for the default one. */
  additionalCode?: string;
  source: string;
}

export interface VatInput {
  /** DE 6/16–6/17 additional codes declared on the item; VAT codes start with "VAT" (VATZ, VATR, VATE). */
  declaredAdditionalCodes?: string[];
  /** The code's tariff VAT measures when they are loaded; undefined = not loaded (absence proves nothing). */
  measures?: VatMeasureInput[];
  /** The rate the declaration states on its B00 line (DE 4/5), if any. */
  declaredRatePercent?: string;
  /** DE 4/8 method of payment of the B00 line ("G" postponed VAT accounting is still charged, on the VAT return). */
  methodOfPayment?: string;
}

export type VatRateDecision = { status: 'known'; ratePercent: string; category: VatCategory; source: string } | { status: 'unknown'; reason: string };

/** What the national VAT additional codes mean in law; the tariff's own measure wins when loaded. */
const VAT_CODES: Record<string, { ratePercent: string; category: VatCategory; name: string }> = {
  VATZ: { ratePercent: '0', category: 'zero', name: 'zero-rated' },
  VATR: { ratePercent: '5', category: 'reduced', name: 'reduced rate 5%' },
  VATE: { ratePercent: '0', category: 'exempt', name: 'exempt' },
};

const percentOf = (expression: string): string | undefined => /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(expression)?.[1];

function categoryOf(ratePercent: string, code?: string): VatCategory {
  if (code && VAT_CODES[code]) return VAT_CODES[code]!.category;
  const n = Number(ratePercent);
  // A comparison of a published rate, not money: 0 and 5 are exact in binary.
  return n === 0 ? 'zero' : n < 20 ? 'reduced' : 'standard';
}

/**
 * The import VAT rate of an item: the tariff measure for the declared VAT additional code, else
 * that code's legal meaning (VATZ zero, VATR 5 %, VATE exempt); with no VAT code, the tariff's
 * default VAT measure; else the rate the B00 line declares; else unknown. Never 20 % by assumption.
 */
export function resolveVatRate(v: VatInput): VatRateDecision {
  const vatCodes = [...new Set((v.declaredAdditionalCodes ?? []).map((c) => c.trim().toUpperCase()).filter((c) => /^VAT[A-Z]$/.test(c)))];
  if (vatCodes.length > 1) return { status: 'unknown', reason: `several VAT additional codes declared (${vatCodes.join(', ')}): which rate applies is not settled` };
  const measures = v.measures;
  if (vatCodes.length === 1) {
    const code = vatCodes[0]!;
    const m = measures?.find((x) => (x.additionalCode ?? '').toUpperCase() === code);
    if (m) {
      const rate = percentOf(m.expression);
      if (rate === undefined) return { status: 'unknown', reason: `tariff VAT measure for ${code} is not a percentage: ${JSON.stringify(m.expression)}` };
      return { status: 'known', ratePercent: rate, category: categoryOf(rate, code), source: `tariff VAT measure ${m.expression} for ${code} (${m.source})` };
    }
    const meaning = VAT_CODES[code];
    if (meaning) return { status: 'known', ratePercent: meaning.ratePercent, category: meaning.category, source: `declared VAT additional code ${code} (${meaning.name})` };
    return { status: 'unknown', reason: `VAT additional code ${code} is not one the engine knows (VATZ, VATR, VATE) and the tariff's VAT measures for it are not loaded` };
  }
  if (measures && measures.length > 0) {
    const m = measures.find((x) => !x.additionalCode);
    if (!m) return { status: 'unknown', reason: `the tariff's VAT measures all need a VAT additional code (${measures.map((x) => x.additionalCode).join(', ')}) and none is declared` };
    const rate = percentOf(m.expression);
    if (rate === undefined) return { status: 'unknown', reason: `tariff VAT measure is not a percentage: ${JSON.stringify(m.expression)}` };
    return { status: 'known', ratePercent: rate, category: categoryOf(rate), source: `tariff VAT measure ${m.expression} (${m.source})` };
  }
  const declared = v.declaredRatePercent !== undefined ? percentOf(v.declaredRatePercent) : undefined;
  if (declared !== undefined) return { status: 'known', ratePercent: declared, category: categoryOf(declared), source: `B00 rate declared (DE 4/5) ${declared}%` };
  return { status: 'unknown', reason: "VAT rate unknown: no VAT additional code is declared, the B00 line states no rate and the code's VAT measures are not loaded" };
}
