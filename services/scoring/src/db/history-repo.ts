import { Finding } from '@customs/contracts';
import { chunksFor, sql, type Transaction } from '@customs/db';
import type { DeclFact, HistoryState } from '../rules/types';
import type { ScoringDb } from './migrations';

// All SQL of the history aggregates: one query per kind of key for a whole batch, never per event.

type Trx = Transaction<ScoringDb>;

const KINDS = { supplierGroups: 'sg', descGroups: 'dg', unitValues: 'uv', invoices: 'inv', declarants: 'dcl', importers: 'imp', knowledge: 'ik', returns: 'rgr' } as const;
type Kind = keyof typeof KINDS;

// A declaration's facts are read back only when a new version of it arrives (to take the old one
// out of the history) or on a re-score, never queried inside: they are stored as a compact
// positional array (format 1), not as objects, whose repeated key names were half of every row
// (docs/adr/0014-scoring-history-hot-path.md). Rows written before as objects still read.
type Stored = DeclFact | [1, string, string, number, string, string, string, string, string, string, string[], 0 | 1, string, string, unknown[][]];

function encodeFact(f: DeclFact): unknown[] {
  const lines = f.lines.map((l) => {
    const row: unknown[] = [l.item, l.code, l.desc, l.origin, l.preference, l.cpc, l.cv, l.duty, l.vat, l.suspended, l.a00Rate, l.vatRate, l.netKg, l.supp, l.docs];
    if (l.exportRef) row.push(l.exportRef);
    return row;
  });
  return [1, f.tenant, f.id, f.version, f.mrn, f.lrn, f.date, f.importer, f.declarant, f.supplier, f.invoices, f.vatRegistered ? 1 : 0, f.status, f.changeKind, lines];
}

function decodeFact(stored: Stored): DeclFact {
  if (!Array.isArray(stored)) return stored;
  const [, tenant, id, version, mrn, lrn, date, importer, declarant, supplier, invoices, vat, status, changeKind, lines] = stored;
  return {
    tenant,
    id,
    version,
    mrn,
    lrn,
    date,
    importer,
    declarant,
    supplier,
    invoices,
    vatRegistered: vat === 1,
    status,
    changeKind,
    lines: lines.map((r) => {
      const [item, code, desc, origin, preference, cpc, cv, duty, vatPence, suspended, a00Rate, vatRate, netKg, supp, docs, exportRef] = r as [
        number,
        string,
        string,
        string,
        string,
        string,
        number | null,
        number,
        number,
        number,
        string,
        string,
        string,
        string,
        string[],
        string | undefined,
      ];
      return { item, code, cn8: code.slice(0, 8), desc, origin, preference, cpc, cv, duty, vat: vatPence, suspended, a00Rate, vatRate, netKg, supp, docs, ...(exportRef ? { exportRef } : {}) };
    }),
  };
}

/** The stored latest version of each declaration given (to take it out of the history when a new one arrives). */
export async function loadDeclFacts(trx: Trx, tenant: string, ids: readonly string[]): Promise<Map<string, { version: number; fact: DeclFact }>> {
  if (ids.length === 0) return new Map();
  const r = await sql<{ declaration_id: string; version: number; fact: Stored }>`
    select declaration_id, version, fact from history_decls where tenant_id = ${tenant} and declaration_id = any(${[...ids]}::text[])`.execute(trx);
  return new Map(r.rows.map((x) => [x.declaration_id, { version: x.version, fact: decodeFact(x.fact) }]));
}

/** Upserts the facts of a batch in one statement: the rows travel as one JSON document (json_to_recordset), not one parameter per value. */
export async function saveDeclFacts(trx: Trx, facts: readonly DeclFact[], now: string): Promise<void> {
  if (facts.length === 0) return;
  const rows = [...facts].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.id.localeCompare(b.id)).map((f) => ({ t: f.tenant, d: f.id, v: f.version, i: f.importer, f: encodeFact(f) }));
  await sql`
    insert into history_decls (tenant_id, declaration_id, version, importer_id, fact, updated_at)
    select x.t, x.d, x.v, x.i, x.f, ${now}::timestamptz from json_to_recordset(${JSON.stringify(rows)}::json) as x(t text, d text, v int, i text, f json)
    on conflict (tenant_id, declaration_id) do update set version = excluded.version, importer_id = excluded.importer_id, fact = excluded.fact, updated_at = excluded.updated_at`.execute(trx);
}

/** Loads the history rows of the keys given into a state (missing keys stay absent = no history). */
export async function loadState(trx: Trx, tenant: string, keys: { [K in Kind]: readonly string[] }, state: HistoryState): Promise<void> {
  const kinds: string[] = [];
  const ks: string[] = [];
  for (const [name, kind] of Object.entries(KINDS) as [Kind, string][]) for (const k of new Set(keys[name])) kinds.push(kind), ks.push(k);
  if (ks.length === 0) return;
  const r = await sql<{ kind: string; key: string; state: unknown }>`
    select g.kind, g.key, g.state from history_groups g
    join unnest(${kinds}::text[], ${ks}::text[]) as k(kind, key) on g.kind = k.kind and g.key = k.key
    where g.tenant_id = ${tenant}`.execute(trx);
  const byKind = Object.fromEntries(Object.entries(KINDS).map(([name, kind]) => [kind, name as Kind]));
  for (const row of r.rows) (state[byKind[row.kind]!] as Map<string, unknown>).set(row.key, row.state);
  const importers = [...new Set(keys.importers)];
  if (importers.length) {
    const a = await sql<{ importer_id: string; agents: string[] }>`
      select importer_id, array_agg(agent_id order by agent_id) as agents from approved_agents
      where tenant_id = ${tenant} and importer_id = any(${importers}::text[]) group by importer_id`.execute(trx);
    for (const imp of importers) {
      const h = state.importers.get(imp) ?? { declarations: 0, approved: [] };
      h.approved = a.rows.find((x) => x.importer_id === imp)?.agents ?? [];
      state.importers.set(imp, h);
    }
  }
}

/** Writes back the keys a batch changed (whole rows: each is one key's small aggregate). */
export async function saveState(trx: Trx, tenant: string, state: HistoryState, changed: { [K in Kind]: Iterable<string> }): Promise<void> {
  const rows: { k: string; g: string; s: unknown }[] = [];
  for (const [name, kind] of Object.entries(KINDS) as [Kind, string][]) {
    for (const k of new Set(changed[name])) {
      const v = (state[name] as Map<string, unknown>).get(k);
      if (v === undefined) continue;
      // The approved list lives in its own table; the importer row keeps the counts only.
      rows.push({ k: kind, g: k, s: name === 'importers' ? { ...(v as object), approved: [] } : v });
    }
  }
  if (rows.length === 0) return;
  rows.sort((a, b) => a.k.localeCompare(b.k) || a.g.localeCompare(b.g));
  // One statement for the batch, in key order (no deadlock with a concurrent batch). The rows
  // travel as one JSON document (json_to_recordset): each state is serialised once, not escaped
  // again inside an array literal.
  await sql`
    insert into history_groups (tenant_id, kind, key, state)
    select ${tenant}, x.k, x.g, x.s from json_to_recordset(${JSON.stringify(rows)}::json) as x(k text, g text, s json)
    on conflict (tenant_id, kind, key) do update set state = excluded.state`.execute(trx);
}

/** A history finding's row, stored active. */
export function historyFindingRow(f: Finding) {
  return {
    tenant_id: f.tenantId,
    finding_id: f.findingId,
    declaration_id: f.declarationId,
    declaration_version: f.declarationVersion,
    rule_id: f.ruleId,
    active: true,
    payload: Buffer.from(Finding.encode(f).finish()),
    raised_at: f.raisedAt,
    superseded_at: null,
  };
}

/** Stores findings; returns the ones not stored before (the only ones to publish). */
export async function insertFindings(trx: Trx, findings: readonly Finding[]): Promise<Finding[]> {
  const fresh = new Set<string>();
  for (const chunk of chunksFor(findings, 8)) {
    const r = await trx
      .insertInto('history_findings')
      .values(chunk.map(historyFindingRow))
      .onConflict((oc) => oc.columns(['tenant_id', 'finding_id']).doNothing())
      .returning('finding_id')
      .execute();
    for (const x of r) fresh.add(x.finding_id);
  }
  return findings.filter((f) => fresh.has(f.findingId));
}

/** A history finding superseded: the declaration it is on and its id (to be published as withdrawn). */
export interface Withdrawn {
  declarationId: string;
  findingId: string;
}

/** Supersedes the active findings of earlier versions (or all, for an invalidated declaration); returns those it superseded. */
export async function supersedeFindings(trx: Trx, tenant: string, decls: readonly { id: string; keepVersion: number }[], now: string): Promise<Withdrawn[]> {
  if (decls.length === 0) return [];
  const r = await sql<{ declaration_id: string; finding_id: string }>`
    update history_findings f set active = false, superseded_at = ${now}
    from unnest(${decls.map((d) => d.id)}::text[], ${decls.map((d) => d.keepVersion)}::int[]) as k(id, keep)
    where f.tenant_id = ${tenant} and f.active and f.declaration_id = k.id and f.declaration_version < k.keep
    returning f.declaration_id, f.finding_id`.execute(trx);
  return r.rows.map((x) => ({ declarationId: x.declaration_id, findingId: x.finding_id }));
}

/** Active history findings of the declarations given. */
export async function activeHistoryFindings(trx: Trx, tenant: string, ids: readonly string[]): Promise<Finding[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ payload: Buffer }>`select payload from history_findings where tenant_id = ${tenant} and active and declaration_id = any(${[...ids]}::text[]) order by finding_id`.execute(trx);
  return r.rows.map((x) => Finding.decode(x.payload));
}

/** Active findings of one rule on the declarations given (C20 reads its own on the lines it judged again). */
export async function activeRuleFindings(trx: Trx, tenant: string, ruleId: string, ids: readonly string[]): Promise<Finding[]> {
  if (ids.length === 0) return [];
  const r = await sql<{
    payload: Buffer;
  }>`select payload from history_findings where tenant_id = ${tenant} and active and declaration_id = any(${[...ids]}::text[]) and rule_id = ${ruleId} order by finding_id`.execute(trx);
  return r.rows.map((x) => Finding.decode(x.payload));
}

export async function listApprovedAgents(trx: Trx, tenant: string, importer: string): Promise<{ agentId: string; addedBy: string; addedAt: string }[]> {
  const r = await trx.selectFrom('approved_agents').selectAll().where('tenant_id', '=', tenant).where('importer_id', '=', importer).orderBy('agent_id').execute();
  return r.map((x) => ({ agentId: x.agent_id, addedBy: x.added_by, addedAt: new Date(x.added_at).toISOString() }));
}

/** Replaces an importer's approved-agent list. */
export async function replaceApprovedAgents(trx: Trx, tenant: string, importer: string, agents: readonly string[], by: string, now: string): Promise<void> {
  await trx
    .deleteFrom('approved_agents')
    .where('tenant_id', '=', tenant)
    .where('importer_id', '=', importer)
    .where('agent_id', 'not in', agents.length ? [...agents] : [''])
    .execute();
  if (agents.length)
    await trx
      .insertInto('approved_agents')
      .values(agents.map((a) => ({ tenant_id: tenant, importer_id: importer, agent_id: a, added_by: by, added_at: now })))
      .onConflict((oc) => oc.columns(['tenant_id', 'importer_id', 'agent_id']).doNothing())
      .execute();
}

/** Active history findings of a tenant, newest first, optionally of one rule; paged by (raised_at, finding_id). */
export async function listHistoryFindings(
  trx: Trx,
  tenant: string,
  opts: { rule?: string; limit: number; offset?: number; after?: { raisedAt: string; findingId: string } },
): Promise<{ finding: Finding; raisedAt: string }[]> {
  let q = trx
    .selectFrom('history_findings')
    .select(['payload', 'finding_id', sql<string>`to_char(raised_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('raised_key')])
    .where('tenant_id', '=', tenant)
    .where('active', '=', true);
  if (opts.rule) q = q.where('rule_id', '=', opts.rule);
  // Keyset on the order (raised_at desc, finding_id asc); the key keeps microseconds, so no row
  // sharing a millisecond with the page's last is skipped.
  if (opts.after) q = q.where(sql<boolean>`(raised_at < ${opts.after.raisedAt}::timestamptz or (raised_at = ${opts.after.raisedAt}::timestamptz and finding_id > ${opts.after.findingId}))`);
  const rows = await q
    .orderBy('raised_at', 'desc')
    .orderBy('finding_id')
    .limit(opts.limit)
    .offset(opts.offset ?? 0)
    .execute();
  return rows.map((r) => ({ finding: Finding.decode(r.payload), raisedAt: r.raised_key }));
}

/** Active history findings per rule. */
export async function countHistoryFindings(trx: Trx, tenant: string): Promise<Record<string, number>> {
  const r = await sql<{ rule_id: string; n: number }>`select rule_id, count(*)::int as n from history_findings where tenant_id = ${tenant} and active group by rule_id order by rule_id`.execute(trx);
  return Object.fromEntries(r.rows.map((x) => [x.rule_id, x.n]));
}
