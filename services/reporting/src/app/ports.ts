// Ports of reporting's use cases: where drafts are kept and where the platform's data comes from.
import type { C2001Draft, C285Draft, DraftFinding, RepaymentMethod } from '../policies/drafts';

export interface TenantSettings {
  vatRegistered: boolean | null;
  repaymentMethod: RepaymentMethod;
  updatedBy: string;
  updatedAt: string;
}

export interface DraftScope {
  importer?: string;
  acceptedFrom?: string;
  acceptedTo?: string;
}

/** The data versions a draft was computed from (so a draft can be re-derived and explained). */
export interface DraftSource {
  findingsFeedCursor: number;
  findingsConsidered: number;
  settings: { vatRegistered: boolean | null; repaymentMethod: RepaymentMethod; updatedAt: string | null };
  computedAt: string;
}

export type DraftState = 'draft' | 'reviewed' | 'submitted' | 'withdrawn';

export interface DraftRecord {
  draftId: string;
  kind: 'c285' | 'c2001';
  state: DraftState;
  scope: DraftScope;
  source: DraftSource;
  content: C285Draft | C2001Draft;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  hmrcReference: string | null;
}

export interface HistoryEntry {
  at: string;
  actor: string;
  action: string;
  detail: unknown;
}

export interface DraftStore {
  settings(tenant: string): Promise<TenantSettings | null>;
  putSettings(tenant: string, s: Omit<TenantSettings, 'updatedAt'>, at: string): Promise<TenantSettings>;
  insertDraft(tenant: string, d: DraftRecord, event: import('@customs/kafka').EncodedEvent): Promise<void>;
  listDrafts(tenant: string, opts: { kind?: string; limit: number; after?: { createdAt: string; id: string } }): Promise<DraftRecord[]>;
  getDraft(tenant: string, id: string): Promise<{ draft: DraftRecord; history: HistoryEntry[] } | null>;
  changeState(
    tenant: string,
    id: string,
    from: readonly string[],
    to: string,
    change: { actor: string; at: string; hmrcReference?: string; detail: unknown },
    event: (d: DraftRecord) => import('@customs/kafka').EncodedEvent,
  ): Promise<DraftRecord | null>;
}

/** The tenant's current findings as the platform publishes them (alerting's findings feed). */
export interface FindingsSource {
  currentFindings(bearer: string): Promise<{ findings: DraftFinding[]; cursor: number }>;
}

export interface Clock {
  now(): Date;
}

export interface ReportRecord {
  reportId: string;
  kind: 'board';
  importer: string;
  version: number;
  asOf: string;
  trigger: 'api' | 'schedule';
  content: import('../policies/board').BoardReport;
  dataVersions: Record<string, unknown>;
  createdBy: string;
  createdAt: string;
}

export interface ReportStore {
  latest(tenant: string, importer: string): Promise<ReportRecord | null>;
  insert(tenant: string, r: ReportRecord, html: string, pdf: Buffer, event: import('@customs/kafka').EncodedEvent): Promise<ReportRecord>;
  list(tenant: string, opts: { importer?: string; limit: number; after?: { createdAt: string; version: number; id: string } }): Promise<ReportRecord[]>;
  get(tenant: string, id: string): Promise<ReportRecord | null>;
  document(tenant: string, id: string, format: 'html' | 'pdf'): Promise<string | Buffer | null>;
}

/** What the board report reads from scoring and alerting; each answer may be "not available" with the reason. */
export interface PlatformReads {
  openAlerts(bearer: string, importer: string): Promise<import('../policies/board').BoardInput['alerts']>;
  readiness(bearer: string, importer: string): Promise<import('../policies/board').BoardInput['readiness']>;
  trend(bearer: string, importer: string): Promise<import('../policies/board').BoardInput['trend']>;
  dum(bearer: string, importer: string): Promise<import('../policies/board').BoardInput['dum']>;
  scorecards(bearer: string): Promise<import('../policies/board').BoardInput['scorecards']>;
  /** A declaration as ingestion stores it (GET /v1/declarations/:id), or why it is not available. */
  declaration(bearer: string, id: string): Promise<{ available: true; body: unknown } | import('../policies/board').Unavailable>;
}

export class VersionTaken extends Error {}

export interface CaseScope {
  importer: string;
  acceptedFrom?: string;
  acceptedTo?: string;
  /** Commodity code prefixes (e.g. "6109"). */
  codes?: string[];
  /** Declarant (broker) EORIs. */
  brokers?: string[];
}

export interface CaseRecord {
  caseId: string;
  trigger: import('../policies/cases').CaseTrigger;
  title: string;
  letterDate: string;
  visitDate: string | null;
  scope: CaseScope;
  owner: string;
  playbook: import('../policies/cases').Playbook;
  state: 'open' | 'closed';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  done: { stepId: string; doneBy: string; doneAt: string }[];
}

export interface CaseStore {
  assignments(tenant: string): Promise<Record<string, string>>;
  assign(tenant: string, role: string, person: string | null, actor: string, at: string): Promise<void>;
  insertCase(tenant: string, c: CaseRecord, event: import('@customs/kafka').EncodedEvent): Promise<void>;
  getCase(tenant: string, id: string): Promise<{ record: CaseRecord; history: HistoryEntry[] } | null>;
  listCases(tenant: string, limit: number, after?: { createdAt: string; id: string }): Promise<CaseRecord[]>;
  /** Records a change (step done, closed) with its history row and event; false when the case is missing or closed. */
  change(
    tenant: string,
    id: string,
    change: { actor: string; at: string; action: string; detail: unknown; stepDone?: string; close?: boolean },
    event: (c: CaseRecord) => import('@customs/kafka').EncodedEvent,
  ): Promise<CaseRecord | null>;
}
