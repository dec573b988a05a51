// Analysts' use cases: state changes (one alert or many), assignment, notes. Each is an
// append-only history entry naming the person (the token's subject), when, from, to and why.
import { Alert, AlertStatus, type AlertChanged } from '@customs/contracts';
import { checkTransition } from '../policies/lifecycle';
import type { ChangeKind, Decision, KeyedAlert } from '../policies/model';
import type { Clock } from './correlate';
import type { AlertStore, CorrelationTx } from './ports';

export class TriageError extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface TransitionCommand {
  to: AlertStatus;
  reason: string;
  disposition?: string;
}

function entry(ka: KeyedAlert, actor: string, at: string, from: AlertStatus, kind: ChangeKind, reason: string, extra: { disposition?: string; note?: string } = {}): Decision {
  ka.alert.updatedAt = at;
  return {
    alerts: [
      { key: ka.key, alert: ka.alert, isNew: false, entries: [{ actor, at, from, to: ka.alert.status, kind, reason, notify: kind === 'transition', snapshot: Alert.fromPartial(ka.alert), ...extra }] },
    ],
    terms: [],
    termChecks: [],
    importerDeclarations: [],
    scoreMarks: [],
  };
}

export class Triage {
  constructor(
    private readonly store: AlertStore,
    private readonly clock: Clock,
  ) {}

  private async locked(tx: CorrelationTx, tenantId: string, alertId: string): Promise<KeyedAlert> {
    const ka = await tx.alertForUpdate(tenantId, alertId);
    if (!ka) throw new TriageError(404, 'not_found', `no alert ${alertId}`);
    return ka;
  }

  private transitionIn(tx: CorrelationTx, ka: KeyedAlert, actor: string, cmd: TransitionCommand): Promise<AlertChanged[]> {
    const refused = checkTransition(ka.alert.status, cmd.to, cmd.disposition, cmd.reason);
    if (refused) throw new TriageError(409, 'transition_refused', `${ka.alert.alertId}: ${refused}`);
    const from = ka.alert.status;
    ka.alert.status = cmd.to;
    ka.alert.disposition = cmd.to === AlertStatus.ALERT_STATUS_RESOLVED ? cmd.disposition! : ka.alert.disposition;
    ka.alert.notifiedAt = this.clock.now().toISOString();
    return tx.apply(entry(ka, actor, this.clock.now().toISOString(), from, 'transition', cmd.reason.trim(), { disposition: cmd.disposition }));
  }

  transition(tenantId: string, alertId: string, actor: string, cmd: TransitionCommand): Promise<AlertChanged> {
    return this.store.tenant(tenantId, async (tx) => (await this.transitionIn(tx, await this.locked(tx, tenantId, alertId), actor, cmd))[0]!);
  }

  /** Moves many alerts at once, all or nothing: one refused alert refuses the whole request, naming it. */
  bulkTransition(tenantId: string, alertIds: readonly string[], actor: string, cmd: TransitionCommand): Promise<AlertChanged[]> {
    return this.store.tenant(tenantId, async (tx) => {
      const out: AlertChanged[] = [];
      // Sorted so two bulk requests over the same alerts lock them in the same order.
      for (const id of [...new Set(alertIds)].sort()) out.push(...(await this.transitionIn(tx, await this.locked(tx, tenantId, id), actor, cmd)));
      return out;
    });
  }

  assign(tenantId: string, alertId: string, actor: string, assignee: string, reason: string): Promise<AlertChanged> {
    return this.store.tenant(tenantId, async (tx) => {
      const ka = await this.locked(tx, tenantId, alertId);
      const before = ka.alert.assignee;
      ka.alert.assignee = assignee;
      const why = `${assignee ? `assigned to ${assignee}` : 'unassigned'}${before ? ` (was ${before})` : ''}${reason ? `: ${reason}` : ''}`;
      return (await tx.apply(entry(ka, actor, this.clock.now().toISOString(), ka.alert.status, 'assigned', why)))[0]!;
    });
  }

  note(tenantId: string, alertId: string, actor: string, text: string): Promise<AlertChanged> {
    return this.store.tenant(tenantId, async (tx) => {
      const ka = await this.locked(tx, tenantId, alertId);
      ka.alert.noteCount += 1;
      return (await tx.apply(entry(ka, actor, this.clock.now().toISOString(), ka.alert.status, 'note', 'note added', { note: text })))[0]!;
    });
  }
}
