// The generated trading world: importers (GB EORIs, VAT numbers, deferment accounts), customs
// brokers, overseas suppliers with their countries, currencies and Incoterm habits, and a product
// catalogue of real UK commodity codes with their real UK Global Tariff third-country rates.
import { adValorem, toScaled } from './money';
import type { ReferenceFacts } from './facts';
import { MODELLED_TARIFF, type ModelledTariffLine } from './modelled';
import { Rng } from './prng';

export interface Product {
  sku: string;
  /** 10-digit declarable leaf code, valid from before 2021 and still open in the snapshot. */
  code: string;
  description: string;
  mfnExpression: string;
  mfnRate: bigint;
  /** EU CET rate (×10^6) the UKGT replaced, when ad valorem (a broker still applying it is a C09 case). */
  cetRate?: bigint;
  /** Typical unit price range (GBP-equivalent units, converted to the invoice currency at the month's rate) and net mass per unit (kg, 3 decimals). */
  unitPrice: [number, number];
  unitMassGrams: [number, number];
  /** Set on the MODELLED trade-remedy / suspension lines (src/modelled.ts), absent on catalogue codes. */
  modelled?: ModelledTariffLine;
}

export interface Supplier {
  id: string;
  name: string;
  country: string;
  /** Country goods are dispatched from (DE 5/14). */
  dispatch: string;
  currency: string;
  incoterms: string[];
  products: Product[];
  /** UK scheme the origin belongs to ("" = none modelled). */
  scheme: string;
  /** DE 4/17 code a claim uses: 300 (agreements) or 200 (GSP/DCTS). */
  preferenceCode: string;
  /** DE 2/3 proof codes this supplier's claims cite. */
  proofCodes: string[];
  port: string;
  /**
   * A supplier of a MODELLED trade-remedy ("remedy") or suspension ("suspension") line
   * (src/modelled.ts). Only clean declarations and the C14/C15 injections draw on it.
   */
  modelled?: 'remedy' | 'suspension';
}

export interface Broker {
  eori: string;
  name: string;
  lrnPrefix: string;
}

export interface Importer {
  eori: string;
  name: string;
  vatNumber: string;
  dan: string;
  brokers: Broker[];
  suppliers: Supplier[];
  /** Relative declaration volume. */
  weight: number;
  /** Declares customs values (CDS-report-like data) rather than leaving CDS to compute them. */
}

export interface World {
  seed: number;
  importers: Importer[];
  brokers: Broker[];
  catalogue: Product[];
  /** The MODELLED trade-remedy and suspension products (not in `catalogue`: their measures are not shipped data). */
  modelled: Product[];
  productByCode: Map<string, Product>;
}

/** Partner origins modelled with preferential rates (UK FTAs / DCTS: 0% on the industrial chapters used). */
export const PARTNERS: Record<string, { currencies: string[]; scheme: string; preferenceCode: string; proofs: string[]; ports: string[] }> = {
  DE: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110', 'U112'], ports: ['DEHAM', 'DEBRV'] },
  FR: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110', 'U112'], ports: ['FRLEH', 'FRCQF'] },
  IT: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110', 'U112'], ports: ['ITGOA', 'ITMIL'] },
  ES: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110'], ports: ['ESVLC', 'ESBCN'] },
  NL: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110', 'U111'], ports: ['NLRTM'] },
  PL: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110'], ports: ['PLGDN'] },
  PT: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110'], ports: ['PTLEI'] },
  CZ: { currencies: ['EUR'], scheme: 'eu', preferenceCode: '300', proofs: ['U110'], ports: ['CZPRG'] },
  CH: { currencies: ['CHF', 'EUR'], scheme: 'switzerland-liechtenstein', preferenceCode: '300', proofs: ['N864'], ports: ['CHBSL'] },
  NO: { currencies: ['NOK', 'EUR'], scheme: 'iceland-norway', preferenceCode: '300', proofs: ['N864'], ports: ['NOOSL'] },
  TR: { currencies: ['EUR', 'USD'], scheme: 'turkey', preferenceCode: '300', proofs: ['N864'], ports: ['TRIST', 'TRMER'] },
  KR: { currencies: ['USD', 'KRW'], scheme: 'south-korea', preferenceCode: '300', proofs: ['N864'], ports: ['KRPUS'] },
  BD: { currencies: ['USD'], scheme: 'dcts', preferenceCode: '200', proofs: ['N865'], ports: ['BDCGP'] },
};

/** Origins with no UK preference scheme on any date of the dataset (checked against roo_schemes_uk.json at load). */
export const NON_PARTNERS: Record<string, { currencies: string[]; ports: string[]; dispatch?: string[] }> = {
  CN: { currencies: ['USD', 'CNY'], ports: ['CNSHA', 'CNNGB', 'CNSZX'], dispatch: ['CN', 'CN', 'CN', 'HK'] },
  US: { currencies: ['USD'], ports: ['USNYC', 'USLAX'] },
  TW: { currencies: ['USD', 'TWD'], ports: ['TWKHH'] },
  HK: { currencies: ['HKD', 'USD'], ports: ['HKHKG'] },
  TH: { currencies: ['USD', 'THB'], ports: ['THLCH'] },
  BR: { currencies: ['USD'], ports: ['BRSSZ'] },
};

/** Standard-rated (20% VAT) manufactured-goods chapters: plastics, leather, textiles/clothing, footwear, ceramics, metals, tools, machinery, electrical, optical, furniture, toys. */
const CHAPTERS = ['39', '42', '61', '62', '63', '64', '69', '73', '76', '82', '83', '84', '85', '90', '94', '95', '96'];

const SUPPLIER_WORDS = ['Textil', 'Metall', 'Plast', 'Electro', 'Optik', 'Möbel', 'Ceramica', 'Tools', 'Industrial', 'Manufacturing', 'Trading', 'Precision', 'Global', 'Pacific', 'Nordic', 'Alpine'];
const SUFFIX: Record<string, string> = {
  DE: 'GmbH',
  FR: 'SARL',
  IT: 'S.p.A.',
  ES: 'S.L.',
  NL: 'B.V.',
  PL: 'Sp. z o.o.',
  PT: 'Lda',
  CZ: 's.r.o.',
  CH: 'AG',
  NO: 'AS',
  TR: 'A.Ş.',
  KR: 'Co., Ltd.',
  BD: 'Ltd',
  CN: 'Co., Ltd.',
  US: 'Inc.',
  TW: 'Co., Ltd.',
  HK: 'Ltd',
  TH: 'Co., Ltd.',
  BR: 'Ltda',
};
const IMPORTER_NAMES = [
  'Harbour Home Furnishings Ltd',
  'Pennine Outdoor Clothing Ltd',
  'Severn Tools & Fixings Ltd',
  'Cairngorm Electronics plc',
  'Thames Valley Medical Optics Ltd',
  'Midland Ceramics Trading Ltd',
  'Solent Leisure Goods Ltd',
  'Humber Industrial Supplies Ltd',
  'Fenland Kitchenware Ltd',
  'Cotswold Apparel Group Ltd',
  'Mersey Lighting Ltd',
  'Tyne Engineering Components Ltd',
];
const BROKER_NAMES = [
  'Northgate Customs Services Ltd',
  'Portside Clearance Ltd',
  'Albion Freight & Customs Ltd',
  'Channel Customs Brokers Ltd',
  'Kestrel Logistics (Customs) Ltd',
  'Felixstowe Entry Services Ltd',
];

/** A "GB" EORI: GB + 9-digit VAT registration number + "000" (the usual form for VAT-registered traders). */
function eori(rng: Rng): { eori: string; vat: string } {
  const vat = `${rng.int(1, 9)}${rng.chars(8)}`;
  return { eori: `GB${vat}000`, vat: `GB${vat}` };
}

function isOther(desc: string): boolean {
  return /^other\b/i.test(desc.trim()) || desc.trim().length < 4;
}

/**
 * The product catalogue: declarable leaf codes valid throughout 2021-01-01..2023-08-31 (start
 * ≤ 2021-01-01, open end), in standard-rated chapters, with a simple ad valorem UKGT rate and no
 * trade remedy, suspension or tariff quota flagged (so the tariff facts used here are complete).
 */
export function buildCatalogue(facts: ReferenceFacts): Product[] {
  const out: Product[] = [];
  const codes = [...facts.nomenclature.keys()].sort();
  for (const code of codes) {
    if (!CHAPTERS.includes(code.slice(0, 2))) continue;
    const line = facts.nomenclature.get(code)!.find((l) => l.suffix === '80');
    if (!line || !facts.isLeaf(line) || line.start > '2021-01-01' || line.end) continue;
    const ukgt = facts.ukgtLine(code);
    if (!ukgt || ukgt.tradeRemedy || ukgt.suspension || ukgt.quota) continue;
    const rate = adValorem(ukgt.rate);
    if (rate === undefined) continue;
    // DE 6/8 reads like trade text: the CN8 (UKGT) wording where it is specific, else the leaf's own.
    const description = !isOther(ukgt.description) && ukgt.description.length >= 12 ? ukgt.description : !isOther(line.description) ? line.description : '';
    if (!description) continue;
    const h = parseInt(code.slice(4, 8), 10);
    out.push({
      sku: `SKU-${code.slice(0, 6)}-${code.slice(8)}`,
      code,
      description: description.replace(/\s+/g, ' ').slice(0, 240),
      mfnExpression: ukgt.rate,
      mfnRate: rate,
      cetRate: adValorem(ukgt.cetRate),
      unitPrice: [1 + (h % 30), 10 + (h % 150)],
      unitMassGrams: [50 + (h % 500), 600 + (h % 5000)],
    });
  }
  return out;
}

export interface WorldOptions {
  seed: number;
  importers?: number;
}

export function buildWorld(facts: ReferenceFacts, opts: WorldOptions): World {
  const rng = new Rng(`world:${opts.seed}`);
  const catalogue = buildCatalogue(facts);
  if (catalogue.length < 50) throw new Error(`only ${catalogue.length} usable commodity codes found in ${facts.dataDir}`);
  // Non-partner origins must really have no scheme on any dataset date, else clean MFN entries would be missed preferences.
  for (const c of Object.keys(NON_PARTNERS))
    if (facts.schemes.some((s) => s.countries.includes(c) && (!s.validFrom || s.validFrom <= '2023-08-31'))) throw new Error(`${c} is in a UK preference scheme; it cannot be a non-partner origin`);

  const brokers: Broker[] = BROKER_NAMES.map((name, i) => ({ eori: eori(rng).eori, name, lrnPrefix: name.replace(/[^A-Z]/g, '').slice(0, 3) + String(i) }));
  const nImporters = opts.importers ?? 8;
  const importers: Importer[] = [];
  const byChapter = new Map<string, Product[]>();
  for (const p of catalogue) byChapter.set(p.code.slice(0, 2), [...(byChapter.get(p.code.slice(0, 2)) ?? []), p]);
  const chapters = [...byChapter.keys()];
  for (let i = 0; i < nImporters; i++) {
    const id = eori(rng);
    // Each importer trades in 2–4 chapters (its line of business) with 4–12 suppliers.
    const sector = Array.from({ length: rng.int(2, 4) }, () => rng.pick(chapters));
    const suppliers: Supplier[] = [];
    const nSuppliers = rng.int(4, 12);
    for (let s = 0; s < nSuppliers; s++) {
      const partner = rng.chance(0.55);
      // Bangladesh (DCTS/GSP least developed) weighted up: garment importers buy there a lot, and C22 needs it.
      const country = partner ? rng.weighted(Object.keys(PARTNERS).map((c) => [c, c === 'BD' ? 4 : 1] as const)) : rng.pick(Object.keys(NON_PARTNERS));
      const p = PARTNERS[country];
      const np = NON_PARTNERS[country];
      const pool = sector.flatMap((c) => byChapter.get(c) ?? []);
      const products = Array.from({ length: rng.int(3, 15) }, () => rng.pick(pool));
      const incoterms = rng.weighted<string[]>([
        [['CIF'], 3],
        [['CIP', 'CPT'], 2],
        [['FOB'], 3],
        [['FCA', 'EXW'], 2],
        [['DAP'], 1],
      ]);
      suppliers.push({
        id: `SUP${String(i).padStart(2, '0')}${String(s).padStart(2, '0')}`,
        name: `${rng.pick(SUPPLIER_WORDS)} ${rng.pick(SUPPLIER_WORDS)} ${SUFFIX[country] ?? 'Ltd'}`,
        country,
        dispatch: np?.dispatch ? rng.pick(np.dispatch) : country,
        // About one supplier in eight invoices UK customers in sterling.
        currency: rng.chance(0.12) ? 'GBP' : rng.pick(p?.currencies ?? np!.currencies),
        incoterms,
        products: [...new Map(products.map((x) => [x.code, x])).values()],
        scheme: p?.scheme ?? '',
        preferenceCode: p?.preferenceCode ?? '100',
        proofCodes: p?.proofs ?? [],
        port: rng.pick(p?.ports ?? np!.ports),
      });
    }
    importers.push({
      eori: id.eori,
      name: IMPORTER_NAMES[i % IMPORTER_NAMES.length]! + (i >= IMPORTER_NAMES.length ? ` (${Math.floor(i / IMPORTER_NAMES.length) + 1})` : ''),
      vatNumber: id.vat,
      dan: `${rng.int(1, 9)}${rng.chars(6)}`,
      brokers: [rng.pick(brokers), rng.pick(brokers)],
      suppliers,
      weight: rng.int(1, 10),
    });
  }
  const modelled = modelledProducts(facts);
  addModelledSuppliers(importers, modelled, opts.seed);
  return { seed: opts.seed, importers, brokers, catalogue, modelled, productByCode: new Map([...catalogue, ...modelled].map((p) => [p.code, p])) };
}

/** The MODELLED lines as products, checked against the shipped nomenclature and UKGT line. */
export function modelledProducts(facts: ReferenceFacts): Product[] {
  return MODELLED_TARIFF.map((m) => {
    const line = facts.nomenclature.get(m.code)?.find((l) => l.suffix === '80');
    if (!line || !facts.isLeaf(line) || line.start > '2021-01-01' || line.end) throw new Error(`modelled code ${m.code} is not a declarable leaf open throughout the dataset`);
    const ukgt = facts.ukgtLine(m.code);
    if (!ukgt || ukgt.rate !== m.thirdCountry) throw new Error(`modelled code ${m.code}: UKGT rate ${ukgt?.rate} is not the modelled ${m.thirdCountry}`);
    return {
      sku: `SKU-${m.code.slice(0, 6)}-${m.code.slice(8)}`,
      code: m.code,
      description: m.description,
      mfnExpression: ukgt.rate,
      mfnRate: adValorem(ukgt.rate)!,
      unitPrice: m.unitPrice,
      unitMassGrams: m.unitMassGrams,
      modelled: m,
    };
  });
}

/**
 * A supplier per MODELLED line for up to two importers each (fuel distributors buying Canadian
 * biodiesel; fork-lift truck makers buying US LPG engine systems), from an RNG stream of its own
 * so the rest of the world is the same as without them.
 */
function addModelledSuppliers(importers: Importer[], products: Product[], seed: number): void {
  const rng = new Rng(`world-modelled:${seed}`);
  for (const p of products) {
    const m = p.modelled!;
    // Two importers each (one when the world has a single importer).
    const buyers = [...new Set([rng.pick(importers), rng.pick(importers)])];
    for (const [k, importer] of buyers.entries())
      importer.suppliers.push({
        id: `SUPM${m.code.slice(0, 4)}${k}`,
        name: m.supplier.name,
        country: m.supplier.country,
        dispatch: m.supplier.country,
        currency: rng.pick(m.supplier.currencies),
        incoterms: rng.pick([['CIF'], ['FOB'], ['FCA'], ['CIP', 'CPT']]),
        products: [p],
        scheme: '',
        preferenceCode: '100',
        proofCodes: [],
        port: rng.pick(m.supplier.ports),
        modelled: m.supplier.kind,
      });
  }
}

/** Net mass in grams of an item's DE 6/1 (3 decimals). */
export function netGrams(netMassKg: string): bigint {
  return toScaled(netMassKg, 3);
}
