// gRPC adapter: ListAlerts (cursor pages), StreamAlerts (filters, resume from a cursor with no
// gap and no repeat) and StreamFindings (the tenant's findings feed). Tenant from the token only.
import {
  AlertChanged,
  AlertingServiceService,
  AlertChange,
  type Alert,
  type ListAlertsRequest,
  type ListAlertsResponse,
  type StreamAlertsRequest,
  type StreamAlertsResponse,
  type StreamFindingsRequest,
  type StreamFindingsResponse,
} from '@customs/contracts';
import { GrpcError, status, type CallContext, type GrpcServer } from '@customs/grpc';
import type { AlertRepo } from '../db/alert-repo';
import type { ChangeWaiter } from '../db/change-listener';
import type { Clock } from '../app/correlate';
import type { HistoryRecord } from '../app/ports';
import { isoDay } from '../policies/deadline';
import { alertForRead } from '../policies/view';

const PAGE = 500;

// Who may read alerts is the permission matrix's (@customs/config), applied by GrpcServer.
function reader(call: CallContext) {
  return call.principal;
}

/** Does a change pass the stream's filters? (Judged on the alert as it became.) */
export function streamFilter(req: StreamAlertsRequest): (h: HistoryRecord) => boolean {
  return (h) => {
    const a: Alert = h.snapshot;
    if (req.minSeverity && a.severity < req.minSeverity) return false;
    if (req.states.length && !req.states.includes(a.status)) return false;
    if (req.alertRuleIds.length && !req.alertRuleIds.includes(a.alertRuleId)) return false;
    if (req.broker && a.declarantId !== req.broker) return false;
    if (req.minPence && a.exposurePence + a.reclaimPence < req.minPence) return false;
    if (req.notifyOnly && !h.notify) return false;
    return true;
  };
}

export function registerGrpc(grpc: GrpcServer, deps: { repo: AlertRepo; changes: ChangeWaiter; clock: Clock }): void {
  const { repo, changes, clock } = deps;
  grpc.addService(AlertingServiceService as never, {
    listAlerts: async (req: ListAlertsRequest, call: CallContext): Promise<ListAlertsResponse> => {
      const p = reader(call);
      if (req.limit < 0 || req.afterCursor < 0) throw new GrpcError(status.INVALID_ARGUMENT, 'limit and after_cursor must not be negative');
      const rows = await repo.changedAfter(p.tenantId, req.afterCursor, Math.min(req.limit || 100, 1000));
      const today = isoDay(clock.now());
      return { alerts: rows.map((r) => alertForRead(r.alert, today)), nextCursor: rows.at(-1)?.cursor ?? req.afterCursor };
    },
    streamAlerts: async (req: StreamAlertsRequest, call: CallContext, send: (m: StreamAlertsResponse) => Promise<void>) => {
      const p = reader(call);
      if (req.afterCursor < 0) throw new GrpcError(status.INVALID_ARGUMENT, 'after_cursor must not be negative');
      const pass = streamFilter(req);
      let cursor = req.afterCursor;
      while (!call.cancelled() && !changes.closed) {
        const rows = await repo.historyAfter(p.tenantId, cursor, PAGE);
        const today = isoDay(clock.now());
        for (const h of rows) {
          // The cursor moves past filtered-out changes too, so a resume never re-reads them.
          cursor = h.cursor;
          if (!pass(h)) continue;
          await send({
            change: AlertChanged.fromPartial({
              alert: { ...alertForRead(h.snapshot, today), cursor: h.cursor },
              change: AlertChange.fromPartial({
                actor: h.actor,
                fromStatus: h.from,
                toStatus: h.to,
                reason: h.reason,
                at: h.at,
                kind: h.kind,
                notify: h.notify,
                disposition: h.disposition,
                note: h.note,
              }),
            }),
          });
        }
        if (rows.length < PAGE) await changes.wait(1000);
      }
    },
    streamFindings: async (req: StreamFindingsRequest, call: CallContext, send: (m: StreamFindingsResponse) => Promise<void>) => {
      const p = reader(call);
      if (req.afterCursor < 0) throw new GrpcError(status.INVALID_ARGUMENT, 'after_cursor must not be negative');
      let cursor = req.afterCursor;
      while (!call.cancelled() && !changes.closed) {
        const rows = await repo.findingsAfter(p.tenantId, cursor, PAGE);
        for (const r of rows) {
          cursor = r.cursor;
          await send({ cursor: r.cursor, finding: r.finding, change: r.change });
        }
        if (rows.length < PAGE) await changes.wait(1000);
      }
    },
  });
}
