import type { Evidence, Severity } from '@customs/contracts';

/** Rule families, as validation's (docs/rules.md): readiness dimensions are built from them. */
export type HistoryFamily = 'data-integrity' | 'classification' | 'origin-preference' | 'valuation' | 'procedures-reliefs' | 'duplicates-vat';

/**
 * Metadata every history check declares: validation's RuleMeta fields (docs/rules.md) plus the
 * history it needs and how far its verdict can be trusted; docs/history-rules.md is generated from it.
 */
export interface HistoryRuleMeta {
  id: string;
  /** Semantic version; findings record it. */
  version: string;
  title: string;
  family: HistoryFamily;
  dataElements: string[];
  legalBasis: string;
  severityLogic: string;
  pricing: string;
  correctionRoute: string;
  businessRule: string;
  /** The history the check needs before it speaks, stated (e.g. "8 earlier lines of the commodity and origin"). */
  minimumHistory: string;
  /** 0–1: how often a hit is a real error when the data is right (a statistical outlier is less certain than a duplicate MRN); the risk model weighs money by it. */
  confidence: number;
}

/** One goods item as history sees it: what a later check or a finding on this line needs. */
export interface LineFact {
  /** DE 1/6. */
  item: number;
  /** DE 6/14 10-digit code as declared, and its CN8. */
  code: string;
  cn8: string;
  /** Normalised DE 6/8 (upper case, single spaces, no punctuation). */
  desc: string;
  origin: string;
  /** DE 4/17. */
  preference: string;
  /** DE 1/10. */
  cpc: string;
  /** Customs value in pence: reported, or the statistical value; null when neither is present. */
  cv: number | null;
  /** Duty (A-type tax lines) and VAT (B00) payable in pence. */
  duty: number;
  vat: number;
  /** Duty suspended/relieved where reported (pence). */
  suspended: number;
  /** Declared A00 and B00 rates (exact decimal percent, '' when not declared). */
  a00Rate: string;
  vatRate: string;
  /** DE 6/1 net mass kg and DE 6/2 supplementary units, exact decimals ('' = not declared). */
  netKg: string;
  supp: string;
  /** DE 2/3 document codes cited on the item. */
  docs: string[];
  /** Returned goods (CPC 61xx): the export they come back from, "MRN#item" (DE 2/1 previous document); absent otherwise. */
  exportRef?: string;
}

/** One declaration version as history sees it (extracted from the full declaration, pure). */
export interface DeclFact {
  tenant: string;
  id: string;
  version: number;
  mrn: string;
  lrn: string;
  /** "YYYY-MM-DD". */
  date: string;
  importer: string;
  /** Declarant (DE 3/18) or representative (DE 3/20); the importer itself when self-represented. */
  declarant: string;
  /** Normalised seller/exporter/consignor name or id. */
  supplier: string;
  /** N935 invoice references cited (header and items), normalised. */
  invoices: string[];
  /** The importer accounts for import VAT on its VAT return (FR1 VAT number or postponed VAT). */
  vatRegistered: boolean;
  /** Lifecycle: '' in force, 'invalidated'. */
  status: string;
  changeKind: string;
  lines: LineFact[];
}

/** A reference to a line stored in history, carrying what a finding on it needs. */
export interface LineRef {
  d: string;
  v: number;
  i: number;
  mrn: string;
  lrn: string;
  date: string;
  declarant: string;
  code: string;
  origin: string;
  cv: number | null;
  duty: number;
  vat: number;
  a00Rate: string;
  vatRate: string;
  /** Normalised supplier of the declaration. */
  supplier: string;
  /** DE 4/17. */
  preference: string;
  /** DE 1/10. */
  cpc: string;
}

/** Per (importer, supplier, description) or (importer, description): lines by CN8 and by origin. */
export interface CodeGroup {
  /** CN8 → count of lines, the latest A00 rate declared under it on a line without preference (a 2xx/3xx claim says nothing of the code's own rate), and references (all while few, else the latest few). */
  codes: Record<string, { n: number; rate: string; refs: LineRef[] }>;
  /** Origin → same (supplier groups only; C23). */
  origins: Record<string, { n: number; rate: string; refs: LineRef[] }>;
  /** Suppliers seen (description groups only; C10 speaks only across suppliers). */
  suppliers: Record<string, number>;
}

/** Per (importer, CN8, origin, basis): the latest ln(value per kg or per unit) observations. */
export interface UnitValueGroup {
  /** ln(pence per unit), rounded to 1e-6, newest last; capped at UNIT_VALUE_WINDOW. */
  v: number[];
  /** "declaration id#item" of each observation (so an amendment can take its old line out). */
  k: string[];
}

/** A line kept for a later verdict, with the third-country A00 rate the importer's history knew for its goods when it arrived. */
export interface PricedRef extends LineRef {
  /** A00 rate declared on the importer's ordinary lines (CPC 40/42, DE 4/17 100) of the same description and CN8; '' when none. */
  tcRate: string;
  /**
   * The line's description (DE 6/8; C20's references only): the third-country rate is looked up
   * again under it when an ordinary line of the same goods arrives later than the claim.
   */
  desc?: string;
}

/** Per (importer, supplier): preference claims, and those resting on importer's knowledge (U112) alone (C20). */
export interface KnowledgeGroup {
  claims: number;
  claimCv: number;
  u112: number;
  u112Cv: number;
  /** The latest U112 lines (capped at KNOWLEDGE_REFS). */
  refs: PricedRef[];
  /**
   * C20's concentration verdict when the group was last judged (absent on groups stored before it
   * was kept): a verdict that turns from true to false withdraws the findings raised under it.
   */
  concentrated?: boolean;
}

/** Per (importer, export MRN#item): the returned-goods lines citing that export (C34). */
export interface ReturnGroup {
  refs: PricedRef[];
}

/** Per (importer, supplier, invoice reference): the declarations citing it. */
export interface InvoiceGroup {
  decls: { d: string; v: number; mrn: string; lrn: string; date: string; declarant: string; duty: number; vat: number; vatRegistered: boolean; items: number }[];
}

/** Per (importer, declarant): when it was first seen. */
export interface DeclarantSeen {
  n: number;
  firstDate: string;
  firstDecl: string;
}

/** Per importer: declarations in history and the approved agents (managed over the API). */
export interface ImporterHistory {
  declarations: number;
  /** Approved declarant/agent EORIs; empty = no list kept (the check then uses "first seen"). */
  approved: string[];
}

/** Kinds of origin evidence an importer keeps on file for a supplier (C20's evidence register). */
export type OriginEvidenceKind = 'supplier_statement' | 'long_term_supplier_declaration' | 'importers_records';

/** One entry of an importer's origin evidence register (managed over the API, audited). */
export interface OriginEvidence {
  id: string;
  importer: string;
  /** Normalised supplier, as DeclFact.supplier (an id, or "NAME|CC"). */
  supplier: string;
  kind: OriginEvidenceKind;
  /** Validity "YYYY-MM-DD", both days included. */
  validFrom: string;
  validTo: string;
  /** Commodity-code prefixes (2–10 digits) the evidence covers; empty = every code. */
  codePrefixes: string[];
  reference: string;
}

/** The history a batch is judged against: only the keys its declarations touch, loaded in one go. */
export interface HistoryState {
  supplierGroups: Map<string, CodeGroup>;
  descGroups: Map<string, CodeGroup>;
  unitValues: Map<string, UnitValueGroup>;
  invoices: Map<string, InvoiceGroup>;
  declarants: Map<string, DeclarantSeen>;
  importers: Map<string, ImporterHistory>;
  knowledge: Map<string, KnowledgeGroup>;
  returns: Map<string, ReturnGroup>;
  /**
   * C20's evidence register, per knowledge key (importer|supplier): the entries on file for the
   * supplier; and the importers that keep a register at all (without one, the evidence criterion
   * is not checked: an empty register says nothing). Optional: loaded by the caller, absent = none kept.
   */
  evidence?: Map<string, OriginEvidence[]>;
  evidenceKept?: Set<string>;
}

/** One hit of a history check, before the engine stamps ids, versions and deadlines. */
export interface HistoryHit {
  ruleId: string;
  /** The declaration the finding is about (not always the one that arrived: a duplicate is the later one). */
  target: { d: string; v: number; mrn: string; lrn: string; date: string; importer: string; declarant: string };
  item: number;
  severity: Severity;
  exposureDutyPence?: number;
  exposureVatPence?: number;
  reclaimDutyPence?: number;
  reclaimVatPence?: number;
  evidence: Evidence[];
  explanation: string;
  remediation: string;
  /** Extra context (commodity code, origin) for alert grouping. */
  commodityCode?: string;
  originCountry?: string;
  cpc?: string;
  supplier?: string;
  /** What the verdict rests on when one rule can reach different verdicts on the same line (C20's criteria): part of the finding id, so a changed verdict is a new finding. */
  digest?: string;
}

/** What a check sees: the history after the batch was folded in, and the batch's declarations. */
export interface HistoryInput {
  state: HistoryState;
  /** Declarations of the batch that are in force (latest version each). */
  batch: readonly DeclFact[];
  /** Keys the batch touched, per state map. */
  touched: { supplierGroups: Set<string>; descGroups: Set<string>; invoices: Set<string>; declarantsNew: Set<string>; knowledge: Set<string>; returns: Set<string> };
  /** Unit-value observations of batch lines, judged against the group without themselves. */
  unitValueLines: { key: string; decl: DeclFact; line: LineFact; ln: number; basis: 'kg' | 'unit'; qty: string }[];
  /** Importer history before the batch (declaration counts). */
  importersBefore: Map<string, number>;
  /**
   * The batch's U112 claim lines per knowledge key (importer|supplier), all of them: a group keeps
   * only the latest KNOWLEDGE_REFS, and a batch with more lines of one supplier than that must
   * still have each judged once (C20). Absent: only the kept lines are judged (a re-judgement).
   */
  knowledgeLines?: Map<string, PricedRef[]>;
}

/** A history check: metadata plus a pure decision over the batch. */
export interface HistoryRule {
  meta: HistoryRuleMeta;
  decide(input: HistoryInput, today: string): HistoryHit[];
}
