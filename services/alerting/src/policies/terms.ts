// The values of a declaration new_terms rules watch, per importer. Pure.
import type { Declaration } from '@customs/contracts';
import type { Term, Input } from './model';

const SUPPLIER_ROLES = ['seller', 'exporter', 'consignor'];

function supplier(parties: readonly { role: string; id: string; name: string }[]): string {
  for (const role of SUPPLIER_ROLES) {
    const p = parties.find((x) => x.role === role && (x.id || x.name));
    if (p) return (p.id || p.name).trim();
  }
  return '';
}

/** Declarant (DE 3/18, else the representative), and per item commodity code, origin, CPC and supplier. */
export function declarationInput(eventId: string, d: Declaration): Extract<Input, { kind: 'declaration' }> {
  const party = (role: string) => d.parties.find((p) => p.role === role)?.id ?? '';
  const importer = d.importerEori || party('importer');
  const declarant = party('declarant') || party('representative');
  const terms = new Map<string, Term>();
  const add = (t: Term) => {
    if (t.value) terms.set(`${t.field}|${t.value}`, t);
  };
  add({ field: 'declarant', value: declarant });
  const headerSupplier = supplier(d.parties);
  for (const item of d.items) {
    add({ field: 'commodity_code', value: item.commodityCode });
    add({ field: 'origin_country', value: item.originCountry });
    const apc = item.additionalProcedureCodes[0];
    add({ field: 'cpc', value: item.procedureCode ? `${item.procedureCode}${apc ? `/${apc}` : ''}` : '' });
    add({ field: 'supplier', value: supplier(item.parties) || headerSupplier });
  }
  return {
    kind: 'declaration',
    eventId,
    tenantId: d.tenantId,
    declarationId: d.declarationId,
    version: d.version,
    mrn: d.mrn || d.lrn,
    importer,
    declarant,
    acceptanceDate: d.acceptanceDate,
    terms: [...terms.values()],
  };
}
