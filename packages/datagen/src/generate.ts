// Clean declarations from the world, then per-rule error injection with ground truth. Every
// declaration is built from its own RNG stream (seed + index), so any slice of a 10-million
// dataset can be regenerated alone and the iterator holds one declaration at a time.
import { Declaration, GoodsItem, SourceFormat, type Adjustment, type Document } from '@customs/contracts';
import { loadFacts, type ReferenceFacts } from './facts';
import { INJECTORS, type Injector } from './injectors';
import { SUSPENSION_PREFERENCE, modelledSuspensionRate, pencePerTonne } from './modelled';
import { convertToPence, fromScaled, toScaled } from './money';
import { priceItem } from './price';
import { Rng, hash32 } from './prng';
import type { GeneratedDeclaration, ItemFacts, TruthEntry } from './types';
import { PARTNERS, buildWorld, type Broker, type Importer, type Supplier, type World } from './world';

export interface GenerateOptions {
  seed: number;
  declarations: number;
  /** First index to generate (for slices of a large dataset). */
  startIndex?: number;
  /** Size of the whole dataset a slice belongs to (spreads acceptance dates); default startIndex + declarations. */
  totalDeclarations?: number;
  importers?: number;
  /** Share of declarations carrying an error of each rule; missing rules use defaultRate. */
  rates?: Record<string, number>;
  /** Default per-rule share (default: 2%, scaled down so that all rules together stay ≤ 80%). */
  defaultRate?: number;
  /** Share of declarations that carry a declared customs value (CDS-report-like); default 0.5. */
  customsValueShare?: number;
  /** Acceptance dates are spread over this range (inside the HMRC FX coverage). */
  fromDate?: string;
  toDate?: string;
  tenantId?: string;
  facts?: ReferenceFacts;
  /** Restrict injection to these rule ids (default: every injector). */
  rules?: string[];
}

/** A declaration being built, with what the generator knows about each item. */
export interface Draft {
  declaration: Declaration;
  facts: ItemFacts[];
  importer: Importer;
  supplier: Supplier;
  broker: Broker;
}

export interface InjectContext {
  rng: Rng;
  world: World;
  ref: ReferenceFacts;
}

const DAY = 86_400_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** MRN: 2-digit year, GB, 13 alphanumerics, a check digit (a digit, as the CDS format requires). */
function mrnFor(rng: Rng, date: string): string {
  const body = `${date.slice(2, 4)}GB${rng.chars(13, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}`;
  return `${body}${hash32(body) % 10}`;
}

/** Special procedures only where the drawn injector says it works on any procedure (or none is drawn). */
function chosenRuleWantsPlain(wants: Injector['wants']): boolean {
  return wants !== undefined && wants !== EMPTY_WANTS && !wants.anyProcedure;
}
const EMPTY_WANTS: NonNullable<Injector['wants']> = {};

/** The clean declaration number `index` of the dataset. */
export function cleanDraft(world: World, ref: ReferenceFacts, opts: GenerateOptions, index: number, rng: Rng, wants: Injector['wants'] = EMPTY_WANTS): Draft {
  // MODELLED-measure suppliers (src/modelled.ts) trade in clean declarations and in the injections
  // that ask for them (C14/C15) only: other rules' errors are injected on the catalogue codes.
  const clean = wants === EMPTY_WANTS;
  const ok = (s: Supplier) => (wants.supplier?.(s) ?? true) && (s.modelled ? clean || wants.modelled === s.modelled : !wants.modelled);
  const importers = world.importers.filter((i) => i.suppliers.some(ok));
  const importer = rng.weighted((importers.length ? importers : world.importers).map((i) => [i, i.weight] as const));
  const suppliers = importer.suppliers.filter(ok);
  const supplier = rng.pick(suppliers.length ? suppliers : importer.suppliers);
  const broker = rng.pick(importer.brokers);
  // One entry in eight is lodged by the importer itself (DE 3/18 = DE 3/16, AI 00500, no agent).
  const selfRepresented = !wants.broker && rng.chance(0.125);
  const from = Date.parse(`${opts.fromDate ?? '2021-01-04'}T00:00:00Z`);
  const to = Date.parse(`${opts.toDate ?? '2023-08-31'}T00:00:00Z`);
  // Chronological across the dataset, with a few days' jitter, on weekdays.
  const n = Math.max(1, opts.totalDeclarations ?? (opts.startIndex ?? 0) + opts.declarations);
  let t = from + Math.floor(((index % n) / n) * (to - from)) + rng.int(0, 3) * DAY;
  if (t > to) t = to;
  while ([0, 6].includes(new Date(t).getUTCDay())) t -= DAY;
  const date = isoDate(t);
  const mrn = mrnFor(rng, date);
  const incoterm = rng.pick(supplier.incoterms);
  const declaredCv = rng.chance(opts.customsValueShare ?? 0.5) || wants.customsValue === true;
  const fx = ref.fx(supplier.currency, date);
  if (!fx) throw new Error(`no HMRC rate for ${supplier.currency} on ${date}`);
  const partner = PARTNERS[supplier.country];
  const invoiceRef = `INV-${supplier.id}-${rng.chars(6)}`;

  const nItems = rng.weighted([
    [1, 30],
    [rng.int(2, 5), 45],
    [rng.int(6, 12), 20],
    [rng.int(13, 40), 5],
  ] as const);
  // One commercial invoice per entry: cited on every item, or once at header level (a quarter of
  // multi-item entries). EU claims name the group "EU" in DE 5/16 one time in ten (HMRC accepts it).
  const headerInvoice = nItems > 1 && rng.chance(0.25);
  const euGroup = partner?.scheme === 'eu' && rng.chance(0.1);
  // A few non-preference entries use a special procedure, properly authorised and evidenced:
  // inward processing (5100, IPO + C601), customs warehousing (7100, CWP + C517) or returned goods
  // relief (6110 F01, export MRN cited). Only clean entries and procedure-neutral injections get them.
  const special =
    !partner && !supplier.modelled && !chosenRuleWantsPlain(wants) && rng.chance(0.08)
      ? rng.weighted([
          ['5100', 4],
          ['7100', 3],
          ['6110', 2],
        ] as const)
      : undefined;
  const authHeaderOnly = rng.chance(0.5);
  const exportMrn = special === '6110' ? `${String(Number(date.slice(2, 4)) - 1).padStart(2, '0')}GB${rng.chars(13, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}${rng.int(0, 9)}` : '';
  const items: GoodsItem[] = [];
  const facts: ItemFacts[] = [];
  let invoiceCents = 0n;
  let grossTotalG = 0n;
  // Pass 1: the invoice lines.
  const lines: { product: (typeof supplier.products)[number]; priceCents: bigint; netG: bigint; grossG: bigint }[] = [];
  for (let k = 0; k < nItems; k++) {
    const product = rng.pick(supplier.products);
    const qty = BigInt(
      rng.weighted([
        [rng.int(1, 20), 3],
        [rng.int(20, 500), 5],
        [rng.int(500, 2000), 2],
      ] as const),
    );
    // Unit prices are drawn in GBP-equivalent and quoted in the supplier's currency at the month's rate.
    const unitCents = (BigInt(rng.int(product.unitPrice[0] * 100, product.unitPrice[1] * 100)) * toScaled(fx.rate, 6)) / 1_000_000n + 1n;
    const priceCents = qty * unitCents;
    invoiceCents += priceCents;
    const netG = qty * BigInt(rng.int(product.unitMassGrams[0], product.unitMassGrams[1]));
    const grossG = netG + (netG * BigInt(rng.int(2, 20))) / 100n + 1n;
    grossTotalG += grossG;
    lines.push({ product, priceCents, netG, grossG });
  }
  // Pass 2: DE 4/9. E/F terms add the freight to the UK border (AP), D terms deduct the UK leg (BA),
  // per item, or — for a third of multi-item E/F entries — one freight invoice at header level,
  // which CDS apportions to the items by value (the last item takes the remainder).
  const preBorder = ['FOB', 'FCA', 'EXW', 'FAS'].includes(incoterm);
  const delivered = ['DAP', 'DPU', 'DDP'].includes(incoterm);
  const headerFreight = preBorder && nItems > 1 && rng.chance(0.35) ? (invoiceCents * BigInt(rng.int(3, 12))) / 100n + 100n : 0n;
  const headerAdjustments: Adjustment[] = headerFreight ? [{ code: 'AP', amount: { value: fromScaled(headerFreight, 2), currency: supplier.currency } }] : [];
  let apportioned = 0n;
  lines.forEach(({ product, priceCents, netG, grossG }, k) => {
    const adjustments: Adjustment[] = [];
    let addCents = 0n;
    if (headerFreight) {
      addCents = k === nItems - 1 ? headerFreight - apportioned : (headerFreight * priceCents) / invoiceCents;
      apportioned += addCents;
    } else if (preBorder) {
      addCents = (priceCents * BigInt(rng.int(3, 12))) / 100n + 100n;
      adjustments.push({ code: 'AP', amount: { value: fromScaled(addCents, 2), currency: supplier.currency } });
    } else if (delivered) {
      const dedCents = (priceCents * BigInt(rng.int(2, 6))) / 100n + 100n;
      addCents = -dedCents;
      adjustments.push({ code: 'BA', amount: { value: fromScaled(dedCents, 2), currency: supplier.currency } });
    }
    const cvPence = convertToPence(priceCents + addCents, supplier.currency, fx.rate);
    const claims = !!partner;
    const modelled = product.modelled;
    // MODELLED suspension (src/modelled.ts): claimed with DE 4/17 110 and charged at its rate.
    const suspensionRate = modelled ? modelledSuspensionRate(product.code) : undefined;
    const f: ItemFacts = {
      cvPence,
      priceCents,
      adjustCents: addCents,
      currency: supplier.currency,
      fxRate: fx.rate,
      mfnExpression: product.mfnExpression,
      mfnRate: product.mfnRate,
      appliedRate: claims ? 0n : (suspensionRate ?? product.mfnRate),
      dutyPence: 0n,
      vatPence: 0n,
      netGrams: netG,
      // MODELLED anti-dumping duty (measure 552, A30), declared on a clean entry.
      remedy: modelled?.tradeRemedies.length ? { taxType: modelled.tradeRemedies[0]!.taxType, pencePerTonne: pencePerTonne(modelled.tradeRemedies[0]!.expression), declared: true } : undefined,
      remedyPence: 0n,
      partnerOrigin: claims,
      preferenceScheme: supplier.scheme,
    };
    const documents: Document[] = headerInvoice ? [] : [{ code: 'N935', reference: invoiceRef, status: 'AC', reason: '' }];
    // The authorisation is cited in DE 2/3 on the item, or (half the entries) only as DE 3/39 holder.
    if (special === '5100' && !authHeaderOnly) documents.push({ code: 'C601', reference: `GBIPO${importer.eori.slice(2)}`, status: 'AC', reason: '' });
    if (special === '7100' && !authHeaderOnly) documents.push({ code: 'C517', reference: `GBCWP${importer.eori.slice(2)}`, status: 'AC', reason: '' });
    if (claims) {
      const proof = rng.pick(supplier.proofCodes);
      documents.push(
        proof === 'U112'
          ? { code: 'U112', reference: '', status: 'JE', reason: "Importer's knowledge" }
          : { code: proof, reference: `${proof === 'U110' ? 'SOO' : 'OD'}-${rng.chars(7)}`, status: 'AE', reason: '' },
      );
    }
    const item = GoodsItem.fromPartial({
      itemNumber: k + 1,
      commodityCode: product.code,
      description: product.description,
      procedureCode: special ?? '4000',
      additionalProcedureCodes: [special === '6110' ? 'F01' : '000'],
      previousDocuments: special === '6110' ? [{ category: 'Z', type: 'MRN', reference: exportMrn, line: String(k + 1) }] : [],
      originCountry: supplier.country,
      preferentialOrigin: claims ? (euGroup ? 'EU' : supplier.country) : '',
      dispatchCountry: supplier.dispatch,
      preference: claims ? partner!.preferenceCode : suspensionRate !== undefined ? SUSPENSION_PREFERENCE : '100',
      valuationMethod: '1',
      valuationIndicators: '0000',
      itemPrice: { value: fromScaled(priceCents, 2), currency: supplier.currency },
      customsValuePence: declaredCv ? Number(cvPence) : 0,
      customsValuePresent: declaredCv,
      statisticalValuePence: Number(cvPence),
      netMassKg: fromScaled(netG, 3),
      grossMassKg: fromScaled(grossG, 3),
      documents,
      adjustments,
      parties: [],
    });
    if (special === '6110') f.appliedRate = 0n; // relieved duty; import VAT still due
    priceItem(item, f);
    if (special === '5100' || special === '7100') {
      // Duty and import VAT suspended under the procedure: no amounts charged.
      item.taxLines = [];
      item.vatValuePresent = false;
      item.vatValuePence = 0;
      f.appliedRate = 0n;
      f.dutyPence = 0n;
      f.vatPence = 0n;
    }
    items.push(item);
    facts.push(f);
  });

  const declarationId = `${opts.tenantId ?? 'datagen'}-${opts.seed}-${index}`;
  const declaration = Declaration.fromPartial({
    tenantId: opts.tenantId ?? 'datagen',
    declarationId,
    version: 1,
    lrn: `${selfRepresented ? 'OWN' : broker.lrnPrefix}-${date.replace(/-/g, '')}-${rng.chars(5)}`,
    mrn,
    functionCode: '9',
    typeCode: 'IMA',
    acceptanceDate: date,
    acceptanceDateSource: 'declared',
    parties: [
      { role: 'importer', id: importer.eori, name: importer.name, countryCode: 'GB' },
      ...(selfRepresented
        ? [{ role: 'declarant', id: importer.eori, name: importer.name, countryCode: 'GB' }]
        : [
            { role: 'declarant', id: broker.eori, name: broker.name, countryCode: 'GB' },
            { role: 'representative', id: broker.eori, name: broker.name, countryCode: 'GB' },
          ]),
      { role: 'exporter', id: '', name: supplier.name, countryCode: supplier.country },
      { role: 'seller', id: '', name: supplier.name, countryCode: supplier.country },
    ],
    invoiceAmount: { value: fromScaled(invoiceCents, 2), currency: supplier.currency },
    exchangeRate: '',
    incoterm,
    deliveryLocation: ['FOB', 'FCA', 'EXW', 'FAS'].includes(incoterm) ? supplier.port : 'GBFXT',
    adjustments: headerAdjustments,
    authorisations: [
      { type: 'DPO', holderId: importer.eori },
      ...(special === '5100' ? [{ type: 'IPO', holderId: importer.eori }] : special === '7100' ? [{ type: 'CWP', holderId: importer.eori }] : []),
    ],
    additionalInformation: selfRepresented ? [{ code: '00500', text: 'IMPORTER' }] : [],
    previousDocuments: [{ category: 'Z', type: 'DCR', reference: `${date.slice(3, 4)}${importer.eori}-${rng.chars(6)}`, line: '' }],
    documents: [{ code: 'C506', reference: `GBDPO${importer.dan}`, status: 'AC', reason: '' }, ...(headerInvoice ? [{ code: 'N935', reference: invoiceRef, status: 'AC', reason: '' }] : [])],
    fiscalReferences: [{ role: 'FR1', vatId: importer.vatNumber }],
    defermentAccounts: [importer.dan],
    representativeStatus: selfRepresented ? '' : '2',
    totalPackages: String(rng.int(1, 40) * nItems),
    totalGrossMassKg: fromScaled(grossTotalG, 3),
    transportMode: rng.pick(['1', '1', '1', '4', '3']),
    customsValuePence: 0,
    customsValuePresent: false,
    items,
    sourceFormat: SourceFormat.SOURCE_FORMAT_API,
    sourceName: `datagen seed ${opts.seed}`,
    destinationCountry: 'GB',
    goodsLocation: 'GBAUFXTFXTFXT',
    importerEori: importer.eori,
  });
  if (declaredCv) {
    declaration.customsValuePresent = true;
    declaration.customsValuePence = facts.reduce((s, f) => s + Number(f.cvPence), 0);
  }
  return { declaration, facts, importer, supplier, broker };
}

/** Per-rule injection rates: explicit ones, the rest sharing the default (total ≤ 80%). */
export function injectionRates(injectors: readonly Injector[], opts: Pick<GenerateOptions, 'rates' | 'defaultRate'>): Map<string, number> {
  const explicit = opts.rates ?? {};
  const rest = injectors.filter((i) => explicit[i.ruleId] === undefined);
  const explicitTotal = Object.entries(explicit)
    .filter(([id]) => injectors.some((i) => i.ruleId === id))
    .reduce((s, [, r]) => s + r, 0);
  const room = Math.max(0, 0.8 - explicitTotal);
  const def = Math.min(opts.defaultRate ?? 0.02, rest.length ? room / rest.length : 0);
  const out = new Map<string, number>();
  for (const i of injectors) out.set(i.ruleId, explicit[i.ruleId] ?? def);
  const total = [...out.values()].reduce((s, r) => s + r, 0);
  if (total > 1) throw new Error(`injection rates add up to ${total.toFixed(3)} (> 1): each declaration carries at most one injected error`);
  return out;
}

/**
 * Streams the dataset: one declaration at a time, each either clean (every rule silent) or with
 * exactly one injected error (its rule's expected findings in `truth`). An injector that cannot
 * apply to the drawn declaration (e.g. C16 on an entry without preference) leaves it clean.
 */
export function* generateDataset(opts: GenerateOptions): Generator<GeneratedDeclaration> {
  const ref = opts.facts ?? loadFacts();
  const world = buildWorld(ref, { seed: opts.seed, importers: opts.importers });
  const injectors = INJECTORS.filter((i) => !opts.rules || opts.rules.includes(i.ruleId));
  const rates = injectionRates(injectors, opts);
  const start = opts.startIndex ?? 0;
  for (let index = start; index < start + opts.declarations; index++) {
    const rng = new Rng((hash32(`decl:${opts.seed}`) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
    // One uniform draw picks at most one rule, each with its own share of declarations; the clean
    // declaration is then built so that the rule's error can occur on it (e.g. a preference claim).
    let r = rng.float();
    let chosen: Injector | undefined;
    for (const inj of injectors) {
      const rate = rates.get(inj.ruleId) ?? 0;
      if (r < rate) {
        chosen = inj;
        break;
      }
      r -= rate;
    }
    const draft = cleanDraft(world, ref, opts, index, rng, chosen ? (chosen.wants ?? {}) : undefined);
    const truth: TruthEntry[] = [];
    const injected: string[] = [];
    if (chosen) {
      const hits = chosen.inject(draft, { rng: rng.fork(chosen.ruleId), world, ref });
      if (hits) {
        injected.push(chosen.ruleId);
        for (const h of hits)
          truth.push({
            declarationId: draft.declaration.declarationId,
            mrn: draft.declaration.mrn,
            exposureDutyPence: 0,
            exposureVatPence: 0,
            reclaimDutyPence: 0,
            reclaimVatPence: 0,
            ...h,
            ruleId: h.ruleId ?? chosen.ruleId,
          });
      }
    }
    yield { index, declaration: draft.declaration, truth, injected };
  }
}

/** The world a seed generates (parties, suppliers, catalogue), e.g. for reports. */
export function worldFor(seed: number, importers?: number, facts?: ReferenceFacts): World {
  return buildWorld(facts ?? loadFacts(), { seed, importers });
}
