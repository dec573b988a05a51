// Ports of the alerting use cases: what they need from storage, as interfaces. src/db
// implements them with SQL; the use cases (src/app) never see a query.
import type { Alert, AlertChanged, Finding } from '@customs/contracts';
import type { AlertException } from '../policies/exceptions';
import type { Decision, KeyedAlert, Needs, PendingTerm, State } from '../policies/model';
import type { RuleSetting } from '../policies/rules';

export interface HistoryRecord {
  cursor: number;
  actor: string;
  from: number;
  to: number;
  kind: string;
  reason: string;
  notify: boolean;
  disposition: string;
  note: string;
  at: string;
  snapshot: Alert;
}

export type SortKey = 'money' | 'deadline' | 'days_left' | 'severity' | 'updated' | 'created' | 'exposure' | 'reclaim' | 'broker' | 'importer' | 'state' | 'rule';

export interface AlertQuery {
  tenantId: string;
  states?: number[];
  minSeverity?: number;
  alertRuleIds?: string[];
  ruleTypes?: string[];
  broker?: string;
  importer?: string;
  /** Only these importers' alerts (a broker's: the importers its token names). */
  importers?: readonly string[];
  minPence?: number;
  deadlineBefore?: string;
  search?: string;
  sort: SortKey;
  order: 'asc' | 'desc';
  limit: number;
  /** Opaque keyset position from the previous page. */
  after?: { v: string | number; id: string };
}

/** What the scheduled pass scans for one deadline rule: money of `measure` due between from and to. */
export interface DeadlineScan {
  id: string;
  measure: 'reclaim' | 'exposure';
  minPence: number;
  from: string;
  to: string;
}

/** One transaction's view of the store (consumers and the scheduled pass). */
export interface CorrelationTx {
  claim(group: string, events: { eventId: string; topic: string }[]): Promise<Set<string>>;
  settings(tenantIds: readonly string[]): Promise<Map<string, Map<string, RuleSetting>>>;
  /**
   * Stores findings (idempotent by id), appends "raised" to the findings feed for new ones;
   * returns tenant|id of those new (`fresh`), and of those among them that were stored before
   * and withdrawn (`again`: scoring raised them again).
   */
  storeFindings(findings: readonly Finding[], at: string): Promise<{ fresh: Set<string>; again: Set<string> }>;
  /** Marks findings withdrawn (superseded) and appends "withdrawn" to the feed. */
  withdrawFindings(ids: readonly { tenantId: string; findingId: string }[], at: string): Promise<void>;
  load(needs: Needs, tenantIds: readonly string[], now: Date): Promise<State>;
  /** The scheduled pass's state: open alerts whose deadline passed or that a deadline rule watches, and candidates. */
  loadTick(
    today: string,
    deadlineRules: readonly DeadlineScan[],
    newTermsRuleIds: readonly string[],
    limit: number,
    now: Date,
  ): Promise<{ alerts: KeyedAlert[]; candidates: Finding[]; exceptions: AlertException[]; pendingTerms: PendingTerm[] }>;
  /** Writes alerts, history, memberships, facts and outbox events; returns the changes as published. */
  apply(decision: Decision): Promise<AlertChanged[]>;
  /** One alert, locked for an analyst's change. */
  alertForUpdate(tenantId: string, alertId: string): Promise<KeyedAlert | undefined>;
}

export interface AlertStore {
  /**
   * Runs fn in one transaction that may write the named tenants (consumers: the tenants come
   * from the batch's events), serialised only with other writers of those tenants.
   */
  correlation<T>(tenantIds: readonly string[], fn: (tx: CorrelationTx) => Promise<T>): Promise<T>;
  /** Runs fn in one transaction that may write any tenant (the scheduled pass), alone. */
  everyTenant<T>(fn: (tx: CorrelationTx) => Promise<T>): Promise<T>;
  /** Runs fn in one transaction scoped to a tenant (API calls). */
  tenant<T>(tenantId: string, fn: (tx: CorrelationTx) => Promise<T>): Promise<T>;
}
