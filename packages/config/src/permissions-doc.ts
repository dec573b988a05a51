import { type AccessRule, GRPC_METHODS, HTTP_ROUTES, PERMISSIONS, PLATFORM_ROUTES, type Permission, ROLE_DESCRIPTIONS, ROLES, roleHas, rolesAllowed } from './permissions';

// Renders the permission matrix as Markdown: README's summary (between its permissions markers)
// and docs/permissions.md (every route and RPC). scripts/gen-docs.js writes both;
// permissions.unit.test.ts fails when either is stale.

const tick = (r: AccessRule, role: (typeof ROLES)[number]) => (rolesAllowed(r).includes(role) ? (role === 'broker' && r.brokerScoped ? 'its importers' : 'yes') : '—');

/** Roles, then permissions × roles: the summary README carries. */
export function renderPermissionSummary(): string {
  const lines = ['| Role | Who |', '|---|---|', ...ROLES.map((r) => `| \`${r}\` | ${ROLE_DESCRIPTIONS[r]} |`), ''];
  lines.push(`| Permission | What | ${ROLES.join(' | ')} |`, `|---|---|${ROLES.map(() => '---').join('|')}|`);
  for (const [perm, what] of Object.entries(PERMISSIONS) as [Permission, string][]) {
    const cells = ROLES.map((role) => (role === 'broker' && perm === 'data:read' ? 'its importers, on broker-scoped routes' : roleHas(role, perm) ? 'yes' : '—'));
    lines.push(`| \`${perm}\` | ${what} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

const row = (what: string, r: AccessRule) => `| \`${what}\` | \`${r.permission}\` | ${ROLES.map((role) => tick(r, role)).join(' | ')} |`;

/** docs/permissions.md: every route of every service and every RPC. */
export function renderPermissionsDoc(): string {
  const head = `| Route | Permission | ${ROLES.join(' | ')} |\n|---|---|${ROLES.map(() => '---').join('|')}|`;
  const out = [
    '# Permissions',
    '',
    'Generated from `packages/config/src/permissions.ts` by `node scripts/gen-docs.js`; do not edit by hand',
    '(`packages/config/src/permissions.unit.test.ts` fails when this file is stale).',
    '',
    'A service refuses to start when one of its routes or RPCs has no entry, a role the entry does not',
    'allow gets 403 `forbidden` (gRPC `PERMISSION_DENIED`) before the request body is read, and',
    '`packages/testing/e2e/permissions.e2e.test.ts` calls every route of the running services with every',
    'role and compares the answer with this table. "its importers": a broker sees the records of the',
    'importers its token names and gets 404 for any other, as for an unknown id.',
    '',
    renderPermissionSummary(),
    '',
    '## Every service',
    '',
    head,
    ...Object.entries(PLATFORM_ROUTES).map(([k, r]) => row(k, r)),
  ];
  for (const [service, routes] of Object.entries(HTTP_ROUTES)) out.push('', `## ${service}`, '', head, ...Object.entries(routes).map(([k, r]) => row(k, r)));
  out.push('', '## gRPC', '', `| Method | Permission | ${ROLES.join(' | ')} |\n|---|---|${ROLES.map(() => '---').join('|')}|`, ...Object.entries(GRPC_METHODS).map(([k, r]) => row(k, r)), '');
  return out.join('\n');
}
