import type { Declaration } from '@customs/contracts';

/**
 * Stable machine codes for parse problems. Errors (the document is unusable) and warnings (a value
 * is doubtful; validation decides what it means for compliance) share one vocabulary so that
 * ingestion can store both the same way.
 */
export type ParseIssueCode =
  | 'XML_NOT_WELL_FORMED'
  | 'WRONG_NAMESPACE'
  | 'DTD_FORBIDDEN'
  | 'NOT_A_DECLARATION'
  | 'TOO_LARGE'
  | 'INVALID_ENCODING'
  | 'MISSING_ELEMENT'
  | 'INVALID_VALUE'
  | 'FIELD_TOO_LONG'
  | 'TOO_MANY_WARNINGS'
  // HMRC's declaration schema (WCO_DEC_2_DMS.xsd) rejects the document: CDS would refuse it as sent.
  | 'XSD_INVALID'
  // The schema check could not be completed for this document (timed out, validator unavailable).
  | 'XSD_UNCHECKED';

/** One problem, located so that a person can find it in the original file. */
export interface ParseIssue {
  /** File name (or topic/partition/offset) the document came from, as given by the caller. */
  sourceName: string;
  /** 1-based line and column in the document; 0 when the problem concerns the whole document. */
  line: number;
  column: number;
  /** Element path from the document root, e.g. `MetaData/Declaration/GoodsShipment/GovernmentAgencyGoodsItem[2]/Commodity`. */
  elementPath: string;
  /** The canonical field (with its data element number) or XML construct concerned. */
  field: string;
  /** Human-readable reason. */
  reason: string;
  code: ParseIssueCode;
}

/**
 * What the DMS message is. FunctionCode 9 is an original declaration (complete); FunctionCode 13
 * is an "additional message" whose TypeCode says what it does: COR amends a declaration and carries
 * ONLY the changed elements plus pointers (a delta, not a full declaration), INV asks to invalidate
 * (cancel) the declaration named by its MRN. FunctionCode 14 is treated as an invalidation request
 * (the canonical contract documents it so).
 */
export type DmsMessageKind = 'declaration' | 'amendment' | 'invalidation';

/** DMS amendment pointer (Amendment/Pointer): which part of the declaration a change applies to. */
export interface DmsPointer {
  /** SequenceNumeric: occurrence number of the section (e.g. the goods item number for 68A). */
  sequence: string;
  /** DocumentSectionCode, e.g. 42A declaration, 67A goods shipment, 68A goods item, 23A commodity. */
  section: string;
  /** TagID: the data element within the section, e.g. 112 for ItemChargeAmount. */
  tagId: string;
}

/** One DE-level change of a COR amendment (Declaration/Amendment). */
export interface DmsAmendment {
  /** ChangeReasonCode, e.g. 21 (amend), 28, 30 (delete goods item), 1 (no longer required). */
  changeReasonCode: string;
  pointers: DmsPointer[];
  line: number;
}

export type DmsParseResult =
  | {
      ok: true;
      /** tenantId, declarationId, version, batchId and receivedAt are left empty for ingestion to fill. */
      declaration: Declaration;
      warnings: ParseIssue[];
      kind: DmsMessageKind;
      /** Amendment records of a COR message (empty for originals): apply them to the prior version. */
      amendments: DmsAmendment[];
    }
  | { ok: false; errors: ParseIssue[] };

export interface DmsParseOptions {
  /** Names the source in every issue and in Declaration.source_name. */
  sourceName: string;
  /** Inputs larger than this are rejected before parsing. Default 10 MiB. */
  maxBytes?: number;
  /** Longest accepted text node or attribute value in characters. Default 64 KiB. */
  maxFieldChars?: number;
  /** Deepest accepted element nesting. Default 128 (real DMS declarations nest about 8 deep). */
  maxDepth?: number;
  /** Warnings kept before the rest are summarised in one TOO_MANY_WARNINGS issue. Default 1000. */
  maxWarnings?: number;
  /**
   * Check the document against HMRC's XSDs (xsd.ts): schema errors of an accepted declaration
   * become XSD_INVALID warnings, and a rejection for malformed XML, a wrong namespace or a broken
   * envelope quotes libxml2's error. Default: the process-wide setting (on unless configured off).
   */
  schemaCheck?: boolean;
}
