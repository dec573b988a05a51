// The monthly board report schedule (injected clock): on each tick, for every tenant whose
// schedule token is configured, generate the board reports policies/schedule.ts says are due.
// Tokens are tenant-bound, so the schedule reads the other services with a token of that tenant
// (SCHEDULE_TOKENS_FILE), never a platform token.
import { dueBoardReports } from '../policies/schedule';
import type { BoardReports } from './board';
import type { Clock, FindingsSource, ReportStore } from './ports';

export interface ScheduleTenant {
  tenantId: string;
  subject: string;
  token: string;
}

export async function runBoardSchedule(deps: {
  tenants: readonly ScheduleTenant[];
  findings: FindingsSource;
  reports: ReportStore;
  board: BoardReports;
  clock: Clock;
  dayOfMonth: number;
  log: (msg: string, err?: unknown) => void;
}): Promise<number> {
  let made = 0;
  for (const t of deps.tenants) {
    try {
      const { findings } = await deps.findings.currentFindings(t.token);
      const existing = await deps.reports.list(t.tenantId, { limit: 500 });
      for (const importer of dueBoardReports(
        deps.clock.now(),
        deps.dayOfMonth,
        findings.map((f) => f.importerEori),
        existing,
      )) {
        await deps.board.generate(t.tenantId, `schedule:${t.subject}`, t.token, importer, 'schedule');
        made += 1;
      }
    } catch (e) {
      // One tenant failing (an upstream down) must not stop the others; the next tick retries.
      deps.log(`scheduled board reports for tenant ${t.tenantId} failed`, e);
    }
  }
  return made;
}
