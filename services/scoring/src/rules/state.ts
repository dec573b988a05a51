import { scaled } from './money';
import type { CodeGroup, DeclFact, HistoryInput, HistoryState, KnowledgeGroup, LineFact, LineRef, PricedRef, ReturnGroup, UnitValueGroup } from './types';

// How a declaration version enters (fold) and leaves (unfold, when amended or invalidated) the
// per-importer history aggregates. Pure: maps in, maps changed in place, no I/O.

/** Most recent observations kept per (importer, CN8, origin, basis) for the unit-value statistics. */
export const UNIT_VALUE_WINDOW = 100;
/**
 * References kept per code/origin of a group: all of them while the code is a minority (≤ 2
 * lines, the ones C10/C11/C23 flag), the latest 2 once established. No check reads an established
 * code's references, and every batch rewrites the groups it touches, so more would only be
 * written and read again (docs/adr/0014-scoring-history-hot-path.md). Should amendments take an
 * established code back to 2 lines, those flagged are the 2 kept.
 */
export const REF_CAP = 2;

/** U112 lines kept per supplier for C20 (the latest; older ones were judged while they were among them). */
export const KNOWLEDGE_REFS = 20;

/** DE 4/17 2xx/3xx: a preference claim. */
export const claimsPreference = (p: string) => /^[23]\d\d$/.test(p);

/**
 * The A00 rate a line says about its code's own (third-country) rate: only an ordinary line says
 * it — released for free circulation (CPC 40xx/42xx) with no preference, suspension or relief
 * (DE 4/17 100). A claim, a suspension or a relief (0 % under RGR) says nothing of the code's rate.
 */
export const thirdCountryRate = (l: LineFact) => ((l.preference === '100' || l.preference === '') && (l.cpc === '' || /^4[02]/.test(l.cpc)) ? l.a00Rate : '');

/** DE 2/3 U112: origin claimed on the importer's knowledge. */
export const onImportersKnowledge = (l: LineFact) => l.docs.includes('U112');

export const supplierGroupKey = (f: DeclFact, l: LineFact) => `${f.importer}|${f.supplier}|${l.desc}`;
export const descGroupKey = (f: DeclFact, l: LineFact) => `${f.importer}|${l.desc}`;
export const invoiceKey = (f: DeclFact, invoice: string) => `${f.importer}|${f.supplier}|${invoice}`;
export const declarantKey = (f: DeclFact) => `${f.importer}|${f.declarant}`;
export const knowledgeKey = (f: DeclFact) => `${f.importer}|${f.supplier}`;
export const returnKey = (f: DeclFact, exportRef: string) => `${f.importer}|${exportRef}`;

// A batch asks a line's basis and a fact's keys several times (load, fold out/in, touched keys):
// computed once per object (facts are never mutated once extracted).
const basisMemo = new WeakMap<LineFact, { basis: 'kg' | 'unit'; qty: string; ln: number } | undefined>();
const keysMemo = new WeakMap<DeclFact, ReturnType<typeof keysOfUncached>>();

/** The unit-value basis of a line: value per supplementary unit where declared, else per kg of net mass. */
export function unitValueBasis(l: LineFact): { basis: 'kg' | 'unit'; qty: string; ln: number } | undefined {
  if (basisMemo.has(l)) return basisMemo.get(l);
  const b = unitValueBasisUncached(l);
  basisMemo.set(l, b);
  return b;
}

function unitValueBasisUncached(l: LineFact): { basis: 'kg' | 'unit'; qty: string; ln: number } | undefined {
  if (l.cv === null || l.cv <= 0) return undefined;
  const supp = l.supp ? scaled(l.supp, 3) : undefined;
  const kg = l.netKg ? scaled(l.netKg, 3) : undefined;
  const use = supp && supp > 0n ? { basis: 'unit' as const, q: supp, qty: l.supp } : kg && kg > 0n ? { basis: 'kg' as const, q: kg, qty: l.netKg } : undefined;
  if (!use) return undefined;
  // The statistic is on logarithms (a ratio scale); a float is right here and never becomes money directly.
  const ln = Math.log(l.cv) - Math.log(Number(use.q) / 1000);
  return { basis: use.basis, qty: use.qty, ln: Math.round(ln * 1e6) / 1e6 };
}
export const unitValueKey = (f: DeclFact, l: LineFact, basis: string) => `${f.importer}|${l.cn8}|${l.origin}|${basis}`;

/** Every key a declaration touches, per state map (so the repository loads them in one query each). */
export function keysOf(f: DeclFact): ReturnType<typeof keysOfUncached> {
  let k = keysMemo.get(f);
  if (!k) keysMemo.set(f, (k = keysOfUncached(f)));
  return k;
}

function keysOfUncached(f: DeclFact): {
  supplierGroups: string[];
  descGroups: string[];
  unitValues: string[];
  invoices: string[];
  declarants: string[];
  importers: string[];
  knowledge: string[];
  returns: string[];
} {
  const sg = new Set<string>();
  const dg = new Set<string>();
  const uv = new Set<string>();
  const rg = new Set<string>();
  let claims = false;
  for (const l of f.lines) {
    if (l.desc && f.supplier) sg.add(supplierGroupKey(f, l));
    if (l.desc) dg.add(descGroupKey(f, l));
    const b = unitValueBasis(l);
    if (b) uv.add(unitValueKey(f, l, b.basis));
    if (claimsPreference(l.preference)) claims = true;
    if (l.exportRef) rg.add(returnKey(f, l.exportRef));
  }
  return {
    knowledge: claims && f.supplier ? [knowledgeKey(f)] : [],
    returns: [...rg],
    supplierGroups: [...sg],
    descGroups: [...dg],
    unitValues: [...uv],
    invoices: f.supplier ? f.invoices.map((i) => invoiceKey(f, i)) : [],
    declarants: [declarantKey(f)],
    importers: [f.importer],
  };
}

function ref(f: DeclFact, l: LineFact): LineRef {
  return {
    d: f.id,
    v: f.version,
    i: l.item,
    mrn: f.mrn,
    lrn: f.lrn,
    date: f.date,
    declarant: f.declarant,
    code: l.code,
    origin: l.origin,
    cv: l.cv,
    duty: l.duty,
    vat: l.vat,
    a00Rate: l.a00Rate,
    vatRate: l.vatRate,
    supplier: f.supplier,
    preference: l.preference,
    cpc: l.cpc,
  };
}

function pricedRef(state: HistoryState, f: DeclFact, l: LineFact): PricedRef {
  return { ...ref(f, l), tcRate: (l.desc && state.descGroups.get(descGroupKey(f, l))?.codes[l.cn8]?.rate) || '' };
}

function emptyGroup(): CodeGroup {
  return { codes: {}, origins: {}, suppliers: {} };
}

function bump(bucket: Record<string, { n: number; rate: string; refs: LineRef[] }>, key: string, r: LineRef, sign: 1 | -1, rate: string): void {
  const b = bucket[key] ?? { n: 0, rate: '', refs: [] };
  if (sign > 0) {
    b.n += 1;
    if (rate) b.rate = rate;
    b.refs = [...b.refs.filter((x) => !(x.d === r.d && x.i === r.i)), r];
    // A code used once or twice keeps every reference (a later majority may flag them); an
    // established one keeps the latest few as evidence.
    if (b.n > 2 && b.refs.length > REF_CAP) b.refs = b.refs.slice(-REF_CAP);
  } else {
    b.n -= 1;
    b.refs = b.refs.filter((x) => !(x.d === r.d && x.i === r.i));
  }
  if (b.n <= 0) delete bucket[key];
  else bucket[key] = b;
}

/** Adds (sign 1) or removes (sign −1) a declaration version's contribution to the history. */
export function fold(state: HistoryState, f: DeclFact, sign: 1 | -1, added?: Map<string, PricedRef[]>): void {
  const sameLine = (x: LineRef, item: number) => x.d === f.id && x.i === item;
  for (const l of f.lines) {
    const r = ref(f, l);
    const tc = thirdCountryRate(l);
    if (claimsPreference(l.preference) && f.supplier) {
      const k = knowledgeKey(f);
      const g: KnowledgeGroup = state.knowledge.get(k) ?? { claims: 0, claimCv: 0, u112: 0, u112Cv: 0, refs: [] };
      const u112 = onImportersKnowledge(l);
      g.claims += sign;
      g.claimCv += sign * (l.cv ?? 0);
      if (u112) {
        g.u112 += sign;
        g.u112Cv += sign * (l.cv ?? 0);
      }
      g.refs = g.refs.filter((x) => !sameLine(x, l.item));
      if (sign > 0 && u112) {
        const kr: PricedRef = { ...pricedRef(state, f, l), ...(l.desc ? { desc: l.desc } : {}) };
        g.refs = [...g.refs, kr].slice(-KNOWLEDGE_REFS);
        if (added) added.set(k, [...(added.get(k) ?? []), kr]);
      }
      state.knowledge.set(k, g);
    }
    if (l.exportRef) {
      const k = returnKey(f, l.exportRef);
      const g: ReturnGroup = state.returns.get(k) ?? { refs: [] };
      g.refs = g.refs.filter((x) => !sameLine(x, l.item));
      if (sign > 0) g.refs.push(pricedRef(state, f, l));
      state.returns.set(k, g);
    }
    if (l.desc && f.supplier) {
      const k = supplierGroupKey(f, l);
      const g = state.supplierGroups.get(k) ?? emptyGroup();
      bump(g.codes, l.cn8, r, sign, tc);
      if (l.origin) bump(g.origins, l.origin, r, sign, tc);
      state.supplierGroups.set(k, g);
    }
    if (l.desc) {
      const k = descGroupKey(f, l);
      const g = state.descGroups.get(k) ?? emptyGroup();
      bump(g.codes, l.cn8, r, sign, tc);
      const s = (g.suppliers[f.supplier] ?? 0) + sign;
      if (s > 0) g.suppliers[f.supplier] = s;
      else delete g.suppliers[f.supplier];
      state.descGroups.set(k, g);
    }
    const b = unitValueBasis(l);
    if (b) {
      const k = unitValueKey(f, l, b.basis);
      const g: UnitValueGroup = state.unitValues.get(k) ?? { v: [], k: [] };
      const id = `${f.id}#${l.item}`;
      const at = g.k.indexOf(id);
      if (at >= 0) {
        g.v.splice(at, 1);
        g.k.splice(at, 1);
      }
      if (sign > 0) {
        g.v.push(b.ln);
        g.k.push(id);
        if (g.v.length > UNIT_VALUE_WINDOW) {
          g.v.splice(0, g.v.length - UNIT_VALUE_WINDOW);
          g.k.splice(0, g.k.length - UNIT_VALUE_WINDOW);
        }
      }
      state.unitValues.set(k, g);
    }
  }
  if (f.supplier) {
    const items = f.lines.length;
    for (const inv of f.invoices) {
      const k = invoiceKey(f, inv);
      const g = state.invoices.get(k) ?? { decls: [] };
      g.decls = g.decls.filter((x) => x.d !== f.id);
      if (sign > 0)
        g.decls.push({
          d: f.id,
          v: f.version,
          mrn: f.mrn,
          lrn: f.lrn,
          date: f.date,
          declarant: f.declarant,
          duty: f.lines.reduce((s, l) => s + l.duty, 0),
          vat: f.lines.reduce((s, l) => s + l.vat, 0),
          vatRegistered: f.vatRegistered,
          items,
        });
      state.invoices.set(k, g);
    }
  }
  const dk = declarantKey(f);
  const seen = state.declarants.get(dk) ?? { n: 0, firstDate: '', firstDecl: '' };
  seen.n = Math.max(0, seen.n + sign);
  if (sign > 0 && (!seen.firstDate || f.date < seen.firstDate)) {
    seen.firstDate = f.date;
    seen.firstDecl = f.id;
  }
  state.declarants.set(dk, seen);
  const imp = state.importers.get(f.importer) ?? { declarations: 0, approved: [] };
  imp.declarations = Math.max(0, imp.declarations + sign);
  state.importers.set(f.importer, imp);
}

/**
 * The knowledge groups (importer|supplier) whose U112 lines may learn their third-country rate from
 * this batch: an ordinary line states a rate for its description and CN8 that history did not have,
 * and other suppliers' claims of the same goods (the description group's suppliers) are priced by
 * it. Called on the loaded state before the batch is folded; the caller loads these groups too.
 */
export function knowledgeKeysRepricedBy(state: HistoryState, batch: readonly { fact: DeclFact }[]): string[] {
  const out = new Set<string>();
  for (const { fact: f } of batch) {
    if (f.status === 'invalidated') continue;
    for (const l of f.lines) {
      const tc = thirdCountryRate(l);
      if (!tc || !l.desc) continue;
      const g = state.descGroups.get(descGroupKey(f, l));
      if (!g || g.codes[l.cn8]?.rate === tc) continue;
      for (const s of Object.keys(g.suppliers)) if (s) out.add(`${f.importer}|${s}`);
    }
  }
  return [...out];
}

/**
 * Prices C20's kept U112 lines by the third-country rate history knows now for their description
 * and CN8 (the claim may have arrived before the ordinary line that states it: declarations of
 * several partitions come in no fixed order). Returns the groups whose lines changed (to be
 * judged again). Only description groups loaded are looked at.
 */
export function repriceKnowledge(state: HistoryState, batchLines?: ReadonlyMap<string, readonly PricedRef[]>): Set<string> {
  const changed = new Set<string>();
  for (const [key, g] of state.knowledge) {
    const importer = key.slice(0, key.indexOf('|'));
    for (const r of new Set([...g.refs, ...(batchLines?.get(key) ?? [])])) {
      if (!r.desc) continue;
      const rate = state.descGroups.get(`${importer}|${r.desc}`)?.codes[r.code.slice(0, 8)]?.rate;
      if (rate && rate !== r.tcRate) {
        r.tcRate = rate;
        changed.add(key);
      }
    }
  }
  return changed;
}

export function emptyState(): HistoryState {
  return { supplierGroups: new Map(), descGroups: new Map(), unitValues: new Map(), invoices: new Map(), declarants: new Map(), importers: new Map(), knowledge: new Map(), returns: new Map() };
}

/**
 * Folds a batch into the loaded history and says what the checks must look at: previous versions
 * leave the history, the new versions (unless invalidated) enter it, and each line's unit value is
 * noted to be judged against its group without itself.
 */
export function applyBatch(state: HistoryState, batch: readonly { fact: DeclFact; previous?: DeclFact }[]): HistoryInput {
  const importersBefore = new Map<string, number>();
  for (const [k, v] of state.importers) importersBefore.set(k, v.declarations);
  const touched: HistoryInput['touched'] = {
    supplierGroups: new Set<string>(),
    descGroups: new Set<string>(),
    invoices: new Set<string>(),
    declarantsNew: new Set<string>(),
    knowledge: new Set<string>(),
    returns: new Set<string>(),
  };
  const inForce: DeclFact[] = [];
  const knowledgeLines = new Map<string, PricedRef[]>();
  const unitValueLines: HistoryInput['unitValueLines'] = [];
  for (const { fact, previous } of batch) {
    if (previous) fold(state, previous, -1);
    if (fact.status === 'invalidated') continue;
    const dk = declarantKey(fact);
    if ((state.declarants.get(dk)?.n ?? 0) === 0) touched.declarantsNew.add(dk);
    // Unit values are judged against the history before this line joins it.
    for (const l of fact.lines) {
      const b = unitValueBasis(l);
      if (b) unitValueLines.push({ key: unitValueKey(fact, l, b.basis), decl: fact, line: l, ln: b.ln, basis: b.basis, qty: b.qty });
    }
    fold(state, fact, 1, knowledgeLines);
    inForce.push(fact);
    const keys = keysOf(fact);
    keys.supplierGroups.forEach((k) => touched.supplierGroups.add(k));
    keys.descGroups.forEach((k) => touched.descGroups.add(k));
    keys.invoices.forEach((k) => touched.invoices.add(k));
    keys.knowledge.forEach((k) => touched.knowledge.add(k));
    keys.returns.forEach((k) => touched.returns.add(k));
  }
  for (const k of repriceKnowledge(state, knowledgeLines)) touched.knowledge.add(k);
  return { state, batch: inForce, touched, unitValueLines, importersBefore, knowledgeLines };
}
