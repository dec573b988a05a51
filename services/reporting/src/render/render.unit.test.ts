import { decideC285 } from '../policies/drafts';
import type { DraftRecord } from '../app/ports';
import { c285Html } from './draft-html';
import { esc, gbp } from './html';

describe('document rendering', () => {
  it('formats pence as pounds with integer arithmetic', () => {
    expect([gbp(0), gbp(5), gbp(123456), gbp(100000000), gbp(-250)]).toEqual(['£0.00', '£0.05', '£1,234.56', '£1,000,000.00', '−£2.50']);
  });

  it('escapes text that came from declarations, so a description cannot inject markup into a draft', () => {
    expect(esc(`<img src=x onerror="a()">&'`)).toBe('&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;&#39;');
    const content = decideC285(
      [
        {
          findingId: 'f1',
          declarationId: 'd1',
          mrn: '24GB<script>',
          itemNumber: 1,
          ruleId: 'C21',
          ruleVersion: '1',
          title: 't',
          importerEori: 'GB1',
          declarantId: 'GB2',
          commodityCode: '</td><script>x()</script>',
          cpc: '',
          acceptanceDate: '2025-01-01',
          deadline: '2028-01-01',
          exposureDutyPence: 0,
          exposureVatPence: 0,
          reclaimDutyPence: 1234,
          reclaimVatPence: 0,
          evidence: [],
          explanation: '<b>x</b>',
          correctionRoute: '',
          family: '',
          severity: '',
          raisedAt: '',
        },
      ],
      { vatRegistered: false, repaymentMethod: 'bank_transfer' },
      new Date('2026-12-02T00:00:00Z'),
    );
    const d: DraftRecord = {
      draftId: 'c285-x',
      kind: 'c285',
      state: 'draft',
      scope: {},
      source: { findingsFeedCursor: 1, findingsConsidered: 1, settings: { vatRegistered: false, repaymentMethod: 'bank_transfer', updatedAt: null }, computedAt: '2026-12-02T00:00:00Z' },
      content,
      createdBy: 'a',
      createdAt: '',
      updatedAt: '',
      hmrcReference: null,
    };
    const html = c285Html(d, content);
    expect(html).not.toContain('<script>');
    expect(html).toContain('24GB&lt;script&gt;');
    expect(html).toContain('£12.34');
    expect(html).toContain('Preferential rate of duty');
  });
});
