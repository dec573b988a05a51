/**
 * The permission matrix: which role may call which route and RPC, in one place (issue 11,
 * defect 5). Every HTTP route and gRPC method of every service has an entry here; a service whose
 * route or method lacks one refuses to start (@customs/service installs the check), and
 * packages/testing/e2e/permissions.e2e.test.ts calls every route of the running services with
 * every role and compares the answer with this table. README's "Roles and permissions" table is
 * generated from it (scripts/gen-docs.js).
 */

/** The roles a token can carry. */
export const ROLES = ['analyst', 'integrator', 'admin', 'auditor', 'broker'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a route does, as far as access is concerned. A role is granted permissions, never routes,
 * so a new route is one line here naming what it is.
 */
export const PERMISSIONS = {
  public: 'health, readiness and metrics: no token',
  submit: 'submit documents (declarations, ERP receipts)',
  'submissions:read': 'read the tenant’s batches and their results (what was submitted and how it was taken)',
  'data:read': 'read declarations, findings, scores, alerts, reports, drafts and cases',
  'reference:read': 'read reference data and rule catalogues (tariff, code lists, rules, lifecycle states)',
  'checks:run': 'check a draft declaration before lodging it',
  triage: 'change an alert’s state, assignee or notes',
  'reports:write': 'draft claims, publish reports, open and work cases',
  'records:correct': 'correct the record: merge two declarations that are one (a corrected MRN)',
  'config:read': 'read the tenant’s settings: alert rules, exceptions, subscriptions, approved agents, origin evidence register, datasets',
  'config:write': 'change settings: rule settings, exceptions, subscriptions, approved agents, origin evidence register, reference loads, re-scoring',
  'operations:read': 'operational views: dead-lettered events, reference sync runs',
  'audit:read': 'read the audit trail',
} as const;
export type Permission = keyof typeof PERMISSIONS;

/** What each role is granted. admin holds every permission. */
export const ROLE_GRANTS: Record<Role, readonly Permission[]> = {
  analyst: ['submissions:read', 'data:read', 'reference:read', 'checks:run', 'triage', 'reports:write', 'records:correct', 'config:read'],
  integrator: ['submit', 'submissions:read', 'reference:read', 'checks:run'],
  admin: Object.keys(PERMISSIONS) as Permission[],
  // Read-only everything, the audit trail included; no writes at all.
  auditor: ['submissions:read', 'data:read', 'reference:read', 'config:read', 'operations:read', 'audit:read'],
  // Delegated access to some importers' data: data:read only on routes marked brokerScoped, which
  // narrow every answer to the importers the token names (Principal.importers); reference data
  // (the tariff, rule catalogues) like everyone.
  broker: ['data:read', 'reference:read'],
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  analyst: 'reviews and triages: reads all of the tenant’s data, triages alerts, drafts claims and works cases',
  integrator: 'a system that submits documents: submits and reads its batches and their results; no findings, scores, alerts or declarations',
  admin: 'everything, settings included',
  auditor: 'read-only everything, the audit trail included; no writes',
  broker: 'a customs agent with delegated access to the importers its token names: their declarations, findings, scores and alerts only',
};

/** One route's or method's entry. */
export interface AccessRule {
  permission: Permission;
  /**
   * The handler narrows its answer to the importers a broker's token names (declarations,
   * findings, scores, alerts of those importers only). Brokers are refused everywhere else.
   */
  brokerScoped?: boolean;
}

const rule = (permission: Permission, brokerScoped = false): AccessRule => (brokerScoped ? { permission, brokerScoped } : { permission });

/** Routes every platform service has (packages/http and packages/service). */
export const PLATFORM_ROUTES: Record<string, AccessRule> = {
  'GET /healthz': rule('public'),
  'GET /readyz': rule('public'),
  'GET /metrics': rule('public'),
  'GET /v1/openapi.json': rule('reference:read'),
  // The API description (packages/http openapi.ts): public, an integrator reads it before holding a token.
  'GET /openapi.json': rule('public'),
  'GET /docs': rule('public'),
  'GET /docs/*': rule('public'),
  'GET /v1/admin/outbox-dead-letters': rule('operations:read'),
  'GET /v1/admin/audit': rule('audit:read'),
};

/** HTTP routes by service, "METHOD /path" as fastify registers it. */
export const HTTP_ROUTES: Record<string, Record<string, AccessRule>> = {
  ingestion: {
    'POST /v1/documents': rule('submit'),
    'POST /v1/uploads': rule('submit'),
    'POST /v1/erp-receipts': rule('submit'),
    'GET /v1/batches': rule('submissions:read'),
    'GET /v1/batches/:id': rule('submissions:read'),
    'GET /v1/batches/:id/content': rule('submissions:read'),
    'GET /v1/erp-receipts': rule('submissions:read'),
    'GET /v1/reconciliation': rule('data:read'),
    'GET /v1/declarations/:id': rule('data:read', true),
    'GET /v1/declarations/:id/versions': rule('data:read', true),
    'POST /v1/declarations/:id/merge': rule('records:correct'),
    'GET /v1/admin/refused-submissions': rule('operations:read'),
    'GET /v1/admin/refused-submissions/:id/content': rule('operations:read'),
  },
  reference: {
    'GET /v1/commodities/:code': rule('reference:read'),
    'GET /v1/fx/:currency': rule('reference:read'),
    'GET /v1/rates/:code': rule('reference:read'),
    'GET /v1/code-lists/:list/*': rule('reference:read'),
    'GET /v1/schemes/:country': rule('reference:read'),
    'GET /v1/datasets': rule('reference:read'),
    'POST /v1/admin/ott-syncs': rule('config:write'),
    'GET /v1/admin/ott-syncs': rule('operations:read'),
    'POST /v1/admin/ott-loads': rule('config:write'),
    'POST /v1/admin/fx-loads': rule('config:write'),
  },
  validation: {
    'GET /v1/declarations/:id/findings': rule('data:read', true),
    'GET /v1/declarations/:id/checks': rule('data:read'),
    'GET /v1/rules': rule('reference:read'),
    'GET /v1/not-checked': rule('data:read'),
    'GET /v1/declarations/:id/not-checked': rule('data:read'),
    'POST /v1/checks': rule('checks:run'),
    'GET /v1/checks/:id': rule('checks:run'),
  },
  scoring: {
    'GET /v1/scores/:type/:id': rule('data:read', true),
    'GET /v1/scores/:type': rule('data:read'),
    'GET /v1/declarations/:id/scored-lines': rule('data:read', true),
    'GET /v1/history-findings': rule('data:read'),
    'GET /v1/history-rules': rule('reference:read'),
    'GET /v1/scorecards/brokers': rule('data:read'),
    'GET /v1/scorecards/brokers/:id': rule('data:read'),
    'GET /v1/importers/:id/readiness': rule('data:read', true),
    'GET /v1/importers/:id/duty-under-management': rule('data:read', true),
    'GET /v1/trends/:type/:id': rule('data:read'),
    'POST /v1/admin/rescore': rule('config:write'),
    'GET /v1/importers/:id/approved-agents': rule('config:read'),
    'PUT /v1/importers/:id/approved-agents': rule('config:write'),
    'GET /v1/importers/:id/erp-receipts': rule('data:read', true),
    'GET /v1/importers/:id/deferment-lines': rule('data:read', true),
    'GET /v1/importers/:id/origin-evidence': rule('config:read'),
    'POST /v1/importers/:id/origin-evidence': rule('config:write'),
    'PUT /v1/importers/:id/origin-evidence/:evidenceId': rule('config:write'),
    'DELETE /v1/importers/:id/origin-evidence/:evidenceId': rule('config:write'),
  },
  alerting: {
    'GET /v1/alerts': rule('data:read', true),
    'GET /v1/alerts/:id': rule('data:read', true),
    'GET /v1/alerts/:id/history': rule('data:read', true),
    'GET /v1/alerts/stream': rule('data:read'),
    'POST /v1/alerts/:id/transition': rule('triage'),
    'POST /v1/alerts/bulk-transition': rule('triage'),
    'POST /v1/alerts/:id/assign': rule('triage'),
    'POST /v1/alerts/:id/notes': rule('triage'),
    'GET /v1/alerting/states': rule('reference:read'),
    'GET /v1/alert-rules': rule('config:read'),
    'GET /v1/alert-rules/:id': rule('config:read'),
    'PUT /v1/alert-rules/:id/settings': rule('config:write'),
    'GET /v1/alert-settings/audit': rule('audit:read'),
    'GET /v1/alert-exceptions': rule('config:read'),
    'POST /v1/alert-exceptions': rule('config:write'),
    'POST /v1/alert-exceptions/:id/revoke': rule('config:write'),
    'GET /v1/findings-feed': rule('data:read'),
    'POST /v1/webhooks': rule('config:write'),
    'GET /v1/webhooks': rule('config:read'),
    'GET /v1/webhooks/:id': rule('config:read'),
    'PATCH /v1/webhooks/:id': rule('config:write'),
    'DELETE /v1/webhooks/:id': rule('config:write'),
    'GET /v1/webhooks/:id/attempts': rule('config:read'),
    'GET /v1/webhooks/:id/dead-letters': rule('config:read'),
    'POST /v1/webhooks/:id/dead-letters/:cursor/redeliver': rule('config:write'),
    'POST /v1/webhooks/:id/test': rule('config:write'),
    'POST /v1/syslog-destinations': rule('config:write'),
    'GET /v1/syslog-destinations': rule('config:read'),
    'GET /v1/syslog-destinations/:id': rule('config:read'),
    'PATCH /v1/syslog-destinations/:id': rule('config:write'),
    'DELETE /v1/syslog-destinations/:id': rule('config:write'),
  },
  reporting: {
    'GET /v1/settings': rule('config:read'),
    'PUT /v1/settings': rule('config:write'),
    'POST /v1/drafts': rule('reports:write'),
    'GET /v1/drafts': rule('data:read'),
    'GET /v1/drafts/:id': rule('data:read'),
    'GET /v1/drafts/:id/document': rule('data:read'),
    'GET /v1/drafts/:id/scheduled-claims/:n': rule('data:read'),
    'POST /v1/drafts/:id/review': rule('reports:write'),
    'POST /v1/drafts/:id/submit': rule('reports:write'),
    'POST /v1/drafts/:id/withdraw': rule('reports:write'),
    'GET /v1/exports/findings': rule('data:read'),
    'GET /v1/exports/alerts': rule('data:read'),
    'POST /v1/reports': rule('reports:write'),
    'GET /v1/reports': rule('data:read'),
    'GET /v1/reports/:id': rule('data:read'),
    'GET /v1/reports/:id/document': rule('data:read'),
    'GET /v1/playbooks': rule('reference:read'),
    'GET /v1/role-assignments': rule('config:read'),
    'PUT /v1/role-assignments/:role': rule('config:write'),
    'POST /v1/cases': rule('reports:write'),
    'GET /v1/cases': rule('data:read'),
    'GET /v1/cases/:id': rule('data:read'),
    'POST /v1/cases/:id/steps/:step/done': rule('reports:write'),
    'POST /v1/cases/:id/close': rule('reports:write'),
    'GET /v1/cases/:id/pack': rule('data:read'),
  },
};

/** gRPC methods by their full path ("/customs.v1.Service/Method"). */
export const GRPC_METHODS: Record<string, AccessRule> = {
  '/customs.v1.IngestionService/GetDeclaration': rule('data:read'),
  '/customs.v1.ReferenceService/LookupCommodities': rule('reference:read'),
  '/customs.v1.ReferenceService/LookupFx': rule('reference:read'),
  '/customs.v1.ReferenceService/LookupRates': rule('reference:read'),
  '/customs.v1.ReferenceService/LookupCodeLists': rule('reference:read'),
  '/customs.v1.ReferenceService/LookupSchemes': rule('reference:read'),
  '/customs.v1.ReferenceService/ComputeDuties': rule('reference:read'),
  '/customs.v1.ValidationService/ListFindings': rule('data:read'),
  '/customs.v1.ValidationService/CheckDeclaration': rule('checks:run'),
  '/customs.v1.ScoringService/GetScore': rule('data:read'),
  '/customs.v1.ScoringService/GetBrokerScorecards': rule('data:read'),
  '/customs.v1.ScoringService/GetImporterReadiness': rule('data:read'),
  '/customs.v1.ScoringService/GetTrend': rule('data:read'),
  '/customs.v1.ScoringService/ListScoredLines': rule('data:read'),
  '/customs.v1.AlertingService/ListAlerts': rule('data:read'),
  '/customs.v1.AlertingService/StreamAlerts': rule('data:read'),
  '/customs.v1.AlertingService/StreamFindings': rule('data:read'),
};

/** The entry of one HTTP route of a service (HEAD answers as its GET), or undefined. */
export function httpRule(service: string, method: string, url: string): AccessRule | undefined {
  const key = `${method === 'HEAD' ? 'GET' : method} ${url}`;
  // The browsable API page's own routes (@fastify/swagger-ui under /docs: index, assets, json, yaml).
  if (key.startsWith('GET /docs/')) return PLATFORM_ROUTES['GET /docs/*'];
  return PLATFORM_ROUTES[key] ?? HTTP_ROUTES[service]?.[key];
}

/** The entry of one gRPC method, or undefined. */
export function grpcRule(path: string): AccessRule | undefined {
  return GRPC_METHODS[path];
}

export function roleHas(role: Role, permission: Permission): boolean {
  return permission === 'public' || ROLE_GRANTS[role].includes(permission);
}

/**
 * Why a role may not use a route, or undefined when it may: the pure decision the HTTP hook and
 * the gRPC interceptor both apply.
 */
export function refusal(role: Role, r: AccessRule): string | undefined {
  if (r.permission === 'public') return undefined;
  if (!roleHas(role, r.permission)) return `role ${role} may not ${PERMISSIONS[r.permission]} (permission ${r.permission})`;
  if (role === 'broker' && r.permission === 'data:read' && !r.brokerScoped)
    return 'a broker’s delegated access covers its importers’ declarations, findings, scores and alerts only; this is not scoped to importers';
  return undefined;
}

/** Roles allowed by an entry (for the generated README table). */
export function rolesAllowed(r: AccessRule): Role[] {
  return ROLES.filter((role) => refusal(role, r) === undefined);
}
