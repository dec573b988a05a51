import type { DeclarationChecked } from '@customs/contracts';
import { liteOf } from '../scoring/model';
import type { Outgoing, Store } from './ports';
import { rescore, type Checked } from './rescore';

export interface CheckedEvent {
  eventId: string;
  checked: DeclarationChecked;
}

/**
 * Use case: validation checked a declaration version (validation.declaration.checked.v1, carrying
 * that version's findings; a re-check supersedes the earlier check's). Stores the findings as the
 * declaration's validation findings and re-scores it. An older version arriving late is ignored.
 */
export async function onDeclarationsChecked(store: Store, events: readonly CheckedEvent[], now: string): Promise<Outgoing[]> {
  const byTenant = new Map<string, Map<string, CheckedEvent>>();
  for (const e of events) {
    const c = e.checked;
    const m = byTenant.get(c.tenantId) ?? new Map<string, CheckedEvent>();
    const have = m.get(c.declarationId);
    if (!have || have.checked.declarationVersion <= c.declarationVersion) m.set(c.declarationId, e);
    byTenant.set(c.tenantId, m);
  }
  await store.lockTenants([...byTenant.keys()]);
  const out: Outgoing[] = [];
  for (const [tenant, decls] of [...byTenant.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const stored = await store.loadDeclScores(tenant, [...decls.keys()]);
    const checked = new Map<string, Checked>();
    for (const [id, e] of decls) {
      const c = e.checked;
      const prev = stored.get(id);
      if (prev && prev.checked && prev.declaration_version > c.declarationVersion) continue;
      checked.set(id, {
        version: c.declarationVersion,
        findings: c.findings.map((f) => liteOf(f, 1)),
        mrn: c.mrn,
        lrn: c.lrn,
        importer: c.importerEori,
        declarant: c.declarantId,
        date: c.acceptanceDate,
      });
    }
    if (checked.size === 0) continue;
    out.push(...(await rescore(store, tenant, [...checked.keys()].sort(), now, [...decls.values()][0]!.eventId, checked)));
  }
  return out;
}
