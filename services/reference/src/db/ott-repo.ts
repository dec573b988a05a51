import { DatasetChanged, Topics, type AreaGroup, type StopPressNotice, type TariffChange } from '@customs/contracts';
import { chunksFor, enqueueOutbox, sql, withAllTenants, type Kysely } from '@customs/db';
import { buildEvent } from '@customs/kafka';
import type { OttImport } from '../parse/ott';
import type { DatasetInfo, StoredMeasure } from '../app/store';
import { eventChanges, measureRole } from '../app/tariff-changes';
import type { ReferenceDb } from './migrations';
import { storeQuotaDefinitions, type QuotaDefinitionRow } from './quota-repo';

/** The dataset name every OTT load is versioned under. */
export const OTT_DATASET = 'ott-measures';

export interface OttLoadOutcome {
  info: DatasetInfo;
  previousVersion: string;
  /** The same content was loaded before: nothing written, no event. */
  duplicate: boolean;
  measures: StoredMeasure[];
  groups: Map<string, string[]>;
  effectiveFrom: string;
  effectiveTo: string;
  /** Measures created, updated or ended by this load (relative to what was stored before it). */
  tariffChanges: TariffChange[];
}

/**
 * Persists one OTT load in one transaction: measures (upserted by commodity + SID), group
 * memberships, the dataset version row and `reference.dataset.changed.v1` in the outbox; so the
 * event goes out if and only if the data is there. Loads are serialised by an advisory lock so
 * each names the version it replaces.
 */
export async function persistOttLoad(
  db: Kysely<ReferenceDb>,
  source: string,
  version: string,
  imp: OttImport,
  now = new Date(),
  extra: { stopPress?: StopPressNotice[]; asOf?: string; quotaDefinitions?: QuotaDefinitionRow[] } = {},
): Promise<OttLoadOutcome> {
  const measures: StoredMeasure[] = imp.measures.map((m) => ({ ...m, datasetVersion: version }));
  const effectiveFrom = measures.reduce((min, m) => (!min || m.validFrom < min ? m.validFrom : min), '');
  const effectiveTo = measures.some((m) => !m.validTo) ? '' : measures.reduce((max, m) => (m.validTo > max ? m.validTo : max), '');
  const loadedAt = now.toISOString();
  const info: DatasetInfo = { dataset: OTT_DATASET, version, source, rows: measures.length + [...imp.groups.values()].reduce((n, g) => n + g.length, 0) };
  return withAllTenants(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('reference.ott-load'))`.execute(trx);
    const previous = await trx.selectFrom('dataset_versions').select(['version']).where('dataset', '=', OTT_DATASET).orderBy('loaded_at', 'desc').limit(1).executeTakeFirst();
    const seen = await trx.selectFrom('dataset_versions').select('version').where('dataset', '=', OTT_DATASET).where('version', '=', version).executeTakeFirst();
    if (seen) return { info, previousVersion: previous?.version ?? '', duplicate: true, measures, groups: imp.groups, effectiveFrom, effectiveTo, tariffChanges: [] };
    // What the load changes, measured against the rows stored before it: dependants re-evaluate
    // only these codes, and alerting learns of new or ended remedies, suspensions, preferences.
    const codes = [...new Set([...imp.commodityCodes, ...measures.map((m) => m.commodityCode)])].sort();
    const before = new Map<
      string,
      {
        commodity_code: string;
        measure_type: string;
        geographical_area: string;
        excluded_areas: string[];
        expression: string;
        additional_code: string;
        valid_from: string;
        valid_to: string;
        quota_order_number: string;
      }
    >();
    for (const chunk of chunksFor(codes, 1)) {
      if (chunk.length === 0) continue;
      const rows = await trx
        .selectFrom('ott_measures')
        .select(['commodity_code', 'sid', 'measure_type', 'geographical_area', 'excluded_areas', 'expression', 'additional_code', 'valid_from', 'valid_to', 'quota_order_number'])
        .where('commodity_code', 'in', chunk)
        .execute();
      for (const r of rows) before.set(`${r.commodity_code}|${r.sid}`, r);
    }
    const tariffChanges: TariffChange[] = [];
    const heldBefore = new Set([...before.values()].map((r) => r.commodity_code));
    for (const m of measures) {
      const old = before.get(`${m.commodityCode}|${m.sid}`);
      const same =
        old &&
        old.measure_type === m.measureType &&
        old.geographical_area === m.geographicalArea &&
        old.expression === m.expression &&
        old.additional_code === m.additionalCode &&
        old.valid_from === m.validFrom &&
        old.valid_to === m.validTo &&
        old.quota_order_number === m.quotaOrderNumber &&
        old.excluded_areas.join('|') === m.excludedAreas.join('|');
      if (same) continue;
      const change = !old ? 'created' : !old.valid_to && m.validTo ? 'ended' : 'updated';
      tariffChanges.push({
        commodityCode: m.commodityCode,
        geographicalArea: m.geographicalArea,
        excludedAreas: m.excludedAreas,
        measureType: m.measureType,
        change,
        validFrom: m.validFrom,
        validTo: m.validTo,
        expression: m.expression,
        measureSid: m.sid,
        role: measureRole(m.measureType, m.quotaOrderNumber),
        codeHeldBefore: heldBefore.has(m.commodityCode),
      });
    }
    for (const chunk of chunksFor(measures, 11)) {
      await trx
        .insertInto('ott_measures')
        .values(
          chunk.map((m) => ({
            commodity_code: m.commodityCode,
            sid: m.sid,
            measure_type: m.measureType,
            geographical_area: m.geographicalArea,
            excluded_areas: m.excludedAreas,
            expression: m.expression,
            additional_code: m.additionalCode,
            valid_from: m.validFrom,
            valid_to: m.validTo,
            quota_order_number: m.quotaOrderNumber,
            dataset_version: version,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['commodity_code', 'sid']).doUpdateSet((eb) => ({
            measure_type: eb.ref('excluded.measure_type'),
            geographical_area: eb.ref('excluded.geographical_area'),
            excluded_areas: eb.ref('excluded.excluded_areas'),
            expression: eb.ref('excluded.expression'),
            additional_code: eb.ref('excluded.additional_code'),
            valid_from: eb.ref('excluded.valid_from'),
            valid_to: eb.ref('excluded.valid_to'),
            quota_order_number: eb.ref('excluded.quota_order_number'),
            dataset_version: eb.ref('excluded.dataset_version'),
          })),
        )
        .execute();
    }
    // A group whose membership changed changes the answer of every code with a measure on that
    // group: those codes are affected too.
    const changedGroups: string[] = [];
    if (imp.groups.size) {
      const stored = await trx
        .selectFrom('geo_group_members')
        .select(['group_id', 'member'])
        .where('group_id', 'in', [...imp.groups.keys()])
        .execute();
      const held = new Map<string, Set<string>>();
      for (const r of stored) held.set(r.group_id, (held.get(r.group_id) ?? new Set()).add(r.member));
      for (const [g, members] of imp.groups) {
        const now = new Set(members);
        const was = held.get(g);
        if (!was || was.size !== now.size || [...now].some((m) => !was.has(m))) changedGroups.push(g);
      }
    }
    // Codes whose answer can change: a measure created/updated/ended, or a snapshot that makes the
    // code's measures complete from an earlier date than held (measures_loaded answers change).
    const affected = new Set(tariffChanges.map((c) => c.commodityCode));
    if (extra.asOf && imp.commodityCodes.length) {
      const covered = new Map<string, string>();
      for (const chunk of chunksFor(imp.commodityCodes, 1)) {
        const rows = await trx.selectFrom('ott_coverage').select(['commodity_code', 'complete_from']).where('commodity_code', 'in', chunk).execute();
        for (const r of rows) covered.set(r.commodity_code, r.complete_from);
      }
      for (const c of imp.commodityCodes) {
        const from = covered.get(c);
        if (from === undefined || extra.asOf < from) affected.add(c);
      }
    }
    for (const m of measures) if (changedGroups.includes(m.geographicalArea)) affected.add(m.commodityCode);
    if (changedGroups.length) {
      const onGroups = await trx.selectFrom('ott_measures').select('commodity_code').distinct().where('geographical_area', 'in', changedGroups).execute();
      for (const r of onGroups) affected.add(r.commodity_code);
    }
    // Empty commodity_codes means "every code may be affected", so a load that changed nothing
    // still names its own codes (a bounded, harmless re-check), and a list too long for one event
    // is sent empty (not narrowed).
    const narrowed = affected.size ? [...affected].sort() : codes;
    const affectedCodes = narrowed.length > MAX_EVENT_CODES ? [] : narrowed;
    if (imp.groups.size) {
      // A load states a group's full membership: replace it.
      await trx
        .deleteFrom('geo_group_members')
        .where('group_id', 'in', [...imp.groups.keys()])
        .execute();
      const rows = [...imp.groups].flatMap(([g, members]) => [...new Set(members)].map((member) => ({ group_id: g, member, dataset_version: version })));
      for (const chunk of chunksFor(rows, 3)) await trx.insertInto('geo_group_members').values(chunk).execute();
    }
    if (extra.quotaDefinitions?.length) await storeQuotaDefinitions(trx, extra.quotaDefinitions, version);
    if (extra.asOf && imp.commodityCodes.length) {
      // Snapshot loads are complete from their as-of date (the earliest one loaded for a code).
      for (const chunk of chunksFor(imp.commodityCodes, 3)) {
        await trx
          .insertInto('ott_coverage')
          .values(chunk.map((c) => ({ commodity_code: c, complete_from: extra.asOf!, dataset_version: version })))
          .onConflict((oc) =>
            oc.column('commodity_code').doUpdateSet({
              complete_from: sql`least(ott_coverage.complete_from, excluded.complete_from)`,
              dataset_version: sql`case when excluded.complete_from < ott_coverage.complete_from then excluded.dataset_version else ott_coverage.dataset_version end`,
            }),
          )
          .execute();
      }
    }
    await trx
      .insertInto('dataset_versions')
      .values({ dataset: OTT_DATASET, version, source, row_count: info.rows, loaded_at: loadedAt, effective_from: effectiveFrom, effective_to: effectiveTo })
      .execute();
    const announced = eventChanges(tariffChanges);
    // Membership of the groups the announced measures name, as held now (this load's included).
    const groupIds = [...new Set(announced.tariffChanges.flatMap((c) => [c.geographicalArea, ...c.excludedAreas]).filter((a) => a !== '1011' && !/^[A-Z]{2}$/.test(a)))].sort();
    const areaGroups: AreaGroup[] = [];
    if (groupIds.length) {
      const rows = await trx.selectFrom('geo_group_members').select(['group_id', 'member']).where('group_id', 'in', groupIds).orderBy('group_id').orderBy('member').execute();
      for (const g of groupIds) {
        const members = rows.filter((r) => r.group_id === g).map((r) => r.member);
        areaGroups.push({ groupId: g, known: members.length > 0, members });
      }
    }
    await enqueueOutbox(trx, 'reference', [
      buildEvent({
        topic: Topics.datasetChanged,
        key: OTT_DATASET,
        value: DatasetChanged.fromPartial({
          dataset: OTT_DATASET,
          version,
          previousVersion: previous?.version ?? '',
          loadedAt,
          effectiveFrom,
          effectiveTo,
          commodityCodes: affectedCodes,
          ...announced,
          areaGroups,
          stopPress: extra.stopPress ?? [],
        }),
        tenant: 'platform',
        source: 'reference',
        subject: OTT_DATASET,
        id: `dataset/${OTT_DATASET}/${version}`,
      }),
    ]);
    return { info, previousVersion: previous?.version ?? '', duplicate: false, measures, groups: imp.groups, effectiveFrom, effectiveTo, tariffChanges };
  });
}

/** Past this many affected codes DatasetChanged names none (not narrowed) to stay bounded (≈ 11 bytes a code). */
export const MAX_EVENT_CODES = 20_000;

/** OTT load versions in load order. */
export async function ottVersions(db: Kysely<ReferenceDb>): Promise<DatasetInfo[]> {
  const rows = await db.selectFrom('dataset_versions').select(['dataset', 'version', 'source', 'row_count']).where('dataset', '=', OTT_DATASET).orderBy('loaded_at').execute();
  return rows.map((r) => ({ dataset: r.dataset, version: r.version, source: r.source, rows: r.row_count }));
}

/** Measures and group memberships written by the given load versions (all when omitted). */
export async function readOttData(db: Kysely<ReferenceDb>, versions?: string[]): Promise<{ measures: StoredMeasure[]; groups: Map<string, string[]>; coverage: Map<string, string> }> {
  if (versions && versions.length === 0) return { measures: [], groups: new Map(), coverage: new Map() };
  // Coverage is small (one row per snapshot-loaded code) and read whole: an earlier as-of may have arrived with any version.
  const coverage = new Map((await db.selectFrom('ott_coverage').select(['commodity_code', 'complete_from']).execute()).map((r) => [r.commodity_code, r.complete_from]));
  let mq = db.selectFrom('ott_measures').selectAll();
  let gq = db.selectFrom('geo_group_members').selectAll();
  if (versions) {
    mq = mq.where('dataset_version', 'in', versions);
    gq = gq.where('dataset_version', 'in', versions);
  }
  const [mrows, grows] = await Promise.all([mq.execute(), gq.execute()]);
  const groups = new Map<string, string[]>();
  for (const g of grows) groups.set(g.group_id, [...(groups.get(g.group_id) ?? []), g.member]);
  return {
    measures: mrows.map((r) => ({
      sid: r.sid,
      commodityCode: r.commodity_code,
      measureType: r.measure_type,
      geographicalArea: r.geographical_area,
      excludedAreas: r.excluded_areas,
      expression: r.expression,
      additionalCode: r.additional_code,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      quotaOrderNumber: r.quota_order_number,
      datasetVersion: r.dataset_version,
    })),
    groups,
    coverage,
  };
}
