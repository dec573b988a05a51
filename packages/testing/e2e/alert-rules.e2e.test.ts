// infra/prometheus/alerts.yml and the Grafana dashboard (infra/grafana) are checked without
// promtool (not installable here): the rule file has Prometheus's structure, and every metric
// their expressions name is one the real services expose on /metrics (scraped from the five
// pipeline services running in this process on real Kafka and Postgres), so a renamed metric
// cannot leave an alert that never fires or a panel that stays empty.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../src';
import { type Platform, startPlatform } from './harness';

// Series Prometheus makes itself for every target, not exposed by a service.
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'];

/** The metric names a PromQL expression reads (label names, matchers, functions and strings left out). */
function metricNamesOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names = new Set<string>();
  for (const m of bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) {
    const name = m[1]!;
    if (/^(sum|avg|min|max|count|rate|increase|histogram_quantile|by|on|and|or|unless|bool|le|offset|group_left|group_right|ignoring|without)$/.test(name) || /^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

function exposed(name: string, families: Map<string, string>): boolean {
  if (families.has(name) || PROMETHEUS_SERIES.has(name)) return true;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s));
  return !!suffix && families.get(name.slice(0, -suffix.length)) === 'histogram';
}

interface Rule {
  alert?: string;
  record?: string;
  expr: unknown;
  for?: unknown;
  labels?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

describe('Prometheus alert rules and the Grafana dashboard name real metrics', () => {
  let p: Platform;
  const families = new Map<string, string>();

  beforeAll(async () => {
    p = await startPlatform('alertrules');
    for (const svc of Object.values(p.services)) {
      const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
      for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1]!, m[2]!);
    }
  });
  afterAll(async () => p?.stop());

  it('the scrape holds the platform metrics', () => {
    for (const name of [
      'customs_http_request_duration_seconds',
      'customs_grpc_server_duration_seconds',
      'customs_kafka_consumer_lag',
      'customs_outbox_oldest_age_seconds',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
    ])
      expect({ name, type: families.get(name) }).toEqual({ name, type: expect.any(String) });
  });

  it('alerts.yml has the structure Prometheus loads, and every expression names exposed metrics', () => {
    const doc = parse(fs.readFileSync(path.join(REPO_ROOT, 'infra/prometheus/alerts.yml'), 'utf8')) as { groups: { name: unknown; rules: Rule[] }[] };
    expect(Object.keys(doc)).toEqual(['groups']);
    const alerts = new Set<string>();
    const unknown: string[] = [];
    for (const g of doc.groups) {
      expect(typeof g.name).toBe('string');
      expect(g.rules.length).toBeGreaterThan(0);
      for (const r of g.rules) {
        const where = `${g.name}/${r.alert ?? r.record}`;
        expect({ where, alert: typeof r.alert, expr: typeof r.expr }).toEqual({ where, alert: 'string', expr: 'string' });
        expect(Object.keys(r).filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(k))).toEqual([]);
        expect(r.alert).toMatch(/^Customs[A-Z][A-Za-z0-9]+$/);
        expect(alerts.has(r.alert!)).toBe(false);
        alerts.add(r.alert!);
        if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smhd]$/);
        expect(['page', 'warn']).toContain(r.labels?.severity);
        expect(typeof r.annotations?.summary).toBe('string');
        expect(r.annotations?.description).toMatch(/docs\//);
        // Balanced brackets: a typo Prometheus would refuse at load.
        for (const [open, close] of [
          ['(', ')'],
          ['{', '}'],
          ['[', ']'],
        ])
          expect({ where, open, n: (r.expr as string).split(open).length }).toEqual({ where, open, n: (r.expr as string).split(close).length });
        const names = metricNamesOf(r.expr as string);
        expect({ where, names: names.length > 0 }).toEqual({ where, names: true });
        for (const n of names) if (!exposed(n, families)) unknown.push(`${where}: ${n}`);
      }
    }
    expect(unknown).toEqual([]);
    expect(alerts.size).toBeGreaterThanOrEqual(10);
  });

  it('the Grafana dashboard is valid JSON whose every panel query names exposed metrics', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'infra/grafana/customs-platform.json'), 'utf8')) as {
      uid: string;
      panels: { type: string; title: string; targets?: { expr: string }[] }[];
    };
    expect(dash.uid).toBe('customs-platform');
    const graphs = dash.panels.filter((x) => x.type !== 'row');
    expect(graphs.length).toBeGreaterThanOrEqual(10);
    const unknown: string[] = [];
    for (const panel of graphs) {
      expect({ panel: panel.title, targets: (panel.targets ?? []).length > 0 }).toEqual({ panel: panel.title, targets: true });
      for (const t of panel.targets ?? []) for (const n of metricNamesOf(t.expr)) if (!exposed(n, families)) unknown.push(`${panel.title}: ${n}`);
    }
    expect(unknown).toEqual([]);
  });

  it('the expression reader finds metric names and nothing else', () => {
    expect(
      metricNamesOf('sum by (service, le) (rate(customs_http_request_duration_seconds_bucket{route!="/x",status=~"5.."}[5m])) / on (service) group_left process_resident_memory_bytes > 0.9'),
    ).toEqual(['customs_http_request_duration_seconds_bucket', 'process_resident_memory_bytes']);
  });
});
