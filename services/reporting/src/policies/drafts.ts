// Pure core of the drafted corrections (docs/reporting.md): C285 repayment claims from reclaim
// findings and C2001 voluntary-disclosure drafts from exposure findings. decide(findings,
// settings, now) → draft content; no I/O, no clock (the caller passes `now`), integer pence only.
// Grouping follows HMRC's CDS claim service (docs/reporting.md §C285): one claim per importer,
// basis of claim and repayment method with up to 20 MRNs, a scheduled claim (upload file) above.

import { type ClockKind, daysBetween, dayOf, expired, isCalendarDate, statutoryDeadline } from '@customs/legal-clock';

/** The part of a finding (customs.v1.Finding as JSON) the drafts use. */
export interface DraftFinding {
  findingId: string;
  declarationId: string;
  mrn: string;
  itemNumber: number;
  ruleId: string;
  ruleVersion: string;
  title: string;
  importerEori: string;
  declarantId: string;
  commodityCode: string;
  cpc: string;
  acceptanceDate: string; // YYYY-MM-DD
  deadline: string; // YYYY-MM-DD (acceptance + 3 years); empty when the producer did not state it
  exposureDutyPence: number;
  exposureVatPence: number;
  reclaimDutyPence: number;
  reclaimVatPence: number;
  evidence: { field: string; value: string; note: string }[];
  explanation: string;
  correctionRoute: string;
  /** Finding family ("classification", "valuation", …), severity name and when it was raised; '' when not stated. */
  family: string;
  severity: string;
  raisedAt: string;
}

export type RepaymentMethod = 'bank_transfer' | 'current_month_adjustment';

/** Tenant settings the drafts need; `null` = the tenant has not said (drafts say so, never guess). */
export interface DraftSettings {
  vatRegistered: boolean | null;
  repaymentMethod: RepaymentMethod;
}

export const MAX_MRNS_PER_CLAIM = 20;
/** A rule firing on this many MRNs of one importer is treated as a systemic error (one letter). */
export const SYSTEMIC_MIN_MRNS = 3;

/**
 * Rule → HMRC basis of claim (the CDS claim service's enumeration). DOMAIN's mapping is
 * inferred, not HMRC's: a user reviews every draft. A finding whose rule is not listed falls back
 * to the basis its correctionRoute names ("C285:<basis>"), else "Other reason".
 */
export const BASIS_BY_RULE: Readonly<Record<string, string>> = {
  C06: 'Incorrect value',
  C08: 'Incorrect commodity code',
  C09: 'Incorrect commodity code',
  C10: 'Incorrect commodity code',
  C11: 'Incorrect commodity code',
  C15: 'Duty suspension',
  C21: 'Preferential rate of duty',
  C22: 'Preferential rate of duty',
  C24: 'Quota',
  C27: 'Incorrect value',
  C31: 'Incorrect value',
  C32: 'Returned goods relief (RGR)',
  C36: 'Outward processing relief',
  C37: 'Duplicate Movement Reference Number (MRN)',
};

/** Evidence HMRC asks for per basis (C285CDS guidance; commercial invoice and declaration always). */
export const EVIDENCE_BY_BASIS: Readonly<Record<string, readonly string[]>> = {
  'Incorrect commodity code': [
    'CDS import declaration and notification of clearance',
    'commercial invoice (not pro forma)',
    'technical description / product specification supporting the correct code',
    'calculation worksheet',
  ],
  'Preferential rate of duty': [
    'CDS import declaration and notification of clearance',
    'commercial invoice (not pro forma)',
    'original proof of origin (statement on origin / certificate) valid at import',
    'calculation worksheet',
  ],
  'Incorrect value': [
    'CDS import declaration and notification of clearance',
    'commercial invoice (not pro forma)',
    'freight / insurance invoices or contract showing the correct customs value',
    'calculation worksheet',
  ],
  'Duty suspension': [
    'CDS import declaration and notification of clearance',
    'commercial invoice (not pro forma)',
    'evidence the suspension conditions were met (end-use authorisation where needed)',
    'calculation worksheet',
  ],
  Quota: ['CDS import declaration and notification of clearance', 'commercial invoice (not pro forma)', 'quota order number and proof of origin', 'calculation worksheet'],
  'Duplicate Movement Reference Number (MRN)': ['both CDS declarations (the duplicate and the original)', 'commercial invoice (not pro forma)', 'air waybill / bill of lading showing one consignment'],
  'Returned goods relief (RGR)': ['CDS import declaration and notification of clearance', 'proof of the original export (export declaration)', 'commercial invoice (not pro forma)'],
  'Outward processing relief': ['CDS import declaration and notification of clearance', 'OPR authorisation and export declaration', 'processing invoice / worksheet'],
  'Other reason': ['CDS import declaration and notification of clearance', 'commercial invoice (not pro forma)', 'explanation of the overpayment and supporting documents', 'calculation worksheet'],
};
const ALWAYS_EVIDENCE = 'proof of authority for a representative to be repaid (when the payee is not the importer)';

export function basisOf(f: Pick<DraftFinding, 'ruleId' | 'correctionRoute'>): string {
  const mapped = BASIS_BY_RULE[f.ruleId];
  if (mapped) return mapped;
  const m = /^C285:\s*(.+)$/.exec(f.correctionRoute.trim());
  return m?.[1]?.trim() || 'Other reason';
}

/** acceptance date + 3 years as YYYY-MM-DD (29 February → 28 February: the legal clock, @customs/legal-clock); null when the date is not a calendar date. */
export function threeYearDeadline(acceptanceDate: string, kind: ClockKind = 'c285_repayment'): string | null {
  return statutoryDeadline(acceptanceDate, kind) || null;
}

/** The deadline the finding states, else acceptance + 3 years of the clock the draft runs on. */
export function deadlineOf(f: Pick<DraftFinding, 'deadline' | 'acceptanceDate'>, kind: ClockKind = 'c285_repayment'): string | null {
  return isCalendarDate(f.deadline) ? f.deadline : threeYearDeadline(f.acceptanceDate, kind);
}

/** Evidence values a worksheet column can use; absent ones are `null` ("not stated"), never guessed. */
function evidenceValue(f: DraftFinding, re: RegExp): string | null {
  return f.evidence.find((e) => re.test(e.field))?.value ?? null;
}

export interface WorksheetRow {
  findingId: string;
  mrn: string;
  itemNumber: number;
  ruleId: string;
  codeDeclared: string | null;
  codeCorrect: string | null;
  customsValue: string | null;
  rateDeclared: string | null;
  rateCorrect: string | null;
  dutyDifferencePence: number;
  vatDifferencePence: number;
  explanation: string;
}

export interface ClaimMrn {
  mrn: string;
  declarationIds: string[];
  acceptanceDate: string;
  /** Earliest deadline of the MRN's lines: the claim must reach HMRC by then. */
  deadline: string;
  daysLeft: number;
  /** Claim per tax type in pence: customs duty (A00/A20… as priced by the rules) and import VAT (B00). */
  dutyPence: number;
  vatPence: number;
  /** Overpaid VAT not on this claim because the importer is VAT-registered (recover on the VAT return). */
  vatOnVatReturnPence: number;
  findingIds: string[];
}

export interface C285Claim {
  importerEori: string;
  basisOfClaim: string;
  repaymentMethod: RepaymentMethod;
  claimType: 'single' | 'multiple' | 'scheduled';
  mrns: ClaimMrn[];
  totalDutyPence: number;
  totalVatPence: number;
  vatOnVatReturnPence: number;
  evidenceChecklist: string[];
  worksheet: WorksheetRow[];
  earliestDeadline: string;
}

export interface ExcludedLine {
  findingId: string;
  mrn: string;
  itemNumber: number;
  ruleId: string;
  acceptanceDate: string;
  deadline: string | null;
  dutyPence: number;
  vatPence: number;
  reason: string;
}

export interface C285Draft {
  kind: 'c285';
  asOf: string;
  vatRegistered: boolean | null;
  notes: string[];
  claims: C285Claim[];
  timeBarred: ExcludedLine[];
  totals: { dutyPence: number; vatPence: number; vatOnVatReturnPence: number; mrnCount: number; claimCount: number; timeBarredDutyPence: number; timeBarredVatPence: number };
}

function worksheetRow(f: DraftFinding, duty: number, vat: number): WorksheetRow {
  return {
    findingId: f.findingId,
    mrn: f.mrn,
    itemNumber: f.itemNumber,
    ruleId: f.ruleId,
    codeDeclared: f.commodityCode || evidenceValue(f, /commodity/i),
    codeCorrect: evidenceValue(f, /(correct|expected|suggested).*code|code.*(correct|expected)/i),
    customsValue: evidenceValue(f, /customs.?value|DE 4\/14|item price/i),
    rateDeclared: evidenceValue(f, /rate.*declared|declared.*rate|DE 4\/5/i),
    rateCorrect: evidenceValue(f, /(preferential|correct|tariff|expected).*rate|rate.*(tariff|expected|correct)/i),
    dutyDifferencePence: duty,
    vatDifferencePence: vat,
    explanation: f.explanation,
  };
}

/**
 * C285 draft from a tenant's current findings. A line is claimable while `now` is on or before its
 * deadline (acceptance + 3 years); later ones are listed as time-barred and kept out of the totals.
 * VAT: a VAT-registered importer recovers import VAT on its VAT return, never on a C285; when the
 * tenant has not said whether it is registered, VAT is left off the claim and the draft says why.
 */
export function decideC285(findings: readonly DraftFinding[], settings: DraftSettings, now: Date): C285Draft {
  const today = dayOf(now);
  const timeBarred: ExcludedLine[] = [];
  const includeVat = settings.vatRegistered === false;
  type Acc = { basis: string; importer: string; byMrn: Map<string, { mrn: ClaimMrn; rows: WorksheetRow[] }> };
  const groups = new Map<string, Acc>();
  for (const f of [...findings].sort((a, b) => a.mrn.localeCompare(b.mrn) || a.itemNumber - b.itemNumber || a.findingId.localeCompare(b.findingId))) {
    const duty = Math.max(0, Math.trunc(f.reclaimDutyPence));
    const vatAll = Math.max(0, Math.trunc(f.reclaimVatPence));
    if (duty + vatAll === 0) continue;
    const deadline = deadlineOf(f);
    if (!deadline) {
      timeBarred.push({
        findingId: f.findingId,
        mrn: f.mrn,
        itemNumber: f.itemNumber,
        ruleId: f.ruleId,
        acceptanceDate: f.acceptanceDate,
        deadline: null,
        dutyPence: duty,
        vatPence: vatAll,
        reason: 'acceptance date unknown: the time limit cannot be checked',
      });
      continue;
    }
    if (expired(deadline, today)) {
      timeBarred.push({
        findingId: f.findingId,
        mrn: f.mrn,
        itemNumber: f.itemNumber,
        ruleId: f.ruleId,
        acceptanceDate: f.acceptanceDate,
        deadline,
        dutyPence: duty,
        vatPence: vatAll,
        reason: `time-barred: the 3-year limit for overpayments passed on ${deadline}`,
      });
      continue;
    }
    const basis = basisOf(f);
    const key = `${f.importerEori}\u0000${basis}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { basis, importer: f.importerEori, byMrn: new Map() }));
    let m = g.byMrn.get(f.mrn);
    if (!m) {
      m = {
        mrn: { mrn: f.mrn, declarationIds: [], acceptanceDate: f.acceptanceDate, deadline, daysLeft: daysBetween(today, deadline), dutyPence: 0, vatPence: 0, vatOnVatReturnPence: 0, findingIds: [] },
        rows: [],
      };
      g.byMrn.set(f.mrn, m);
    }
    const vat = includeVat ? vatAll : 0;
    m.mrn.dutyPence += duty;
    m.mrn.vatPence += vat;
    m.mrn.vatOnVatReturnPence += vatAll - vat;
    m.mrn.findingIds.push(f.findingId);
    if (!m.mrn.declarationIds.includes(f.declarationId)) m.mrn.declarationIds.push(f.declarationId);
    if (deadline < m.mrn.deadline) {
      m.mrn.deadline = deadline;
      m.mrn.daysLeft = daysBetween(today, deadline);
    }
    m.rows.push(worksheetRow(f, duty, vat));
  }

  const claims: C285Claim[] = [];
  for (const g of [...groups.values()].sort((a, b) => a.importer.localeCompare(b.importer) || a.basis.localeCompare(b.basis))) {
    // Earliest deadline first, so the claims that run out soonest are the ones filed first.
    const entries = [...g.byMrn.values()].sort((a, b) => a.mrn.deadline.localeCompare(b.mrn.deadline) || a.mrn.mrn.localeCompare(b.mrn.mrn));
    const claimType = entries.length === 1 ? 'single' : entries.length <= MAX_MRNS_PER_CLAIM ? 'multiple' : 'scheduled';
    const mrns = entries.map((e) => e.mrn);
    claims.push({
      importerEori: g.importer,
      basisOfClaim: g.basis,
      repaymentMethod: settings.repaymentMethod,
      claimType,
      mrns,
      totalDutyPence: mrns.reduce((s, m) => s + m.dutyPence, 0),
      totalVatPence: mrns.reduce((s, m) => s + m.vatPence, 0),
      vatOnVatReturnPence: mrns.reduce((s, m) => s + m.vatOnVatReturnPence, 0),
      evidenceChecklist: [...(EVIDENCE_BY_BASIS[g.basis] ?? EVIDENCE_BY_BASIS['Other reason']!), ALWAYS_EVIDENCE],
      worksheet: entries.flatMap((e) => e.rows),
      earliestDeadline: mrns[0]!.deadline,
    });
  }
  const notes: string[] = [];
  if (settings.vatRegistered === true)
    notes.push('The importer is VAT-registered: import VAT overpaid is not claimed on the C285; adjust it on the VAT return (amounts listed per MRN as "VAT on the VAT return").');
  if (settings.vatRegistered === null)
    notes.push('Whether the importer is VAT-registered is not set (PUT /v1/settings): VAT is left off these claims until it is; a non-registered importer claims it on the C285.');
  if (claims.some((c) => c.claimType === 'scheduled'))
    notes.push(`A claim with more than ${MAX_MRNS_PER_CLAIM} MRNs is filed as a scheduled claim: upload the scheduled-claim file (CSV) with the claim.`);
  notes.push('Bases of claim are mapped from the rules that found the overpayment (an inferred mapping): review each before filing.');
  return {
    kind: 'c285',
    asOf: today,
    vatRegistered: settings.vatRegistered,
    notes,
    claims,
    timeBarred,
    totals: {
      dutyPence: claims.reduce((s, c) => s + c.totalDutyPence, 0),
      vatPence: claims.reduce((s, c) => s + c.totalVatPence, 0),
      vatOnVatReturnPence: claims.reduce((s, c) => s + c.vatOnVatReturnPence, 0),
      mrnCount: claims.reduce((s, c) => s + c.mrns.length, 0),
      claimCount: claims.length,
      timeBarredDutyPence: timeBarred.reduce((s, l) => s + l.dutyPence, 0),
      timeBarredVatPence: timeBarred.reduce((s, l) => s + l.vatPence, 0),
    },
  };
}

/** The scheduled-claim upload file of one claim (CSV: one line per MRN and tax type). */
export function scheduledClaimCsv(claim: C285Claim): string {
  const lines = ['MRN,Tax type,Claim amount (GBP),Basis of claim,Deadline'];
  const gbp = (p: number) => (p / 100).toFixed(2);
  for (const m of claim.mrns) {
    if (m.dutyPence > 0) lines.push([m.mrn, 'Customs duty', gbp(m.dutyPence), csvCell(claim.basisOfClaim), m.deadline].join(','));
    if (m.vatPence > 0) lines.push([m.mrn, 'B00 Import VAT', gbp(m.vatPence), csvCell(claim.basisOfClaim), m.deadline].join(','));
  }
  return `${lines.join('\n')}\n`;
}

export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  // A leading =, +, - or @ would run as a formula in a spreadsheet; quote-prefix neutralises it.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

// ---------------------------------------------------------------- C2001 voluntary disclosure

export interface DisclosureLine {
  findingId: string;
  mrn: string;
  declarationId: string;
  itemNumber: number;
  ruleId: string;
  title: string;
  /** Data element to amend and its declared value, from the finding's first evidence. */
  dataElement: string | null;
  originalValue: string | null;
  /** The corrected value is known only when the finding's evidence states it. */
  correctedValue: string | null;
  procedureCode: string | null;
  /** Owed per tax type in pence; the amount originally paid is not on the finding (null = not known here). */
  dutyOwedPence: number;
  vatOwedPence: number;
  dutyPaidPence: number | null;
  vatPaidPence: number | null;
  /** Import VAT accounted for under postponed VAT: corrected on the VAT return, not on the C2001. */
  postponedVatPence: number;
  acceptanceDate: string;
  deadline: string | null;
  explanation: string;
}

export interface Disclosure {
  importerEori: string;
  /** Systemic: the same rule on SYSTEMIC_MIN_MRNS or more MRNs — one letter to the National Clearance Hub. */
  kind: 'systemic' | 'single';
  ruleId: string | null;
  mrns: string[];
  lines: DisclosureLine[];
  dutyOwedPence: number;
  vatOwedPence: number;
  postponedVatPence: number;
}

export interface C2001Draft {
  kind: 'c2001';
  asOf: string;
  notes: string[];
  disclosures: Disclosure[];
  /** Debts past HMRC's normal 3-year notification limit: listed, kept out of the totals. */
  outsideNormalLimit: ExcludedLine[];
  totals: { dutyOwedPence: number; vatOwedPence: number; postponedVatPence: number; mrnCount: number; lineCount: number };
}

function postponedVat(f: DraftFinding): boolean {
  // DE 4/8 method of payment G = postponed VAT accounting (the rules quote it in their evidence).
  return f.evidence.some((e) => /4\/8|method of payment/i.test(e.field) && /^G\b/.test(e.value.trim()));
}

export function decideC2001(findings: readonly DraftFinding[], now: Date): C2001Draft {
  const today = dayOf(now);
  const outside: ExcludedLine[] = [];
  const lines: (DisclosureLine & { importer: string })[] = [];
  for (const f of [...findings].sort((a, b) => a.mrn.localeCompare(b.mrn) || a.itemNumber - b.itemNumber || a.findingId.localeCompare(b.findingId))) {
    const duty = Math.max(0, Math.trunc(f.exposureDutyPence));
    const vatAll = Math.max(0, Math.trunc(f.exposureVatPence));
    if (duty + vatAll === 0) continue;
    const deadline = deadlineOf(f, 'hmrc_demand');
    if (deadline && expired(deadline, today)) {
      outside.push({
        findingId: f.findingId,
        mrn: f.mrn,
        itemNumber: f.itemNumber,
        ruleId: f.ruleId,
        acceptanceDate: f.acceptanceDate,
        deadline,
        dutyPence: duty,
        vatPence: vatAll,
        reason: `past ${deadline}: beyond HMRC's normal 3-year limit to notify the debt (it can be extended, e.g. for deliberate errors — take advice before leaving it out)`,
      });
      continue;
    }
    const pva = postponedVat(f);
    const first = f.evidence[0];
    lines.push({
      importer: f.importerEori,
      findingId: f.findingId,
      mrn: f.mrn,
      declarationId: f.declarationId,
      itemNumber: f.itemNumber,
      ruleId: f.ruleId,
      title: f.title,
      dataElement: first?.field ?? null,
      originalValue: first?.value ?? null,
      correctedValue: evidenceValue(f, /(correct|expected|should)/i),
      procedureCode: f.cpc || null,
      dutyOwedPence: duty,
      vatOwedPence: pva ? 0 : vatAll,
      dutyPaidPence: null,
      vatPaidPence: null,
      postponedVatPence: pva ? vatAll : 0,
      acceptanceDate: f.acceptanceDate,
      deadline,
      explanation: f.explanation,
    });
  }
  const disclosures: Disclosure[] = [];
  const byImporter = new Map<string, typeof lines>();
  for (const l of lines) byImporter.set(l.importer, [...(byImporter.get(l.importer) ?? []), l]);
  for (const [importer, ls] of [...byImporter.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const byRule = new Map<string, typeof lines>();
    for (const l of ls) byRule.set(l.ruleId, [...(byRule.get(l.ruleId) ?? []), l]);
    const singles: typeof lines = [];
    for (const [rule, rl] of [...byRule.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      if (new Set(rl.map((l) => l.mrn)).size >= SYSTEMIC_MIN_MRNS) disclosures.push(disclosure(importer, 'systemic', rule, rl));
      else singles.push(...rl);
    }
    const byMrn = new Map<string, typeof lines>();
    for (const l of singles) byMrn.set(l.mrn, [...(byMrn.get(l.mrn) ?? []), l]);
    for (const [, ml] of [...byMrn.entries()].sort(([a], [b]) => a.localeCompare(b))) disclosures.push(disclosure(importer, 'single', null, ml));
  }
  const notes = [
    'Amounts originally paid per tax type are not carried on findings: take them from the declaration (DE 4/6 tax lines) before filing.',
    'Systemic errors (the same rule on several MRNs) are grouped into one disclosure letter to the National Clearance Hub.',
    'Import VAT accounted for under postponed VAT accounting is corrected on the VAT return, not on the C2001 (shown separately).',
    'An unprompted voluntary disclosure can mitigate civil penalties: file before HMRC asks.',
  ];
  return {
    kind: 'c2001',
    asOf: today,
    notes,
    disclosures,
    outsideNormalLimit: outside,
    totals: {
      dutyOwedPence: disclosures.reduce((s, d) => s + d.dutyOwedPence, 0),
      vatOwedPence: disclosures.reduce((s, d) => s + d.vatOwedPence, 0),
      postponedVatPence: disclosures.reduce((s, d) => s + d.postponedVatPence, 0),
      mrnCount: new Set(lines.map((l) => l.mrn)).size,
      lineCount: lines.length,
    },
  };
}

function disclosure(importer: string, kind: Disclosure['kind'], ruleId: string | null, ls: (DisclosureLine & { importer: string })[]): Disclosure {
  const clean = ls.map(({ importer: _i, ...l }) => l);
  return {
    importerEori: importer,
    kind,
    ruleId,
    mrns: [...new Set(clean.map((l) => l.mrn))],
    lines: clean,
    dutyOwedPence: clean.reduce((s, l) => s + l.dutyOwedPence, 0),
    vatOwedPence: clean.reduce((s, l) => s + l.vatOwedPence, 0),
    postponedVatPence: clean.reduce((s, l) => s + l.postponedVatPence, 0),
  };
}

/** The findings a draft covers (C285: every claimed MRN's findings; C2001: every disclosed line's). */
export function findingIdsOf(content: C285Draft | C2001Draft): string[] {
  return content.kind === 'c285' ? content.claims.flatMap((c) => c.mrns.flatMap((m) => m.findingIds)) : content.disclosures.flatMap((d) => d.lines.map((l) => l.findingId));
}
