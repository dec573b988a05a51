import { Finding } from '@customs/contracts';
import { chunksFor, enableTenantRls, type Migration, sql, type Transaction } from '@customs/db';
import type { HistoryState, OriginEvidence, OriginEvidenceKind } from '../rules/types';
import type { ScoringDb } from './migrations';
import { historyFindingRow, type Withdrawn } from './history-repo';

// All SQL of C20's origin evidence register: per importer and supplier, the origin evidence on
// file (managed over the API; every change is in the platform's audit trail), read for a whole
// batch by knowledge key (importer|supplier) in one query.

type Trx = Transaction<ScoringDb>;

export const originEvidenceMigration: Migration = {
  async up(db) {
    await sql`
      create table origin_evidence (
        tenant_id text not null,
        evidence_id text not null,
        importer_id text not null,
        supplier text not null,
        kind text not null check (kind in ('supplier_statement', 'long_term_supplier_declaration', 'importers_records')),
        valid_from text not null,
        valid_to text not null,
        code_prefixes text[] not null,
        reference text not null,
        created_by text not null,
        created_at timestamptz not null,
        updated_by text not null,
        updated_at timestamptz not null,
        primary key (tenant_id, evidence_id)
      )`.execute(db);
    await sql`create index origin_evidence_supplier on origin_evidence (tenant_id, importer_id, supplier)`.execute(db);
    await enableTenantRls(db, 'origin_evidence');
  },
};

export interface EvidenceRow extends OriginEvidence {
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

type Raw = {
  evidence_id: string;
  importer_id: string;
  supplier: string;
  kind: OriginEvidenceKind;
  valid_from: string;
  valid_to: string;
  code_prefixes: string[];
  reference: string;
  created_by: string;
  created_at: Date | string;
  updated_by: string;
  updated_at: Date | string;
};
const iso = (v: Date | string) => new Date(v).toISOString();
const rowOf = (r: Raw): EvidenceRow => ({
  id: r.evidence_id,
  importer: r.importer_id,
  supplier: r.supplier,
  kind: r.kind,
  validFrom: r.valid_from,
  validTo: r.valid_to,
  codePrefixes: r.code_prefixes,
  reference: r.reference,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  updatedBy: r.updated_by,
  updatedAt: iso(r.updated_at),
});

export async function listEvidence(trx: Trx, tenant: string, importer: string): Promise<EvidenceRow[]> {
  const r = await sql<Raw>`select * from origin_evidence where tenant_id = ${tenant} and importer_id = ${importer} order by supplier, valid_from, evidence_id`.execute(trx);
  return r.rows.map(rowOf);
}

export async function getEvidence(trx: Trx, tenant: string, importer: string, id: string): Promise<EvidenceRow | undefined> {
  const r = await sql<Raw>`select * from origin_evidence where tenant_id = ${tenant} and importer_id = ${importer} and evidence_id = ${id}`.execute(trx);
  return r.rows[0] && rowOf(r.rows[0]);
}

/** Inserts or replaces an entry (by id). */
export async function putEvidence(trx: Trx, tenant: string, e: OriginEvidence, by: string, now: string): Promise<void> {
  await sql`
    insert into origin_evidence (tenant_id, evidence_id, importer_id, supplier, kind, valid_from, valid_to, code_prefixes, reference, created_by, created_at, updated_by, updated_at)
    values (${tenant}, ${e.id}, ${e.importer}, ${e.supplier}, ${e.kind}, ${e.validFrom}, ${e.validTo}, ${e.codePrefixes}::text[], ${e.reference}, ${by}, ${now}, ${by}, ${now})
    on conflict (tenant_id, evidence_id) do update set supplier = excluded.supplier, kind = excluded.kind, valid_from = excluded.valid_from, valid_to = excluded.valid_to,
      code_prefixes = excluded.code_prefixes, reference = excluded.reference, updated_by = excluded.updated_by, updated_at = excluded.updated_at`.execute(trx);
}

export async function deleteEvidence(trx: Trx, tenant: string, importer: string, id: string): Promise<boolean> {
  const r = await sql`delete from origin_evidence where tenant_id = ${tenant} and importer_id = ${importer} and evidence_id = ${id}`.execute(trx);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/**
 * Loads the register entries of the knowledge keys given (importer|supplier) into the state, and
 * which of their importers keep a register at all (C20 judges the evidence criterion only for them).
 */
export async function loadEvidence(trx: Trx, tenant: string, knowledgeKeys: readonly string[], state: HistoryState): Promise<void> {
  state.evidence ??= new Map();
  state.evidenceKept ??= new Set();
  const keys = [...new Set(knowledgeKeys)];
  if (keys.length === 0) return;
  const importers = [...new Set(keys.map((k) => k.slice(0, k.indexOf('|'))))];
  const kept = await sql<{ importer_id: string }>`
    select i.importer_id from unnest(${importers}::text[]) as i(importer_id)
    where exists (select 1 from origin_evidence e where e.tenant_id = ${tenant} and e.importer_id = i.importer_id)`.execute(trx);
  for (const x of kept.rows) state.evidenceKept.add(x.importer_id);
  if (kept.rows.length === 0) return;
  const r = await sql<Raw>`
    select e.* from origin_evidence e
    join unnest(${keys.map((k) => k.slice(0, k.indexOf('|')))}::text[], ${keys.map((k) => k.slice(k.indexOf('|') + 1))}::text[]) as k(importer_id, supplier)
      on e.importer_id = k.importer_id and e.supplier = k.supplier
    where e.tenant_id = ${tenant}
    order by e.evidence_id`.execute(trx);
  for (const row of r.rows) {
    const k = `${row.importer_id}|${row.supplier}`;
    state.evidence.set(k, [...(state.evidence.get(k) ?? []), rowOf(row)]);
  }
}

/** The importer's knowledge keys (importer|supplier) in history. */
export async function knowledgeKeysOf(trx: Trx, tenant: string, importer: string): Promise<string[]> {
  // A prefix compare, not a range: under a linguistic collation '|' need not sort where ASCII puts it. The primary key's (tenant, kind) prefix bounds the scan.
  const prefix = `${importer}|`;
  const r = await sql<{ key: string }>`select key from history_groups where tenant_id = ${tenant} and kind = 'ik' and left(key, ${prefix.length}) = ${prefix} order by key`.execute(trx);
  return r.rows.map((x) => x.key);
}

/** Supersedes the active findings given by id; returns those it superseded. */
export async function supersedeFindingIds(trx: Trx, tenant: string, ids: readonly string[], now: string): Promise<Withdrawn[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ declaration_id: string; finding_id: string }>`
    update history_findings set active = false, superseded_at = ${now}
    where tenant_id = ${tenant} and active and finding_id = any(${[...ids]}::text[]) returning declaration_id, finding_id`.execute(trx);
  return r.rows.map((x) => ({ declarationId: x.declaration_id, findingId: x.finding_id }));
}

/**
 * Findings of one rule for the tenant, active and superseded (C20's re-judgement reads its own: the
 * lines it ever flagged, a small set per importer), each with whether it is active.
 */
export async function ruleFindings(trx: Trx, tenant: string, ruleId: string): Promise<{ finding: Finding; active: boolean }[]> {
  const r = await sql<{ payload: Buffer; active: boolean }>`select payload, active from history_findings where tenant_id = ${tenant} and rule_id = ${ruleId} order by finding_id`.execute(trx);
  return r.rows.map((x) => ({ finding: Finding.decode(x.payload), active: x.active }));
}

/**
 * Stores findings as active: new ones are inserted, and one superseded earlier with the same id
 * (the same verdict on the same line, reached again: evidence removed after it was added) is
 * made active again. Returns those inserted or re-activated (the ones to publish), and the ids of
 * the re-activated (published under another event id than their first raising).
 */
export async function activateFindings(trx: Trx, findings: readonly Finding[]): Promise<{ findings: Finding[]; again: Set<string> }> {
  const moved = new Map<string, boolean>();
  for (const chunk of chunksFor(findings, 8)) {
    const r = await trx
      .insertInto('history_findings')
      .values(chunk.map(historyFindingRow))
      .onConflict((oc) => oc.columns(['tenant_id', 'finding_id']).doUpdateSet({ active: true, superseded_at: null }).where('history_findings.active', '=', false))
      // xmax is set on a row the upsert updated, 0 on one it inserted (PostgreSQL).
      .returning(['finding_id', sql<boolean>`xmax <> 0`.as('again')])
      .execute();
    for (const x of r) moved.set(x.finding_id, x.again);
  }
  return { findings: findings.filter((f) => moved.has(f.findingId)), again: new Set([...moved].filter(([, again]) => again).map(([id]) => id)) };
}
