// The scoring use cases over real Postgres: the history folded batch by batch through the
// repositories gives the same findings as the pure core in one process; aggregates stay equal to
// the sum of the declarations' contributions through re-checks and amendments; reads answer.
import { DeclarationChecked, Finding, Severity, type Declaration } from '@customs/contracts';
import { createDb, migrateToLatest, sql, withAllTenants, withTenant, type ServiceDb } from '@customs/db';
import { generateHistoryDataset } from '@customs/datagen';
import { createTestDatabase, type TestDatabase } from '@customs/testing';
import { migrations, type ScoringDb } from '../db/migrations';
import { applyBatch, decideHistory, declFact, emptyState } from '../rules';
import { onDeclarationsChecked } from './checked-batch';
import { onDeclarationsReceived } from './history-batch';
import { bindStore } from './ports';
import { getScore, readinessOf, scorecards, scoredLines, trend } from './queries';

const NOW = '2023-12-31T12:00:00.000Z';

describe('scoring use cases (real Postgres)', () => {
  let database: TestDatabase;
  let db: ServiceDb<ScoringDb>;
  const decls: Declaration[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('scoring');
    db = createDb<ScoringDb>({ url: database.urlFor('scoring'), schema: 'scoring' });
    await migrateToLatest(db.db as never, 'scoring', migrations);
    for (const g of generateHistoryDataset({ seed: 7, declarations: 900, importers: 1, historyRates: { C37: 0.03, C11: 0.03, C23: 0.03, C02: 0.02, C10: 0.02, C30: 0.05 } })) decls.push(g.declaration);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const invariant = async () => {
    // Every aggregate equals the sum of the contributions behind it (new − old never drifts).
    const r = await withAllTenants(db.db, (trx) =>
      sql<{ bad: number }>`
        with c as (select c.tenant_id, c.agent_id, c.month, m.key as metric, sum((m.value)::bigint) as v from contributions c, json_each_text(c.metrics) m group by 1, 2, 3, 4)
        select count(*)::int as bad from aggregates a full join c on a.tenant_id = c.tenant_id and a.scope = 'agent' and a.entity_id = c.agent_id and a.month = c.month and a.metric = c.metric
        where (a.scope = 'agent' or a.scope is null) and coalesce(a.value, 0) <> coalesce(c.v, 0)`.execute(trx),
    );
    expect(r.rows[0]!.bad).toBe(0);
  };

  it('stores the same history findings as the pure core, batch by batch, and publishes each once', async () => {
    const pure = emptyState();
    const expected = new Map<string, Finding>();
    const published: Finding[] = [];
    for (let i = 0; i < decls.length; i += 50) {
      const slice = decls.slice(i, i + 50);
      for (const f of decideHistory(
        applyBatch(
          pure,
          slice.map((d) => ({ fact: declFact(d) })),
        ),
        'datagen',
        NOW.slice(0, 10),
        NOW,
      ))
        expected.set(f.findingId, f);
      const out = await withAllTenants(db.db, (trx) =>
        onDeclarationsReceived(
          bindStore(trx),
          slice.map((d) => ({ eventId: `e-${d.declarationId}`, declaration: d })),
          NOW,
        ),
      );
      for (const o of out) if (o.kind === 'finding') published.push(o.finding);
    }
    const stored = await withAllTenants(db.db, (trx) => trx.selectFrom('history_findings').select(['finding_id', 'rule_id']).where('active', '=', true).execute());
    expect(stored.map((s) => s.finding_id).sort()).toEqual([...expected.keys()].sort());
    expect(new Set(stored.map((s) => s.rule_id))).toEqual(new Set(['C02', 'C10', 'C11', 'C20', 'C23', 'C30', 'C34', 'C37']));
    expect(published.map((f) => f.findingId).sort()).toEqual([...expected.keys()].sort());
    // Redelivery of a batch (same versions) changes nothing and publishes nothing.
    const again = await withAllTenants(db.db, (trx) =>
      onDeclarationsReceived(
        bindStore(trx),
        decls.slice(0, 50).map((d) => ({ eventId: `x-${d.declarationId}`, declaration: d })),
        NOW,
      ),
    );
    expect(again).toEqual([]);
    await invariant();
  });

  it('a check and a re-check that supersedes findings move the score and the aggregates, with previous_score right', async () => {
    const d = decls[400]!;
    const finding = Finding.fromPartial({
      findingId: 'v-1',
      declarationId: d.declarationId,
      ruleId: 'C09',
      family: 'classification',
      severity: Severity.SEVERITY_CRITICAL,
      exposureDutyPence: 1_050_000,
      itemNumber: 1,
      deadline: '2026-06-01',
      source: 'validation',
    });
    const check = (findings: Finding[], evaluationId: string) =>
      DeclarationChecked.fromPartial({
        tenantId: d.tenantId,
        declarationId: d.declarationId,
        declarationVersion: 1,
        mrn: d.mrn,
        importerEori: d.importerEori,
        declarantId: d.parties.find((p) => p.role === 'declarant')!.id,
        acceptanceDate: d.acceptanceDate,
        findings,
        evaluationId,
      });
    const first = await withAllTenants(db.db, (trx) => onDeclarationsChecked(bindStore(trx), [{ eventId: 'c1', checked: check([finding], '') }], NOW));
    const declEvent = first.find((o) => o.kind === 'score' && o.score.entityType === 'declaration');
    expect(declEvent && declEvent.kind === 'score' && declEvent.score.score).toBeLessThan(40);
    const low = declEvent!.kind === 'score' ? declEvent!.score.score : -1;
    await invariant();
    const second = await withAllTenants(db.db, (trx) => onDeclarationsChecked(bindStore(trx), [{ eventId: 'c2', checked: check([], 'reference:x') }], NOW));
    const up = second.find((o) => o.kind === 'score' && o.score.entityType === 'declaration');
    expect(up && up.kind === 'score' && up.previousScore).toBe(low);
    expect(up && up.kind === 'score' && up.score.score).toBeGreaterThan(low);
    const broker = second.find((o) => o.kind === 'score' && o.score.entityType === 'broker');
    expect(broker).toBeDefined();
    await invariant();
  });

  it('an amendment takes the old version out of the history and supersedes its findings', async () => {
    const withFinding = await withAllTenants(db.db, (trx) =>
      trx.selectFrom('history_findings').select(['declaration_id']).where('active', '=', true).where('rule_id', '=', 'C11').executeTakeFirstOrThrow(),
    );
    const d = decls.find((x) => x.declarationId === withFinding.declaration_id)!;
    const v2 = { ...d, version: 2, changeKind: 'amendment', items: d.items.map((i) => ({ ...i })) } as Declaration;
    await withAllTenants(db.db, (trx) => onDeclarationsReceived(bindStore(trx), [{ eventId: 'amend', declaration: v2 }], NOW));
    const left = await withAllTenants(db.db, (trx) =>
      trx.selectFrom('history_findings').select(['declaration_version', 'active']).where('declaration_id', '=', d.declarationId).where('rule_id', '=', 'C11').execute(),
    );
    expect(left.filter((x) => x.active).map((x) => x.declaration_version)).toEqual([2]);
    expect(left.filter((x) => !x.active).map((x) => x.declaration_version)).toEqual([1]);
    await invariant();
  });

  it('answers scores, lines, scorecards, readiness, duty under management and trends', async () => {
    const tenant = decls[0]!.tenantId;
    const importer = decls[0]!.importerEori;
    await withTenant(db.db, tenant, async (trx) => {
      const st = bindStore(trx);
      const s = await getScore(st, tenant, 'declaration', decls[10]!.declarationId);
      expect(s?.factors.map((f) => f.name)).toEqual(['money', 'severity', 'deadline', 'confidence']);
      const dups = await trx.selectFrom('history_findings').select('declaration_id').where('rule_id', '=', 'C37').execute();
      const all = await Promise.all(dups.map((d) => scoredLines(st, tenant, d.declaration_id)));
      const lines = all.find((l) => l!.history.some((f) => f.ruleId === 'C37' && f.reclaimDutyPence > 0));
      expect(lines!.history.find((f) => f.ruleId === 'C37')!.correctionRoute).toBe('C285:Duplicate MRN');
      expect(lines!.score.lines.some((l) => l.ruleIds.includes('C37'))).toBe(true);
      const cards = await scorecards(st, tenant, {});
      expect(cards.scorecards.length).toBeGreaterThan(0);
      expect(cards.scorecards[0]!.metrics.find((m) => m.name === 'entries')!.known).toBe(true);
      const r = await readinessOf(st, tenant, importer);
      expect(r!.readiness.dimensions).toHaveLength(7);
      expect(Number(r!.dum.metrics.find((m) => m.name === 'duty_paid')!.value)).toBeGreaterThan(0);
      expect(Number(r!.dum.metrics.find((m) => m.name === 'reclaim_found')!.value)).toBeGreaterThan(0);
      const t = await trend(st, tenant, 'importer', importer);
      expect(t.length).toBeGreaterThan(12);
      expect(t.map((p) => p.month)).toEqual([...t.map((p) => p.month)].sort());
    });
  });

  it('C20 judges a supplier on its whole history whatever order the declarations arrive in: the same findings, at the same £, in order and shuffled', async () => {
    // Declarations of several partitions reach scoring in no fixed order: a supplier's U112 claims
    // can come before its claims on other proof (a prefix over 90 % that the whole history is not),
    // and a claim before the ordinary line of the same goods that prices it.
    const stream = (tenantId: string) =>
      [...generateHistoryDataset({ seed: 20261203, declarations: 600, importers: 1, tenantId, historyRates: { C20: 0.04, C20E: 0.08, C02: 0, C10: 0, C11: 0, C23: 0, C30: 0, C34: 0, C37: 0 } })].map(
        (g) => g.declaration,
      );
    const ordered = stream('c20-ordered');
    const shuffled = stream('c20-shuffled');
    let seed = 99;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const feed = async (ds: Declaration[]) => {
      for (let i = 0; i < ds.length; i += 20)
        await withAllTenants(db.db, (trx) =>
          onDeclarationsReceived(
            bindStore(trx),
            ds.slice(i, i + 20).map((d) => ({ eventId: `c20-${d.tenantId}-${d.declarationId}`, declaration: d })),
            NOW,
          ),
        );
    };
    // Each importer keeps an evidence register (one entry, for another supplier): its U112 claims on complex goods are judged too.
    for (const d of [ordered[0]!, shuffled[0]!])
      await withAllTenants(db.db, (trx) =>
        bindStore(trx).putEvidence(
          d.tenantId,
          { id: `ev-${d.tenantId}`, importer: d.importerEori, supplier: 'NOBODY|XX', kind: 'supplier_statement', validFrom: '2000-01-01', validTo: '2000-12-31', codePrefixes: [], reference: 'SOO-0' },
          'test',
          NOW,
        ),
      );
    await feed(ordered);
    await feed(shuffled);
    const c20Of = async (tenant: string) =>
      (await withAllTenants(db.db, (trx) => trx.selectFrom('history_findings').select('payload').where('tenant_id', '=', tenant).where('rule_id', '=', 'C20').where('active', '=', true).execute()))
        .map((r) => Finding.decode(r.payload))
        .map((f) => `${f.mrn}#${f.itemNumber} ${f.exposureDutyPence}+${f.exposureVatPence}`)
        .sort();
    const inOrder = await c20Of('c20-ordered');
    expect(inOrder.length).toBeGreaterThanOrEqual(10);
    expect(inOrder.filter((x) => !x.endsWith(' 0+0')).length).toBeGreaterThan(0);
    expect(await c20Of('c20-shuffled')).toEqual(inOrder);
    // What the shuffle changed along the way (a verdict raised and withdrawn, a line priced once its rate arrived) left superseded findings, none active.
    const withdrawn = await withAllTenants(db.db, (trx) =>
      trx.selectFrom('history_findings').select('finding_id').where('tenant_id', '=', 'c20-shuffled').where('rule_id', '=', 'C20').where('active', '=', false).execute(),
    );
    expect(withdrawn.length).toBeGreaterThan(0);
  });
});
