import type { Declaration } from '@customs/contracts';
import type { DeclFact, LineFact } from './types';

// Declaration → the facts history keeps. Pure: one declaration in, one fact out.

const SUPPLIER_ROLES = ['seller', 'exporter', 'consignor'];

/** Upper case, letters and digits only, single spaces: "Cotton T-shirts," and "COTTON T SHIRTS" match. */
export function normalise(s: string): string {
  return s
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

/** A supplier as history keys it: its id normalised, else its name normalised and country ("NAME|CC"); the evidence register keys suppliers the same way. */
export function supplierKey(p: { id: string; name: string; countryCode: string }): string {
  return p.id ? normalise(p.id) : `${normalise(p.name)}|${p.countryCode.toUpperCase()}`;
}

function supplierOf(parties: readonly { role: string; id: string; name: string; countryCode: string }[]): string {
  for (const role of SUPPLIER_ROLES) {
    const p = parties.find((x) => x.role === role && (x.id || x.name));
    if (p) return supplierKey(p);
  }
  return '';
}

/** Returned goods (CPC 61xx) cite the export they come back from as a previous document of type MRN (DE 2/1), on the item or the header. */
function exportRefOf(cpc: string, item: readonly { type: string; reference: string; line: string }[], header: readonly { type: string; reference: string; line: string }[]): { exportRef?: string } {
  if (!cpc.startsWith('61')) return {};
  const p = item.find((x) => x.type === 'MRN' && x.reference.trim()) ?? header.find((x) => x.type === 'MRN' && x.reference.trim());
  return p ? { exportRef: `${p.reference.trim().toUpperCase()}#${p.line.trim() || '0'}` } : {};
}

/** Extracts what the history checks and scores need from one declaration version. */
export function declFact(d: Declaration): DeclFact {
  const find = (role: string) => d.parties.find((p) => p.role === role)?.id ?? '';
  const importer = (d.importerEori || find('importer')).trim().toUpperCase();
  const declarant = (find('declarant') || find('representative')).trim().toUpperCase();
  const headerSupplier = supplierOf(d.parties);
  const invoices = new Set<string>();
  for (const doc of d.documents) if (doc.code === 'N935' && doc.reference.trim()) invoices.add(normalise(doc.reference));
  const lines: LineFact[] = d.items.map((it) => {
    for (const doc of it.documents) if (doc.code === 'N935' && doc.reference.trim()) invoices.add(normalise(doc.reference));
    let duty = 0;
    let vat = 0;
    let suspended = 0;
    let a00Rate = '';
    let vatRate = '';
    for (const t of it.taxLines) {
      if (t.taxType.startsWith('A')) duty += t.payablePence;
      if (t.taxType === 'B00') vat += t.payablePence;
      suspended += t.suspendedPence;
      if (t.taxType === 'A00' && !a00Rate) a00Rate = t.rate.trim();
      if (t.taxType === 'B00' && !vatRate) vatRate = t.rate.trim();
    }
    const cv = it.customsValuePresent ? it.customsValuePence : it.statisticalValuePence > 0 ? it.statisticalValuePence : null;
    return {
      item: it.itemNumber,
      code: it.commodityCode,
      cn8: it.commodityCode.slice(0, 8),
      desc: normalise(it.description),
      origin: it.originCountry.toUpperCase(),
      preference: it.preference,
      cpc: it.procedureCode,
      cv,
      duty,
      vat,
      suspended,
      a00Rate,
      vatRate,
      netKg: it.netMassKg.trim(),
      supp: it.supplementaryUnits.trim(),
      docs: it.documents.map((x) => x.code),
      ...exportRefOf(it.procedureCode, it.previousDocuments, d.previousDocuments),
    };
  });
  const vatRegistered = d.fiscalReferences.some((f) => f.role === 'FR1' && f.vatId.trim() !== '') || d.items.some((i) => i.taxLines.some((t) => t.taxType === 'B00' && t.methodOfPayment === 'G'));
  return {
    tenant: d.tenantId,
    id: d.declarationId,
    version: d.version,
    mrn: d.mrn,
    lrn: d.lrn,
    date: d.acceptanceDate,
    importer,
    declarant: declarant || importer,
    supplier: headerSupplier || supplierOf(d.items[0]?.parties ?? []),
    invoices: [...invoices].sort(),
    vatRegistered,
    status: d.status,
    changeKind: d.changeKind,
    lines,
  };
}
