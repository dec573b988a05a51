import * as fs from 'node:fs';
import * as path from 'node:path';
import { TokenAuthenticator, maySeeImporter } from './auth';
import { GRPC_METHODS, HTTP_ROUTES, ROLES, httpRule, refusal } from './permissions';
import { renderPermissionSummary, renderPermissionsDoc } from './permissions-doc';

const ROOT = path.resolve(__dirname, '../../..');

describe('permission matrix', () => {
  it('is what docs/permissions.md and README say (regenerate with node scripts/gen-docs.js)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'docs/permissions.md'), 'utf8')).toBe(renderPermissionsDoc());
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = /<!-- permissions:begin[^>]*-->\n([\s\S]*?)\n<!-- permissions:end -->/.exec(readme);
    expect(section?.[1]).toBe(renderPermissionSummary());
  });

  it('keeps integrators to submissions, auditors to reading, and brokers to their importers', () => {
    const ingestion = HTTP_ROUTES.ingestion!;
    expect(refusal('integrator', ingestion['POST /v1/documents']!)).toBeUndefined();
    expect(refusal('integrator', ingestion['GET /v1/batches/:id']!)).toBeUndefined();
    expect(refusal('integrator', ingestion['GET /v1/declarations/:id']!)).toMatch(/role integrator may not read declarations/);
    for (const [svc, routes] of Object.entries(HTTP_ROUTES))
      for (const [route, rule] of Object.entries(routes)) {
        // No write of any kind for an auditor; every read for one.
        if (!route.startsWith('GET ')) expect([svc, route, refusal('auditor', rule) !== undefined]).toEqual([svc, route, true]);
        else expect([svc, route, refusal('auditor', rule)]).toEqual([svc, route, rule.permission === 'checks:run' ? expect.any(String) : undefined]);
        if (rule.permission === 'data:read') expect([svc, route, refusal('broker', rule) === undefined]).toEqual([svc, route, rule.brokerScoped === true]);
        expect(refusal('admin', rule)).toBeUndefined();
      }
    expect(refusal('integrator', GRPC_METHODS['/customs.v1.AlertingService/StreamAlerts']!)).toBeDefined();
    expect(httpRule('alerting', 'HEAD', '/v1/alerts')).toEqual(httpRule('alerting', 'GET', '/v1/alerts'));
    expect(httpRule('alerting', 'GET', '/v1/no-such-route')).toBeUndefined();
    expect(ROLES).toEqual(['analyst', 'integrator', 'admin', 'auditor', 'broker']);
  });

  it('reads broker tokens with their importers and refuses malformed ones, naming the entry', () => {
    const auth = TokenAuthenticator.parse('broker-token-0123456789=acme:broker:jane@agency:GB123456789000+GB987654321000,auditor-token-012345678=acme:auditor');
    const broker = auth.authenticate('Bearer broker-token-0123456789')!;
    expect(broker).toMatchObject({ tenantId: 'acme', role: 'broker', subject: 'jane@agency', importers: ['GB123456789000', 'GB987654321000'] });
    expect(maySeeImporter(broker, 'GB123456789000')).toBe(true);
    expect(maySeeImporter(broker, 'GB555555555000')).toBe(false);
    expect(maySeeImporter(broker, '')).toBe(false);
    const auditor = auth.authenticate('Bearer auditor-token-012345678')!;
    expect(auditor.importers).toBeUndefined();
    expect(maySeeImporter(auditor, 'GB555555555000')).toBe(true);
    expect(() => TokenAuthenticator.parse('broker-token-0123456789=acme:broker:jane')).toThrow('API_TOKENS entry 1: a broker token names the importers it acts for');
    expect(() => TokenAuthenticator.parse('broker-token-0123456789=acme:broker:jane:GB1+not-an-eori')).toThrow('importer "not-an-eori" is not an EORI');
    expect(() => TokenAuthenticator.parse('analyst-token-0123456789=acme:analyst:joe:GB123456789000')).toThrow('only a broker token names importers');
    expect(() => TokenAuthenticator.parse('analyst-token-0123456789=acme:superuser')).toThrow('role must be one of analyst, integrator, admin, auditor, broker');
  });
});
