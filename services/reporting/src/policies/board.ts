// Pure core of the board report (docs/reporting.md): one page a CFO reads in two minutes, then
// detail. decideBoard(input, now) → the report's figures; every £ is integer pence, and anything
// the platform could not say (scoring has no history yet, an API did not answer) is `null` with
// the reason, never a guessed number. No I/O, no clock.
import { addDays, dayOf } from '@customs/legal-clock';
import type { DraftFinding } from './drafts';
import { deadlineOf as deadline } from './drafts';

export interface BoardAlert {
  alertId: string;
  title: string;
  severity: string;
  status: string;
  assignee: string;
  moneyAtStakePence: number;
  exposurePence: number;
  reclaimPence: number;
  deadline: string;
  declarantId: string;
  mrn: string;
}

export interface Unavailable {
  available: false;
  reason: string;
}
export type Maybe<T> = ({ available: true } & T) | Unavailable;

export interface BoardInput {
  importer: string;
  findings: readonly DraftFinding[];
  alerts: Maybe<{ open: readonly BoardAlert[] }>;
  readiness: Maybe<{ score: number; explanation: string; dimensions: { dimension: string; score: number; known: boolean; atRiskPence: number }[] }>;
  trend: Maybe<{ points: { month: string; score: number }[] }>;
  dum: Maybe<{ metrics: { name: string; value: string; unit: string; known: boolean; explanation: string }[] }>;
  scorecards: Maybe<{ month: string | null; cards: { agentId: string; score: number }[] }>;
  /** C285 drafts the tenant marked submitted, and open drafts (draft/reviewed) — reporting's own data. */
  c285Submitted: { draftId: string; dutyPence: number; vatPence: number }[];
  openDrafts: { draftId: string; kind: string; state: string; createdBy: string; totalPence: number }[];
  previous: { reportId: string; createdAt: string; headline: BoardHeadline } | null;
}

export interface BoardHeadline {
  exposureDutyPence: number;
  exposureVatPence: number;
  reclaimDutyPence: number;
  reclaimVatPence: number;
  findingCount: number;
  openAlertCount: number | null;
  readinessScore: number | null;
  dueIn90DaysPence: number;
}

export interface BoardReport {
  importer: string;
  asOf: string;
  headline: BoardHeadline;
  reclaimClaimedPence: number;
  /** HMRC's repayments are not recorded anywhere on the platform yet. */
  reclaimRecovered: Unavailable;
  readiness: BoardInput['readiness'];
  trend: BoardInput['trend'];
  dum: BoardInput['dum'];
  topRisks: { label: string; ref: string; owner: string; severity: string; moneyPence: number; deadline: string; source: 'alert' | 'finding' }[];
  topRisksSource: 'alerts' | 'findings';
  dueIn90Days: { months: { month: string; exposurePence: number; reclaimPence: number; count: number }[]; totalPence: number; lines: number };
  brokers: { agentId: string; findingCount: number; exposurePence: number; reclaimPence: number; score: number | null }[];
  brokerScoreSource: string;
  changes: {
    since: string | null;
    previousReportId: string | null;
    deltas: { what: string; before: number | null; after: number | null; unit: 'pence' | 'count' | 'score' }[];
    newFindings: number | null;
  };
  actions: { owners: { owner: string; openAlerts: number; moneyPence: number }[]; drafts: BoardInput['openDrafts'] } | Unavailable;
  byFamily: { family: string; findingCount: number; exposurePence: number; reclaimPence: number }[];
  byRule: { ruleId: string; title: string; findingCount: number; exposurePence: number; reclaimPence: number }[];
}

export function decideBoard(input: BoardInput, now: Date): BoardReport {
  const today = dayOf(now);
  const horizon = addDays(today, 90);
  const fs = input.findings.filter((f) => f.importerEori === input.importer);
  const sum = (xs: readonly DraftFinding[], k: 'exposureDutyPence' | 'exposureVatPence' | 'reclaimDutyPence' | 'reclaimVatPence') => xs.reduce((s, f) => s + Math.max(0, Math.trunc(f[k])), 0);
  const money = (f: DraftFinding) => Math.max(0, f.exposureDutyPence) + Math.max(0, f.exposureVatPence) + Math.max(0, f.reclaimDutyPence) + Math.max(0, f.reclaimVatPence);

  const due = fs.filter((f) => {
    const d = deadline(f);
    return d !== null && d >= today && d <= horizon && money(f) > 0;
  });
  const months = new Map<string, { month: string; exposurePence: number; reclaimPence: number; count: number }>();
  for (const f of due) {
    const m = deadline(f)!.slice(0, 7);
    const e = months.get(m) ?? { month: m, exposurePence: 0, reclaimPence: 0, count: 0 };
    e.exposurePence += Math.max(0, f.exposureDutyPence) + Math.max(0, f.exposureVatPence);
    e.reclaimPence += Math.max(0, f.reclaimDutyPence) + Math.max(0, f.reclaimVatPence);
    e.count += 1;
    months.set(m, e);
  }
  const dueTotal = due.reduce((s, f) => s + money(f), 0);

  const open = input.alerts.available ? input.alerts.open : null;
  const headline: BoardHeadline = {
    exposureDutyPence: sum(fs, 'exposureDutyPence'),
    exposureVatPence: sum(fs, 'exposureVatPence'),
    reclaimDutyPence: sum(fs, 'reclaimDutyPence'),
    reclaimVatPence: sum(fs, 'reclaimVatPence'),
    findingCount: fs.length,
    openAlertCount: open ? open.length : null,
    readinessScore: input.readiness.available ? input.readiness.score : null,
    dueIn90DaysPence: dueTotal,
  };

  // Top risks: open alerts are the unit a team acts on (with an owner); without alerting, the
  // largest findings stand in and the report says so.
  const topRisks: BoardReport['topRisks'] = open
    ? [...open]
        .sort((a, b) => b.moneyAtStakePence - a.moneyAtStakePence || a.alertId.localeCompare(b.alertId))
        .slice(0, 10)
        .map((a) => ({ label: a.title, ref: a.alertId, owner: a.assignee || 'unassigned', severity: a.severity, moneyPence: a.moneyAtStakePence, deadline: a.deadline, source: 'alert' as const }))
    : [...fs]
        .sort((a, b) => money(b) - money(a) || a.findingId.localeCompare(b.findingId))
        .slice(0, 10)
        .map((f) => ({
          label: `${f.ruleId} ${f.title} (${f.mrn} item ${f.itemNumber})`,
          ref: f.findingId,
          owner: 'unassigned',
          severity: f.severity,
          moneyPence: money(f),
          deadline: deadline(f) ?? '',
          source: 'finding' as const,
        }));

  const scores = input.scorecards.available ? new Map(input.scorecards.cards.map((c) => [c.agentId, c.score])) : null;
  const brokerMap = new Map<string, BoardReport['brokers'][number]>();
  for (const f of fs) {
    const id = f.declarantId || '(not stated)';
    const b = brokerMap.get(id) ?? { agentId: id, findingCount: 0, exposurePence: 0, reclaimPence: 0, score: scores?.get(id) ?? null };
    b.findingCount += 1;
    b.exposurePence += Math.max(0, f.exposureDutyPence) + Math.max(0, f.exposureVatPence);
    b.reclaimPence += Math.max(0, f.reclaimDutyPence) + Math.max(0, f.reclaimVatPence);
    brokerMap.set(id, b);
  }
  const brokers = [...brokerMap.values()].sort((a, b) => b.exposurePence + b.reclaimPence - (a.exposurePence + a.reclaimPence) || a.agentId.localeCompare(b.agentId));

  const famMap = new Map<string, BoardReport['byFamily'][number]>();
  const ruleMap = new Map<string, BoardReport['byRule'][number]>();
  for (const f of fs) {
    const e = Math.max(0, f.exposureDutyPence) + Math.max(0, f.exposureVatPence);
    const r = Math.max(0, f.reclaimDutyPence) + Math.max(0, f.reclaimVatPence);
    const fam = famMap.get(f.family || 'other') ?? { family: f.family || 'other', findingCount: 0, exposurePence: 0, reclaimPence: 0 };
    fam.findingCount += 1;
    fam.exposurePence += e;
    fam.reclaimPence += r;
    famMap.set(fam.family, fam);
    const ru = ruleMap.get(f.ruleId) ?? { ruleId: f.ruleId, title: f.title, findingCount: 0, exposurePence: 0, reclaimPence: 0 };
    ru.findingCount += 1;
    ru.exposurePence += e;
    ru.reclaimPence += r;
    ruleMap.set(f.ruleId, ru);
  }

  const prev = input.previous;
  const delta = (what: string, unit: 'pence' | 'count' | 'score', k: keyof BoardHeadline) => ({
    what,
    unit,
    before: prev ? (prev.headline[k] as number | null) : null,
    after: headline[k] as number | null,
  });

  let actions: BoardReport['actions'];
  if (open) {
    const owners = new Map<string, { owner: string; openAlerts: number; moneyPence: number }>();
    for (const a of open) {
      const o = owners.get(a.assignee || 'unassigned') ?? { owner: a.assignee || 'unassigned', openAlerts: 0, moneyPence: 0 };
      o.openAlerts += 1;
      o.moneyPence += a.moneyAtStakePence;
      owners.set(o.owner, o);
    }
    actions = { owners: [...owners.values()].sort((a, b) => b.moneyPence - a.moneyPence || a.owner.localeCompare(b.owner)), drafts: input.openDrafts };
  } else {
    actions = { available: false, reason: input.alerts.available ? '' : input.alerts.reason };
  }

  return {
    importer: input.importer,
    asOf: today,
    headline,
    reclaimClaimedPence: input.c285Submitted.reduce((s, d) => s + d.dutyPence + d.vatPence, 0),
    reclaimRecovered: { available: false, reason: 'HMRC repayments are not recorded on the platform yet; "claimed" is what was filed on C285s marked submitted' },
    readiness: input.readiness,
    trend: input.trend,
    dum: input.dum,
    topRisks,
    topRisksSource: open ? 'alerts' : 'findings',
    dueIn90Days: { months: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)), totalPence: dueTotal, lines: due.length },
    brokers,
    brokerScoreSource: input.scorecards.available ? `scoring's broker scorecards${input.scorecards.month ? ` for ${input.scorecards.month}` : ''}` : input.scorecards.reason,
    changes: {
      since: prev?.createdAt ?? null,
      previousReportId: prev?.reportId ?? null,
      deltas: [
        delta('exposure found (duty)', 'pence', 'exposureDutyPence'),
        delta('exposure found (VAT)', 'pence', 'exposureVatPence'),
        delta('reclaim found (duty)', 'pence', 'reclaimDutyPence'),
        delta('reclaim found (VAT)', 'pence', 'reclaimVatPence'),
        delta('active findings', 'count', 'findingCount'),
        delta('open alerts', 'count', 'openAlertCount'),
        delta('audit readiness', 'score', 'readinessScore'),
        delta('due in the next 90 days', 'pence', 'dueIn90DaysPence'),
      ],
      newFindings: prev ? fs.filter((f) => f.raisedAt !== '' && f.raisedAt > prev.createdAt).length : null,
    },
    actions,
    byFamily: [...famMap.values()].sort((a, b) => b.exposurePence + b.reclaimPence - (a.exposurePence + a.reclaimPence) || a.family.localeCompare(b.family)),
    byRule: [...ruleMap.values()].sort((a, b) => b.exposurePence + b.reclaimPence - (a.exposurePence + a.reclaimPence) || a.ruleId.localeCompare(b.ruleId)),
  };
}
