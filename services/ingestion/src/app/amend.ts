import { Declaration, GoodsItem, type AppliedChange } from '@customs/contracts';
import type { DmsAmendment } from '../parse/dms';

/**
 * Applying a DMS amendment (FunctionCode 13, TypeCode COR) or invalidation (13 INV / 14) to the
 * previous version of a declaration, producing the next full canonical version. Pure.
 *
 * A COR message is a delta: it carries only the changed elements plus Amendment/Pointer records
 * naming where they apply (HMRC annotated samples TT_IM017a, TT_IM002c, TT_Add_Item_Scenario_v1).
 * The merge is by value: every element the delta declares replaces the previous one, matched
 * - header scalars and amounts: present in the delta → replaced;
 * - goods items: by item number (DE 1/6); an item the previous version lacks is added;
 * - lists (documents, AI codes, tax lines, parties, …): by their natural key (document code,
 *   AI code, tax type, party role …) so amending one document does not drop the others.
 * A pointer that ends at a goods item (68A#N) without a TagID while the delta carries no item N
 * deletes that item (TT_IM017a: "AMENDMENT 1 - Deleting Goods Item", ChangeReasonCode 30).
 * The amendment's own FunctionalReferenceID is the message's reference, not the declaration's
 * LRN (HMRC: "this reference is independent of the declaration"), so the LRN is kept; its MRN is
 * taken (this is how an original submitted with only an LRN learns its MRN). AES statements are
 * the reasons for the amendment, kept on applied_changes, not merged as DE 2/2 statements.
 */

export interface ChangeInput {
  kind: 'amendment' | 'invalidation';
  declaration: Declaration;
  amendments: DmsAmendment[];
}

export interface MergeResult {
  declaration: Declaration;
  /** What the merge did, for the batch's issue list (warnings) and the change record. */
  notes: string[];
}

const present = (v: string | undefined): v is string => v !== undefined && v !== '';

function mergeByKey<T>(prev: T[], delta: T[], key: (t: T) => string, merge: (a: T, b: T) => T = (_a, b) => b): T[] {
  if (delta.length === 0) return prev;
  const out = [...prev];
  for (const d of delta) {
    const k = key(d);
    const i = out.findIndex((p) => key(p) === k);
    if (i >= 0) out[i] = merge(out[i]!, d);
    else out.push(d);
  }
  return out;
}

/** Non-empty scalar fields of `delta` overwrite those of `base` (strings, set amounts, flags). */
function overlay<T extends object>(base: T, delta: T, fields: (keyof T)[]): T {
  const out = { ...base };
  for (const f of fields) {
    const v = delta[f] as unknown;
    if (typeof v === 'string' ? present(v) : v !== undefined && v !== null) (out as Record<keyof T, unknown>)[f] = v;
  }
  return out;
}

const ITEM_SCALARS: (keyof GoodsItem)[] = [
  'commodityCode',
  'description',
  'procedureCode',
  'originCountry',
  'preferentialOrigin',
  'dispatchCountry',
  'preference',
  'valuationMethod',
  'valuationIndicators',
  'itemPrice',
  'netMassKg',
  'grossMassKg',
  'supplementaryUnits',
  'quotaOrderNumber',
];

function mergeItem(prev: GoodsItem, d: GoodsItem): GoodsItem {
  const out = overlay(prev, d, ITEM_SCALARS);
  if (d.customsValuePresent) {
    out.customsValuePence = d.customsValuePence;
    out.customsValuePresent = true;
  }
  if (d.vatValuePresent) {
    out.vatValuePence = d.vatValuePence;
    out.vatValuePresent = true;
  }
  if (d.statisticalValuePence) out.statisticalValuePence = d.statisticalValuePence;
  if (d.additionalCodes.length) out.additionalCodes = d.additionalCodes;
  if (d.additionalProcedureCodes.length) out.additionalProcedureCodes = d.additionalProcedureCodes;
  out.documents = mergeByKey(
    prev.documents,
    d.documents,
    (x) => x.code,
    (a, b) => overlay(a, b, ['reference', 'status', 'reason']),
  );
  out.additionalInformation = mergeByKey(
    prev.additionalInformation,
    d.additionalInformation.filter((a) => a.code),
    (x) => x.code,
  );
  out.adjustments = mergeByKey(prev.adjustments, d.adjustments, (x) => x.code);
  out.taxLines = mergeByKey(
    prev.taxLines,
    d.taxLines.filter((t) => t.taxType),
    (x) => x.taxType,
    (a, b) => ({ ...overlay(a, b, ['baseAmount', 'baseUnit', 'rate', 'methodOfPayment']), ...(b.traderDeclared ? { payablePence: b.payablePence, traderDeclared: true } : {}) }),
  );
  out.previousDocuments = mergeByKey(prev.previousDocuments, d.previousDocuments, (x) => `${x.category}/${x.type}/${x.reference}`);
  out.parties = mergeByKey(
    prev.parties,
    d.parties,
    (x) => x.role,
    (a, b) => overlay(a, b, ['id', 'name', 'countryCode']),
  );
  return out;
}

function pointerText(a: DmsAmendment): string {
  return a.pointers.map((p) => `${p.section}${p.sequence ? `#${p.sequence}` : ''}${p.tagId ? `:${p.tagId}` : ''}`).join('/');
}

/** Item numbers a COR deletes: a pointer path ending at 68A#N without a TagID, with no item N in the delta. */
export function deletedItems(change: ChangeInput): number[] {
  const inDelta = new Set(change.declaration.items.map((i) => i.itemNumber));
  const out: number[] = [];
  for (const a of change.amendments) {
    const last = a.pointers[a.pointers.length - 1];
    if (!last || last.section !== '68A' || last.tagId) continue;
    const n = Number(last.sequence);
    if (Number.isInteger(n) && n > 0 && !inDelta.has(n)) out.push(n);
  }
  return out;
}

/** The applied-change records (reason code, pointer path, AES reason) of a change message. */
export function appliedChangesOf(change: ChangeInput): AppliedChange[] {
  const reasons = change.declaration.additionalInformation.filter((a) => !a.code && a.text).map((a) => a.text);
  if (change.amendments.length === 0) return [{ changeReasonCode: '', pointer: '', reason: reasons.join('; ') }];
  return change.amendments.map((a, i) => ({ changeReasonCode: a.changeReasonCode, pointer: pointerText(a), reason: reasons[i] ?? '' }));
}

/** Produces the next full version from the previous one and an amendment or invalidation. */
export function applyChange(previous: Declaration, change: ChangeInput): MergeResult {
  const d = change.declaration;
  const notes: string[] = [];
  const base: Declaration = Declaration.fromPartial({ ...previous, status: previous.status, appliedChanges: [] });
  if (change.kind === 'invalidation') {
    return {
      declaration: { ...base, mrn: d.mrn || previous.mrn, functionCode: d.functionCode || '13', status: 'invalidated', changeKind: 'invalidation', appliedChanges: appliedChangesOf(change) },
      notes,
    };
  }
  const out = overlay(base, d, [
    'exchangeRate',
    'incoterm',
    'deliveryLocation',
    'representativeStatus',
    'totalPackages',
    'totalGrossMassKg',
    'transportMode',
    'destinationCountry',
    'goodsLocation',
    'invoiceAmount',
  ]);
  // A COR's IssueDateTime is when the amendment was issued, not the tax point: only a declared
  // AcceptanceDateTime may move the acceptance date.
  if (d.acceptanceDateSource === 'declared' && present(d.acceptanceDate)) {
    out.acceptanceDate = d.acceptanceDate;
    out.acceptanceDateSource = 'declared';
  }
  if (d.customsValuePresent) {
    out.customsValuePence = d.customsValuePence;
    out.customsValuePresent = true;
  }
  out.parties = mergeByKey(
    previous.parties,
    d.parties,
    (x) => x.role,
    (a, b) => overlay(a, b, ['id', 'name', 'countryCode']),
  );
  out.importerEori = out.parties.find((p) => p.role === 'importer')?.id || previous.importerEori;
  out.documents = mergeByKey(
    previous.documents,
    d.documents,
    (x) => x.code,
    (a, b) => overlay(a, b, ['reference', 'status', 'reason']),
  );
  out.additionalInformation = mergeByKey(
    previous.additionalInformation,
    d.additionalInformation.filter((a) => a.code),
    (x) => x.code,
  );
  out.authorisations = mergeByKey(previous.authorisations, d.authorisations, (x) => x.type);
  out.previousDocuments = mergeByKey(previous.previousDocuments, d.previousDocuments, (x) => `${x.category}/${x.type}/${x.reference}`);
  out.fiscalReferences = mergeByKey(previous.fiscalReferences, d.fiscalReferences, (x) => x.role);
  out.adjustments = mergeByKey(previous.adjustments, d.adjustments, (x) => x.code);
  if (d.defermentAccounts.length) out.defermentAccounts = d.defermentAccounts;

  const deleted = new Set(deletedItems(change));
  let items = previous.items.filter((i) => !deleted.has(i.itemNumber));
  for (const n of deleted) if (!previous.items.some((i) => i.itemNumber === n)) notes.push(`the amendment deletes goods item ${n}, which the previous version does not have`);
  for (const di of d.items) {
    if (di.itemNumber <= 0) {
      notes.push('an amended goods item has no item number (SequenceNumeric) and was not applied');
      continue;
    }
    const i = items.findIndex((p) => p.itemNumber === di.itemNumber);
    if (i >= 0) items[i] = mergeItem(items[i]!, di);
    else items.push(GoodsItem.fromPartial(di));
  }
  items = items.sort((a, b) => a.itemNumber - b.itemNumber);
  out.items = items;
  return {
    declaration: {
      ...out,
      lrn: previous.lrn || d.lrn,
      mrn: d.mrn || previous.mrn,
      functionCode: d.functionCode || '13',
      typeCode: previous.typeCode,
      status: '',
      changeKind: 'amendment',
      appliedChanges: appliedChangesOf(change),
    },
    notes,
  };
}

/** What a re-send lacks that the complete version it would replace has. */
export function missingFromResend(previous: Declaration, next: Declaration): string[] {
  const missing: string[] = [];
  // A report's header file carries the acceptance date (the tax point) and the importer; an item
  // report alone has neither (the store would put the day received in the date's place).
  if (present(previous.acceptanceDate) && previous.acceptanceDateSource !== 'received' && !present(next.acceptanceDate)) missing.push('acceptance date (header report)');
  if (present(previous.importerEori) && !present(next.importerEori) && !next.parties.some((p) => p.role === 'importer' && present(p.id))) missing.push('importer (DE 3/16)');
  const prevTax = previous.items.some((i) => i.taxLines.length > 0);
  if (prevTax && !next.items.some((i) => i.taxLines.length > 0)) missing.push('tax lines (DE 4/3-4/6, tax-line report)');
  return missing;
}

/**
 * A partial re-send (issue 11, defect 11): a report that lacks parts the stored complete version
 * has (an item report sent alone: no header, so no importer or acceptance date, and no tax lines)
 * is merged into that version rather than replacing it — what it carries overlays the previous
 * version (items by item number, their lists by natural key, as for an amendment), what it lacks
 * is kept from the previous version, and items it does not mention stay. Undefined when `next` is
 * complete as far as `previous` goes (then it is a plain resubmission).
 */
export function mergePartialResend(previous: Declaration, next: Declaration): MergeResult | undefined {
  const missing = missingFromResend(previous, next);
  if (missing.length === 0) return undefined;
  const base: Declaration = Declaration.fromPartial({ ...previous, appliedChanges: [] });
  const out = overlay(base, next, ['transportMode', 'destinationCountry', 'goodsLocation', 'invoiceAmount']);
  if (present(next.acceptanceDate) && next.acceptanceDateSource !== 'received') {
    out.acceptanceDate = next.acceptanceDate;
    out.acceptanceDateSource = next.acceptanceDateSource;
  }
  if (next.customsValuePresent) {
    out.customsValuePence = next.customsValuePence;
    out.customsValuePresent = true;
  }
  out.parties = mergeByKey(
    previous.parties,
    next.parties.filter((p) => present(p.id) || present(p.name)),
    (x) => x.role,
    (a, b) => overlay(a, b, ['id', 'name', 'countryCode']),
  );
  out.importerEori = next.importerEori || out.parties.find((p) => p.role === 'importer')?.id || previous.importerEori;
  out.documents = mergeByKey(previous.documents, next.documents, (x) => x.code);
  if (next.defermentAccounts.length) out.defermentAccounts = next.defermentAccounts;
  const items = [...previous.items];
  const notes = [`it lacks the ${missing.join(', ')} of version ${previous.version}, so it was merged into that version: what it carries replaces, what it lacks is kept`];
  for (const ni of next.items) {
    const i = items.findIndex((p) => p.itemNumber === ni.itemNumber);
    if (i >= 0) items[i] = mergeItem(items[i]!, ni);
    else items.push(GoodsItem.fromPartial(ni));
  }
  const unmentioned = previous.items.filter((p) => !next.items.some((n) => n.itemNumber === p.itemNumber)).map((p) => p.itemNumber);
  if (unmentioned.length) notes.push(`goods items ${unmentioned.join(', ')} are not in the re-send and were kept as they were`);
  out.items = items.sort((a, b) => a.itemNumber - b.itemNumber);
  return {
    declaration: { ...out, lrn: previous.lrn || next.lrn, mrn: next.mrn || previous.mrn, sourceName: next.sourceName, contentSha256: next.contentSha256, status: '', appliedChanges: [] },
    notes,
  };
}

/** A user's merge of two declarations that are one (a declaration re-sent under a corrected MRN). */
export type DuplicateMerge =
  | { ok: true; survivor: Declaration; mergedAway: Declaration; note: string }
  | { ok: false; code: 'same_declaration' | 'already_invalidated' | 'different_importers'; reason: string };

/**
 * Decides a merge of `duplicate` into `survivor` (issue 11, defect 11): the survivor's next
 * version holds the content of whichever of the two was received later (the correction), under
 * the survivor's id; the duplicate's last version is invalidated with no items, so downstream
 * checks drop its findings and its money is not counted twice; both say why. Refused when they
 * are the same declaration, either is invalidated already, or they name different importers.
 */
export function mergeDuplicate(survivor: Declaration, duplicate: Declaration, reason: string, who: string): DuplicateMerge {
  if (survivor.declarationId === duplicate.declarationId) return { ok: false, code: 'same_declaration', reason: 'a declaration cannot be merged with itself' };
  for (const d of [survivor, duplicate])
    if (d.status === 'invalidated')
      return { ok: false, code: 'already_invalidated', reason: `declaration ${d.declarationId} is invalidated${d.changeKind === 'merged' ? ' (merged into another)' : ''}: nothing to merge` };
  if (present(survivor.importerEori) && present(duplicate.importerEori) && survivor.importerEori !== duplicate.importerEori)
    return { ok: false, code: 'different_importers', reason: `they name different importers (${survivor.importerEori} and ${duplicate.importerEori}): not the same declaration` };
  const later = duplicate.receivedAt > survivor.receivedAt ? duplicate : survivor;
  const earlier = later === duplicate ? survivor : duplicate;
  const why = `${who}: ${reason}`;
  const note = `merged ${duplicate.declarationId} (v${duplicate.version}, MRN ${duplicate.mrn || '(none)'}) into ${survivor.declarationId} (v${survivor.version}, MRN ${survivor.mrn || '(none)'}); the content of the later-received ${later.declarationId} v${later.version} is kept`;
  return {
    ok: true,
    note,
    survivor: {
      ...later,
      declarationId: survivor.declarationId,
      lrn: later.lrn || earlier.lrn,
      mrn: later.mrn || earlier.mrn,
      importerEori: later.importerEori || earlier.importerEori,
      status: '',
      changeKind: 'merge',
      appliedChanges: [{ changeReasonCode: '', pointer: '', reason: `${note} — ${why}` }],
    },
    mergedAway: {
      ...duplicate,
      items: [],
      status: 'invalidated',
      changeKind: 'merged',
      appliedChanges: [{ changeReasonCode: '', pointer: '', reason: `merged into ${survivor.declarationId} — ${why}` }],
    },
  };
}

/**
 * Whether `next`, under a new MRN, is `previous` re-sent with its MRN corrected (issue 11,
 * defect 11): the same LRN, importer, acceptance date and goods (item numbers, commodity codes,
 * prices, net masses), and MRNs of one length differing in at most two places (a mistyped or
 * swapped character). Anything less is a different declaration (two shipments of one order share
 * an LRN and goods, not their masses and dates), which a user can still merge.
 */
export function isMrnCorrection(previous: Declaration, next: Declaration): boolean {
  const a = previous.mrn.toUpperCase();
  const b = next.mrn.toUpperCase();
  if (!a || !b || a === b || a.length !== b.length) return false;
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  if (differing > 2) return false;
  if (!present(previous.lrn) || previous.lrn !== next.lrn) return false;
  if (!present(previous.importerEori) || previous.importerEori !== next.importerEori) return false;
  if (!present(previous.acceptanceDate) || previous.acceptanceDate !== next.acceptanceDate) return false;
  if (previous.items.length === 0 || previous.items.length !== next.items.length) return false;
  const goods = (d: Declaration) =>
    d.items
      .map((i) => `${i.itemNumber}|${i.commodityCode}|${i.itemPrice?.value ?? ''}|${i.itemPrice?.currency ?? ''}|${i.netMassKg}`)
      .sort()
      .join('\n');
  return goods(previous) === goods(next);
}
