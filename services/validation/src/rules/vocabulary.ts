// Shared normalisation for the vocabularies rules match against: placeholder references and vague
// goods descriptions. Real declarations carry variants (case, punctuation, plural forms, "and
// accessories", "various …", "TBC"/"TBA"/"UNKNOWN"/"N/A"), so rules never compare raw text with a
// list entry: they go through these helpers (tests: vocabulary.unit.test.ts).
//
// Sources of the lists:
// - HMRC, "CDS Declaration Completion Instructions for Imports", DE 6/8 (description of goods):
//   the description must be precise enough to identify the goods; generic terms such as "parts",
//   "accessories", "samples", "goods", "see invoice" are not acceptable.
// - HMRC, "Goods descriptions" guidance for import declarations (gov.uk) and the CDS rejection
//   feedback brokers receive for vague DE 6/8 entries ("various", "general merchandise", "FAK").
// - Placeholders brokers key when a reference is not yet known ("TBC", "TBA", "to follow",
//   "N/A", "UNKNOWN", "XXX", all zeros): CDS accepts any non-empty text in DE 2/3 / DE 2/1 /
//   DE 3/40 references, so such a value reaches HMRC and stands in for a missing document.

/** Words that name no goods by themselves (singular forms; plurals are folded before lookup). */
export const GENERIC_GOODS_WORDS: ReadonlySet<string> = new Set([
  'part',
  'spare',
  'accessory',
  'accessorie',
  'good',
  'cargo',
  'fak',
  'sample',
  'merchandise',
  'product',
  'item',
  'material',
  'equipment',
  'consumable',
  'gift',
  'stock',
  'effect',
  'article',
  'component',
  'commodity',
  'commoditie',
  'supply',
  'supplie',
  'stuff',
  'thing',
  'machine',
  'auto',
  'general',
  'personal',
  'household',
  'invoice',
  'see',
  'per',
  'freight',
  'kind',
  'shipment',
  'consignment',
  'order',
  'package',
  'parcel',
]);

/** Filler words that add nothing to what the goods are. */
const FILLER_WORDS: ReadonlySet<string> = new Set([
  'and',
  'or',
  'of',
  'for',
  'the',
  'a',
  'an',
  'with',
  'as',
  'all',
  'other',
  'others',
  'various',
  'varied',
  'assorted',
  'misc',
  'miscellaneous',
  'mixed',
  'sundry',
  'sundries',
  'etc',
  'new',
  'used',
  'related',
  'different',
  'multiple',
  'several',
  'some',
  'x',
  'pcs',
  'pc',
  'pieces',
  'piece',
  'ctns',
  'cartons',
  'pkgs',
  'packages',
  'to',
  'in',
  'on',
  'na',
  'tbc',
  'tba',
  'unknown',
  'n',
]);

/** Folds an English plural to its singular for the lookup ("accessories" → "accessorie", "parts" → "part"). */
function singular(word: string): string {
  if (word.length > 3 && word.endsWith('ies')) return `${word.slice(0, -3)}ie`;
  if (word.length > 3 && word.endsWith('es') && /(ch|sh|x|ss)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 2 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** The description's words, lower case, without digits or punctuation, plurals folded. */
export function descriptionWords(description: string, drop: (word: string) => boolean = () => false): string[] {
  return description
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z]+/g, ' ')
    .split(' ')
    .filter((w) => w && !drop(w))
    .map(singular);
}

/**
 * True when a goods description names no goods: after dropping quantities, punctuation and filler
 * words ("various", "and", "assorted", …) every remaining word is generic ("parts", "accessories",
 * "goods", "see invoice", …), or nothing remains ("various", "N/A"). Empty text is not vague
 * (CDS reports may omit DE 6/8): the caller decides what absence means.
 */
export function isVagueDescription(description: string): boolean {
  if (!description.trim()) return false;
  // Fillers are dropped before and after folding plurals ("various" is not the plural of "variou").
  const words = descriptionWords(description, (w) => FILLER_WORDS.has(w)).filter((w) => !FILLER_WORDS.has(w));
  return words.every((w) => GENERIC_GOODS_WORDS.has(w));
}

/** Placeholder references, compared after upper-casing and removing spaces and punctuation. */
export const PLACEHOLDER_REFERENCES: ReadonlySet<string> = new Set([
  '',
  'NULL',
  'NIL',
  'NA',
  'NONE',
  'NOTAPPLICABLE',
  'NOTAVAILABLE',
  'TBC',
  'TBA',
  'TBD',
  'TOBECONFIRMED',
  'TOBEADVISED',
  'TOFOLLOW',
  'FOLLOW',
  'PENDING',
  'UNKNOWN',
  'UNK',
  'NK',
  'NOTKNOWN',
  'SEEINVOICE',
  'ASPERINVOICE',
  'INVOICE',
  'REF',
  'REFERENCE',
  'TEST',
  'DUMMY',
  'MISSING',
  'NOREF',
  'NOREFERENCE',
]);

/**
 * True when a document or previous-document reference stands in for a missing one: blank, a
 * placeholder word in any case/spacing/punctuation ("n/a", "T.B.C.", "to follow"), only zeros,
 * only X's or only punctuation.
 */
export function isPlaceholderReference(reference: string): boolean {
  const folded = reference.toUpperCase().replace(/[^A-Z0-9]+/g, '');
  if (PLACEHOLDER_REFERENCES.has(folded)) return true;
  return /^0+$/.test(folded) || /^X+$/.test(folded) || /^9+$/.test(folded);
}

/**
 * True when a reference was keyed as a placeholder word ("N/A", "TBC", …), as opposed to left
 * blank. Documents whose reference may legitimately be blank (a worksheet or authorisation cited
 * by its code and status alone) are refused only for an explicit placeholder.
 */
export function isPlaceholderText(reference: string): boolean {
  return reference.trim() !== '' && isPlaceholderReference(reference);
}
