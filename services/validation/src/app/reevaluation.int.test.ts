import { CommodityResult, Declaration, DeclarationChecked, Finding, GoodsItem, type CodeListResult, type FxResult, type RateResult } from '@customs/contracts';
import { createDb, migrateToLatest, withAllTenants, type ServiceDb } from '@customs/db';
import { createTestDatabase, type TestDatabase } from '@customs/testing';
import { migrations, type ValidationDb } from '../db/migrations';
import { RULES } from '../rules';
import { checkBatch } from './check-batch';
import { persistFirstChecks, reevaluateStored } from './persist-checks';
import type { ReferencePort } from './reference-port';

/**
 * Stand-in for the reference service's gRPC answers (that service has its own tests): the
 * nomenclature first says a code is not declarable on the date, then a corrected dataset says it is.
 */
class ScriptedReferencePort implements ReferencePort {
  constructor(
    public declarable: boolean,
    public version: string,
  ) {}
  async lookupCommodities(queries: { code: string; date: string }[]): Promise<CommodityResult[]> {
    return queries.map((q) =>
      CommodityResult.fromPartial({
        commodityCode: q.code,
        date: q.date,
        known: true,
        declarableOnDate: this.declarable,
        description: 'Parts of shavers',
        validityStart: '2021-01-01',
        datasetVersion: this.version,
      }),
    );
  }
  async lookupFx(): Promise<FxResult[]> {
    return [];
  }
  async lookupRates(): Promise<RateResult[]> {
    return [];
  }
  async lookupCodeLists(): Promise<CodeListResult[]> {
    return [];
  }
}

const declaration = (id: string, date: string, commodityCode = '8510900000') =>
  Declaration.fromPartial({
    tenantId: 'tenant-a',
    declarationId: id,
    version: 1,
    mrn: `24GB1234567890ABC${id.slice(-1)}`,
    lrn: `LRN-${id}`,
    acceptanceDate: date,
    importerEori: 'GB553202734852',
    parties: [
      { role: 'importer', id: 'GB553202734852' },
      { role: 'declarant', id: 'GB603202734852' },
    ],
    items: [GoodsItem.fromPartial({ itemNumber: 1, commodityCode, grossMassKg: '12', netMassKg: '10' })],
  });

describe('re-evaluation after a reference dataset change (real Postgres)', () => {
  let database: TestDatabase;
  let db: ServiceDb<ValidationDb>;

  beforeAll(async () => {
    database = await createTestDatabase('reeval');
    db = createDb<ValidationDb>({ url: database.urlFor('validation'), schema: 'validation' });
    await migrateToLatest(db.db as never, 'validation', migrations);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('supersedes findings the new data no longer supports, only inside the affected window, and is idempotent', async () => {
    const port = new ScriptedReferencePort(false, 'nomenclature@1');
    const inWindow = declaration('decl-1', '2024-03-15');
    const outside = declaration('decl-2', '2022-06-01');
    const results = await checkBatch(RULES, port, [inWindow, outside], new Date('2026-11-27T10:00:00Z'));
    const c08 = results.flatMap((r) => r.findings).filter((f) => f.ruleId === 'C08');
    expect(c08.map((f) => f.declarationId).sort()).toEqual(['decl-1', 'decl-2']);
    await withAllTenants(db.db, (trx) =>
      persistFirstChecks(
        trx,
        results.map((r) => ({ r, parent: undefined })),
      ),
    );
    const outboxBefore = await db.db.selectFrom('outbox').select('id').execute();

    port.declarable = true;
    port.version = 'nomenclature@2';
    const report = await reevaluateStored(db.db, RULES, port, { evaluationId: 'reference:nomenclature@2', from: '2024-01-01', to: '2024-12-31' }, () => new Date('2026-11-27T11:00:00Z'));
    expect(report).toMatchObject({ declarations: 1, changed: 1, raised: 0, superseded: c08.filter((f) => f.declarationId === 'decl-1').length });

    const rows = await withAllTenants(db.db, (trx) => trx.selectFrom('findings').select(['declaration_id', 'rule_id', 'status']).where('rule_id', '=', 'C08').orderBy('declaration_id').execute());
    expect(rows).toEqual([
      { declaration_id: 'decl-1', rule_id: 'C08', status: 'superseded' },
      { declaration_id: 'decl-2', rule_id: 'C08', status: 'active' },
    ]);
    const check = await withAllTenants(db.db, (trx) => trx.selectFrom('checks').selectAll().where('declaration_id', '=', 'decl-1').executeTakeFirstOrThrow());
    const remaining = await withAllTenants(db.db, (trx) => trx.selectFrom('findings').select('payload').where('declaration_id', '=', 'decl-1').where('status', '=', 'active').execute());
    expect(check.finding_count).toBe(remaining.length);

    // The re-check is published as a distinct event carrying why it ran and what it superseded.
    const published = await db.db
      .selectFrom('outbox')
      .selectAll()
      .where(
        'id',
        'not in',
        outboxBefore.map((o) => o.id),
      )
      .execute();
    const checked = published.filter((m) => m.topic === 'validation.declaration.checked.v1').map((m) => DeclarationChecked.decode(m.payload));
    expect(checked).toHaveLength(1);
    expect(checked[0]!.evaluationId).toBe('reference:nomenclature@2');
    expect(checked[0]!.supersededFindingIds).toEqual(c08.filter((f) => f.declarationId === 'decl-1').map((f) => f.findingId));
    expect(checked[0]!.findings.map((f) => Finding.toJSON(f))).toEqual(remaining.map((r) => Finding.toJSON(Finding.decode(r.payload))));

    const again = await reevaluateStored(db.db, RULES, port, { evaluationId: 'reference:nomenclature@2', from: '2024-01-01', to: '2024-12-31' }, () => new Date('2026-11-27T12:00:00Z'));
    expect(again).toEqual({ declarations: 1, changed: 0, raised: 0, superseded: 0, notChecked: 0 });
  });

  it('keeps a rule’s active findings when it cannot decide on re-evaluation, and records it as not checked once', async () => {
    const port = new ScriptedReferencePort(false, 'nomenclature@1');
    const d = declaration('decl-9', '2025-05-05');
    const results = await checkBatch(RULES, port, [d], new Date('2026-11-27T10:00:00Z'));
    await withAllTenants(db.db, (trx) =>
      persistFirstChecks(
        trx,
        results.map((r) => ({ r, parent: undefined })),
      ),
    );
    const c08Before = await withAllTenants(db.db, (trx) => trx.selectFrom('findings').select(['finding_id', 'status']).where('declaration_id', '=', 'decl-9').where('rule_id', '=', 'C08').execute());
    expect(c08Before.length).toBeGreaterThan(0);

    // The same C08 (id and version), now throwing: it cannot decide, which is not "no finding".
    const broken = RULES.map((r) =>
      r.meta.id === 'C08'
        ? {
            ...r,
            evaluate: () => {
              throw new TypeError("Cannot read properties of undefined (reading 'validityStart')");
            },
          }
        : r,
    );
    port.declarable = true;
    const recorded: string[] = [];
    const scope = { evaluationId: 'reference:nomenclature@3', from: '2025-01-01', to: '2025-12-31', onNotChecked: (e: { ruleId: string }[]) => recorded.push(...e.map((x) => x.ruleId)) };
    const report = await reevaluateStored(db.db, broken, port, scope, () => new Date('2026-11-27T11:00:00Z'));
    expect(report).toMatchObject({ declarations: 1, superseded: 0 });
    // C08 failed; the other records are rules that ran but could not decide on the item (no tariff facts here).
    expect(report.notChecked).toBe(recorded.length);
    expect(recorded.filter((id) => id === 'C08')).toEqual(['C08']);
    const recordedOnce = [...recorded];
    const c08After = await withAllTenants(db.db, (trx) => trx.selectFrom('findings').select(['finding_id', 'status']).where('declaration_id', '=', 'decl-9').where('rule_id', '=', 'C08').execute());
    expect(c08After).toEqual(c08Before);
    const rows = await withAllTenants(db.db, (trx) => trx.selectFrom('not_checked').selectAll().where('declaration_id', '=', 'decl-9').where('cause', '=', 'rule_failed').execute());
    expect(rows).toEqual([
      expect.objectContaining({
        tenant_id: 'tenant-a',
        declaration_version: 1,
        rule_id: 'C08',
        cause: 'rule_failed',
        event_id: 'reference:nomenclature@3',
        reason: "rule C08 could not decide (evaluate failed: Cannot read properties of undefined (reading 'validityStart')); its findings from the previous evaluation were kept",
      }),
    ]);

    // Repeating the same re-evaluation records nothing twice.
    expect(await reevaluateStored(db.db, broken, port, scope, () => new Date('2026-11-27T12:00:00Z'))).toMatchObject({ notChecked: 0, superseded: 0 });
    expect(recorded).toEqual(recordedOnce);
  });

  it('a change naming commodity codes re-checks only the declarations with those codes (measured: window vs narrowed)', async () => {
    const port = new ScriptedReferencePort(true, 'ott-measures@1');
    // 48 declarations in 2023 over four codes; two of them declare the 8-digit CN code only.
    const codes = ['0101210000', '2924297099', '6109100010', '29242970'];
    const decls = Array.from({ length: 48 }, (_, i) => declaration(`narrow-${String(i).padStart(2, '0')}`, `2023-0${1 + (i % 9)}-15`, codes[i % 4]!));
    const results = await checkBatch(RULES, port, decls, new Date('2026-11-27T10:00:00Z'));
    await withAllTenants(db.db, (trx) =>
      persistFirstChecks(
        trx,
        results.map((r) => ({ r, parent: undefined })),
      ),
    );
    const stored = await withAllTenants(db.db, (trx) =>
      trx.selectFrom('checked_declarations').select(['declaration_id', 'commodity_codes8']).where('declaration_id', '=', 'narrow-03').executeTakeFirstOrThrow(),
    );
    expect(stored.commodity_codes8).toEqual(['29242970']);

    const window = { evaluationId: 'reference:ott-measures@2', from: '2023-01-01', to: '2023-12-31' };
    const full = await reevaluateStored(db.db, RULES, port, window, () => new Date('2026-11-27T11:00:00Z'));
    // An OTT sync that changed 2924297099 only: its declarations, 10-digit and 8-digit (24 of 48).
    const narrowed = await reevaluateStored(db.db, RULES, port, { ...window, commodityCodes: ['2924297099'] }, () => new Date('2026-11-27T11:00:00Z'));
    const none = await reevaluateStored(db.db, RULES, port, { ...window, commodityCodes: ['0302110000'] }, () => new Date('2026-11-27T11:00:00Z'));
    expect([full.declarations, narrowed.declarations, none.declarations]).toEqual([48, 24, 0]);
    process.stdout.write(`re-evaluation after a DatasetChanged naming 1 of 4 codes: ${narrowed.declarations} declarations re-checked (${full.declarations} by the date window alone)\n`);
  });

  it('migration 0009 fills the codes of declarations stored before it', async () => {
    const old = await createTestDatabase('reeval-old');
    const odb = createDb<ValidationDb>({ url: old.urlFor('validation'), schema: 'validation' });
    try {
      const before = Object.fromEntries(Object.entries(migrations).filter(([k]) => k < '0009'));
      await migrateToLatest(odb.db as never, 'validation', before);
      const d = declaration('decl-old', '2024-02-02', '0101210000');
      await withAllTenants(odb.db, (trx) =>
        trx
          .insertInto('checked_declarations')
          .values({ tenant_id: d.tenantId, declaration_id: d.declarationId, declaration_version: 1, acceptance_date: d.acceptanceDate, payload: Buffer.from(Declaration.encode(d).finish()) } as never)
          .execute(),
      );
      await migrateToLatest(odb.db as never, 'validation', migrations);
      const row = await withAllTenants(odb.db, (trx) => trx.selectFrom('checked_declarations').select('commodity_codes8').executeTakeFirstOrThrow());
      expect(row.commodity_codes8).toEqual(['01012100']);
    } finally {
      await odb.close();
      await old.drop();
    }
  });
});
