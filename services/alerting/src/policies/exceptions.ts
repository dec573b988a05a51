// Exceptions (allow-lists): an alert matching an active exception is raised as `suppressed`, with
// the exception named in its history, instead of paging anyone. Expired or revoked exceptions
// stop suppressing.
import type { Alert } from '@customs/contracts';

export const EXCEPTION_SCOPE_FIELDS = ['alert_rule_id', 'importer', 'broker', 'declaration_id', 'rule_id', 'commodity_code', 'supplier'] as const;
export type ExceptionScopeField = (typeof EXCEPTION_SCOPE_FIELDS)[number];

export interface AlertException {
  id: string;
  tenantId: string;
  /** Every field given must match (AND); at least one is required. */
  scope: Partial<Record<ExceptionScopeField, string>>;
  owner: string;
  reason: string;
  /** RFC 3339; the exception stops suppressing at this instant. */
  expiresAt: string;
  revokedAt?: string;
  createdBy: string;
  createdAt: string;
}

export function isActive(e: AlertException, now: Date): boolean {
  return !e.revokedAt && Date.parse(e.expiresAt) > now.getTime();
}

function scopeMatches(field: ExceptionScopeField, want: string, a: Alert): boolean {
  switch (field) {
    case 'alert_rule_id':
      return a.alertRuleId === want;
    case 'importer':
      return a.importerEori === want;
    case 'broker':
      return a.declarantId === want;
    case 'declaration_id':
      return a.declarationIds.includes(want) || a.declarationId === want;
    case 'rule_id':
      return a.ruleIds.includes(want);
    case 'commodity_code':
      return a.commodityCodes.includes(want);
    case 'supplier':
      return supplierOf(a) === want;
  }
}

function supplierOf(a: Alert): string {
  return a.entityType === 'supplier' ? a.entityId : a.termField === 'supplier' ? a.termValue : '';
}

/** The first active exception of the alert's tenant that covers it, if any. */
export function matchingException(exceptions: readonly AlertException[], a: Alert, now: Date): AlertException | undefined {
  return exceptions.find((e) => {
    if (e.tenantId !== a.tenantId || !isActive(e, now)) return false;
    const scope = Object.entries(e.scope).filter(([, v]) => v !== undefined && v !== '') as [ExceptionScopeField, string][];
    return scope.length > 0 && scope.every(([f, v]) => scopeMatches(f, v, a));
  });
}
