import * as fs from 'node:fs';
import * as path from 'node:path';
import { AlertStatus, Finding, Severity } from '@customs/contracts';
import { alertKey, alertSeverity, parseAlertRule, ruleMatches } from './alert-rules';
import { checkTransition, isOpen } from './lifecycle';

const rulesDir = path.resolve(__dirname, '../../rules');
const load = (f: string) => parseAlertRule(f, fs.readFileSync(path.join(rulesDir, f), 'utf8'));
const finding = (p: Partial<Finding>) => Finding.fromPartial({ findingId: 'f1', declarationId: 'd1', ruleId: 'C08', family: 'classification', severity: Severity.SEVERITY_HIGH, ...p });

describe('alert rules (the shipped rule files)', () => {
  const ar1 = load('AR-001-material-finding.yaml');
  const ar2 = load('AR-002-data-quality.yaml');

  it('parse with metadata and a content hash', () => {
    expect(ar1).toMatchObject({ id: 'AR-001', status: 'stable', level: 'medium', groupBy: ['declaration_id', 'rule_id'] });
    expect(ar1.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ar1.falsepositives.length).toBeGreaterThan(0);
  });

  it('AR-001 fires on material findings and stays silent on low-severity data quality', () => {
    expect(ruleMatches(ar1, finding({}))).toBe(true);
    expect(ruleMatches(ar1, finding({ severity: Severity.SEVERITY_LOW, family: 'data-integrity', ruleId: 'C01' }))).toBe(false);
    expect(ruleMatches(ar1, finding({ severity: Severity.SEVERITY_LOW, reclaimDutyPence: 800000 }))).toBe(true);
  });

  it('AR-002 fires on low identifier-format findings only', () => {
    expect(ruleMatches(ar2, finding({ severity: Severity.SEVERITY_LOW, family: 'data-integrity', ruleId: 'C01' }))).toBe(true);
    expect(ruleMatches(ar2, finding({ severity: Severity.SEVERITY_LOW, family: 'data-integrity', ruleId: 'C03' }))).toBe(false);
    expect(ruleMatches(ar2, finding({}))).toBe(false);
  });

  it('keys suppression by the group-by fields and raises severity to the finding’s', () => {
    expect(alertKey(ar1, finding({}))).toBe('AR-001|d1|C08');
    expect(alertSeverity(ar1, finding({}))).toBe(Severity.SEVERITY_HIGH);
  });

  it('rejects a malformed rule naming the file and field', () => {
    expect(() => parseAlertRule('bad.yaml', 'id: X1\nname: n\nstatus: stable\nlevel: high\ndescription: d\ntype: finding_match\ngroup_by: [declaration_id]')).toThrow('bad.yaml: field "id" must look like AR-001');
    expect(() => parseAlertRule('bad2.yaml', 'id: AR-009\nname: n\nstatus: stable\nlevel: loud\ndescription: d\ntype: finding_match\ngroup_by: [declaration_id]')).toThrow('bad2.yaml: field "level"');
    expect(() => parseAlertRule('bad3.yaml', 'id: AR-009\nname: n\nstatus: stable\nlevel: low\ndescription: d\ntype: finding_match\ngroup_by: [colour]')).toThrow('unknown field "colour"');
    expect(() => parseAlertRule('bad4.yaml', ': : :')).toThrow('bad4.yaml');
  });
});

describe('alert lifecycle', () => {
  it('allows triage moves with a reason and refuses the rest, saying why', () => {
    expect(checkTransition(AlertStatus.ALERT_STATUS_NEW, AlertStatus.ALERT_STATUS_IN_PROGRESS, undefined, 'looking')).toBeUndefined();
    expect(checkTransition(AlertStatus.ALERT_STATUS_NEW, AlertStatus.ALERT_STATUS_IN_PROGRESS, undefined, '')).toMatch(/reason is required/);
    expect(checkTransition(AlertStatus.ALERT_STATUS_IN_PROGRESS, AlertStatus.ALERT_STATUS_RESOLVED, undefined, 'fixed')).toMatch(/needs a disposition/);
    expect(checkTransition(AlertStatus.ALERT_STATUS_IN_PROGRESS, AlertStatus.ALERT_STATUS_RESOLVED, 'true_positive_reclaimed_c285', 'C285 filed')).toBeUndefined();
    expect(checkTransition(AlertStatus.ALERT_STATUS_ARCHIVED, AlertStatus.ALERT_STATUS_NEW, undefined, 'x')).toMatch(/cannot move an alert from archived to new/);
    expect(isOpen(AlertStatus.ALERT_STATUS_SUPPRESSED)).toBe(true);
    expect(isOpen(AlertStatus.ALERT_STATUS_RESOLVED)).toBe(false);
  });
});
