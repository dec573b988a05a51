// The data decide() works on: inputs (what arrived), state (what the app loaded for them, as
// needs() asked), and the decision (what to write). Plain data, no I/O.
import type { Alert, AlertStatus, Finding } from '@customs/contracts';
import type { AlertException } from './exceptions';
import type { AlertRule, GroupField, TermField } from './rules';

/** One value of a declaration an importer may see for the first time. */
export interface Term {
  field: TermField;
  value: string;
}

export type Input =
  /** validation.declaration.checked.v1: the version's findings and the findings it superseded, in one ordered event. */
  | {
      kind: 'checked';
      eventId: string;
      tenantId: string;
      declarationId: string;
      version: number;
      findings: Finding[];
      supersededIds: string[];
      /** Why the superseded ones were withdrawn, when the event says (scoring's); else "superseded by version N". */
      withdrawnReason?: string;
      /** Ids of the findings seen here for the first time (the store knew the others); undefined = all new. */
      newFindingIds?: string[];
      /** Ids of the findings the store had withdrawn and that this event raises again (scoring judged a history again). */
      raisedAgainIds?: string[];
    }
  /** ingestion.declaration.received.v1, reduced to what new_terms rules need. */
  | { kind: 'declaration'; eventId: string; tenantId: string; declarationId: string; version: number; mrn: string; importer: string; declarant: string; acceptanceDate: string; terms: Term[] }
  /** scoring.score.updated.v1. */
  | { kind: 'score'; eventId: string; tenantId: string; entityType: string; entityId: string; score: number; previousScore: number };

/** A stored alert with its suppression key. */
export interface KeyedAlert {
  key: string;
  alert: Alert;
}

/** A slice of the tenant's stored findings: those whose `field` equals `value`, accepted in [from, to] ("" = open). */
export interface Slice {
  tenantId: string;
  field: GroupField;
  value: string;
  from: string;
  to: string;
  /**
   * The alert keys it is for: when every one of them has an open alert, the findings are not
   * needed (a repeat is absorbed, no window is counted), so the store may skip the slice.
   */
  keys: string[];
}

/** What decide() needs loaded for a batch of inputs (from needs()). */
export interface Needs {
  /** Alerts by suppression key: the open one, or the latest auto-resolved one (to reopen). */
  keys: { tenantId: string; key: string }[];
  /** Alerts a withdrawn finding contributes to. */
  findingIds: { tenantId: string; findingId: string }[];
  slices: Slice[];
  terms: { tenantId: string; importer: string; field: TermField; value: string }[];
  importers: { tenantId: string; importer: string }[];
  /** score_change high-water marks, by alert key. */
  scoreMarks: { tenantId: string; key: string }[];
}

export interface TermSeen {
  firstDate: string;
  declarationId: string;
}

/** What the app loaded for the inputs. */
export interface State {
  /** Open alerts by key, plus auto-resolved ones (reopenable) and those holding withdrawn findings. */
  alerts: KeyedAlert[];
  /** Live (not withdrawn) stored findings of the slices asked for, including this batch's. */
  findings: Finding[];
  /** tenant|importer|field|value → first appearance. */
  terms: Map<string, TermSeen>;
  /** tenant|importer → earliest acceptance date and declarations seen. */
  importers: Map<string, { firstDate: string; count: number }>;
  /** tenant|alert key → high-water score. */
  scoreMarks: Map<string, number>;
  /** Exceptions of the tenants concerned (active or not; decide checks expiry against now). */
  exceptions: AlertException[];
}

export type ChangeKind = 'raised' | 'absorbed' | 'escalated' | 'expired' | 'auto_resolved' | 'reopened' | 'transition' | 'assigned' | 'note' | 'suppressed';

/** One append-only history entry: who, when, from, to, why, and the alert as it became. */
export interface HistoryEntry {
  actor: string;
  at: string;
  from: AlertStatus;
  to: AlertStatus;
  kind: ChangeKind;
  reason: string;
  notify: boolean;
  disposition?: string;
  note?: string;
  snapshot: Alert;
}

export interface AlertEffect {
  key: string;
  alert: Alert;
  isNew: boolean;
  entries: HistoryEntry[];
}

export interface Decision {
  alerts: AlertEffect[];
  /**
   * First sightings to remember. `pending`: seen before the importer had enough history to
   * judge it; the scheduled pass judges it again once earlier history has arrived (backfills
   * come over several partitions, in no order between them).
   */
  terms: { tenantId: string; importer: string; field: TermField; value: string; firstDate: string; declarationId: string; pending: boolean }[];
  /** Pending sightings the scheduled pass judged: no longer pending once judged with enough history. */
  termChecks: { tenantId: string; importer: string; field: TermField; value: string; pending: boolean }[];
  importerDeclarations: { tenantId: string; importer: string; declarationId: string; acceptanceDate: string }[];
  scoreMarks: { tenantId: string; key: string; highWater: number }[];
}

/** A first sighting still waiting for history, with the importer's history before it. */
export interface PendingTerm {
  tenantId: string;
  importer: string;
  field: TermField;
  value: string;
  firstDate: string;
  declarationId: string;
  /** Declarations of the importer accepted before firstDate, and the earliest of them ("" = none). */
  historyCount: number;
  historyFirst: string;
}

/** The rules a tenant runs (file rules with the tenant's settings applied). */
export type RulesFor = (tenantId: string) => readonly AlertRule[];
