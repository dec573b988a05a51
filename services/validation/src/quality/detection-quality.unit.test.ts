// Detection quality of the live rules on a seeded, labelled dataset from @customs/datagen: real
// commodity codes, UKGT rates, HMRC monthly FX and UK preference schemes, with one realistic error
// injected per affected declaration and its expected findings recorded. Writes/checks docs/quality.md.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Declaration, Finding } from '@customs/contracts';
import {
  GeneratedReferenceView,
  INJECTORS,
  MODELLED_BY_CODE,
  MODELLED_TARIFF,
  generateDataset,
  loadFacts,
  toCdsRows,
  toDmsXml,
  worldFor,
  cdsHeaderLine,
  cdsItemLine,
  cdsTaxLine,
  type GeneratedDeclaration,
} from '@customs/datagen';
import { parseDmsDeclaration } from '../../../ingestion/src/parse/dms';
import { parseCdsReports } from '../../../ingestion/src/parse/cds/cds-report';
import { loadBundledStore } from '../../../reference/src/app/load-bundled';
import { RULES, evaluateDeclaration, type ReferenceView } from '../rules';
import { QualityTally, renderQualityDoc, type RuleQuality } from './quality';

const SEED = 20261127;
const DECLARATIONS = 2000;
const TODAY = '2023-12-31';
const DOC = path.resolve(__dirname, '../../../../docs/quality.md');

/**
 * Rules that fall short on realistic generated declarations. The test asserts each defect is still
 * there (so a fix makes it fail until the entry is removed) and docs/quality.md lists them.
 */
// Found with this test and since fixed: pricing ignoring DE 4/9 in C16/C32; C06/C31/C39 pricing Δ as
// rate × Δbase instead of the difference of rounded lines; C26 silent on reported customs values
// (8a9587c); C06 giving up on header-level DE 4/9 instead of apportioning it by item price.
// A rule found falling short is listed here with the reason and the fix until it is fixed.
const KNOWN_DEFECTS: Record<string, { reason: string; fix: string; stillPresent: (r: RuleQuality) => boolean }> = {};

/**
 * Rules that raise false positives on CDS-report data because the reports do not carry what they
 * look for (asserted still present, listed in docs/quality.md, like KNOWN_DEFECTS).
 */
// C32 and C33 were here until both learned that the reports do not carry DE 2/1 and DE 3/39.
const CDS_KNOWN_DEFECTS: Record<string, { reason: string; fix: string }> = {};

function viewOf(g: GeneratedReferenceView): ReferenceView {
  return { commodity: (c, d) => g.commodity(c, d), fx: (c, d) => g.fx(c, d), rates: (c, o, d) => g.rates(c, o, d), codeList: (l, c, d) => g.codeList(l, c, d) };
}

describe('detection quality on a labelled generated dataset', () => {
  const facts = loadFacts();
  const world = worldFor(SEED, undefined, facts);
  const generated = new GeneratedReferenceView(
    facts,
    world.catalogue.map((p) => p.code),
  );
  const view = viewOf(generated);
  const versions = generated.versions();
  const live = new Set(RULES.map((r) => r.meta.id));
  // Only live rules' errors are injected: a declaration carrying an error no live rule checks is not a fair case.
  const dataset: GeneratedDeclaration[] = [...generateDataset({ seed: SEED, declarations: DECLARATIONS, facts, rules: [...live] })];
  const evaluate = (d: Declaration): Finding[] => evaluateDeclaration(RULES, d, view, TODAY, `${TODAY}T00:00:00Z`, versions);
  const tally = new QualityTally(
    RULES,
    INJECTORS.map((i) => i.ruleId),
  );
  for (const g of dataset)
    tally.add(
      g.declaration.declarationId,
      evaluate(g.declaration),
      g.truth.filter((t) => live.has(t.ruleId)),
      g.injected.filter((r) => live.has(r)),
    );
  const results = tally.results();
  const lines = dataset.reduce((s, g) => s + g.declaration.items.length, 0);

  it('generates a realistic labelled set: ~5 lines per declaration, most rules injected, clean majority', () => {
    expect(dataset).toHaveLength(DECLARATIONS);
    expect(lines).toBeGreaterThan(8_000);
    const clean = dataset.filter((g) => g.truth.length === 0).length;
    expect(clean).toBeGreaterThan(DECLARATIONS * 0.3);
    // Every live rule with an injector got cases.
    for (const inj of INJECTORS) if (live.has(inj.ruleId)) expect(results.find((r) => r.ruleId === inj.ruleId)!.expected).toBeGreaterThanOrEqual(10);
  });

  it('every injected rule reaches ≥ 99% precision and recall, with pence-exact amounts (known defects listed)', () => {
    const failures: string[] = [];
    for (const r of results) {
      if (!INJECTORS.some((i) => i.ruleId === r.ruleId) || !live.has(r.ruleId)) continue;
      const defect = KNOWN_DEFECTS[r.ruleId];
      if (defect) {
        if (!defect.stillPresent(r)) failures.push(`${r.ruleId}: the known defect is gone; remove it from KNOWN_DEFECTS`);
        if (r.precision < 0.99) failures.push(`${r.ruleId}: precision ${r.precision.toFixed(3)} ${r.examples.join(' / ')}`);
        continue;
      }
      if (r.precision < 0.99 || r.recall < 0.99 || r.amountsExact !== r.truePositives)
        failures.push(`${r.ruleId}: precision ${r.precision.toFixed(3)} recall ${r.recall.toFixed(3)} £ exact ${r.amountsExact}/${r.truePositives}: ${r.examples.join(' / ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('holds on a second, larger seed too (not tuned to one dataset)', () => {
    const other = new QualityTally(
      RULES,
      INJECTORS.map((i) => i.ruleId),
    );
    const w2 = worldFor(7, 12, facts);
    const g2 = new GeneratedReferenceView(
      facts,
      w2.catalogue.map((p) => p.code),
    );
    const v2 = viewOf(g2);
    for (const g of generateDataset({ seed: 7, declarations: 3000, importers: 12, facts, rules: [...live] })) {
      other.add(g.declaration.declarationId, evaluateDeclaration(RULES, g.declaration, v2, TODAY, `${TODAY}T00:00:00Z`, g2.versions()), g.truth, g.injected);
    }
    const failures = other
      .results()
      .filter((r) => INJECTORS.some((i) => i.ruleId === r.ruleId) && live.has(r.ruleId) && !KNOWN_DEFECTS[r.ruleId])
      .filter((r) => r.precision < 0.99 || r.recall < 0.99 || r.amountsExact !== r.truePositives)
      .map((r) => `${r.ruleId}: precision ${r.precision.toFixed(3)} recall ${r.recall.toFixed(3)} £ exact ${r.amountsExact}/${r.truePositives}: ${r.examples.join(' / ')}`);
    expect(failures).toEqual([]);
  });

  // C14 and C15 are measured on the MODELLED tariff lines of packages/datagen/src/modelled.ts (the
  // rules' own fixture facts: anti-dumping 552 on biodiesel from CA, suspension 112 on LPG engines).
  it('C14 and C15 (on the modelled remedy/suspension lines) reach ≥ 99% precision and recall with pence-exact amounts', () => {
    for (const id of ['C14', 'C15']) {
      const r = results.find((x) => x.ruleId === id)!;
      expect({ id, enough: r.expected >= 10, precision: r.precision >= 0.99, recall: r.recall >= 0.99, exact: r.amountsExact === r.truePositives, examples: r.examples }).toEqual({
        id,
        enough: true,
        precision: true,
        recall: true,
        exact: true,
        examples: [],
      });
    }
  });

  it('clean declarations of the modelled lines carry the remedy / suspension and every rule stays silent on them', () => {
    const clean = dataset.filter((g) => g.truth.length === 0 && g.declaration.items.some((i) => MODELLED_BY_CODE.has(i.commodityCode)));
    expect(clean.length).toBeGreaterThanOrEqual(20);
    for (const code of MODELLED_TARIFF.map((m) => m.code)) expect(clean.some((g) => g.declaration.items.some((i) => i.commodityCode === code))).toBe(true);
    for (const g of clean) {
      for (const item of g.declaration.items) {
        if (item.commodityCode === '3826001020') {
          // Biodiesel from Canada: 6% A00 and its A30 anti-dumping line, both in the VAT value.
          expect(item.originCountry).toBe('CA');
          const a30 = item.taxLines.find((t) => t.taxType === 'A30');
          expect(a30 && a30.payablePence > 0).toBe(true);
          expect(item.vatValuePence).toBe(
            Number(item.taxLines.find((t) => t.taxType === 'A00')!.baseAmount.replace('.', '')) +
              item.taxLines.filter((t) => t.taxType === 'A00' || t.taxType === 'A30').reduce((s, t) => s + t.payablePence, 0),
          );
        }
        if (item.commodityCode === '8407909020') {
          // LPG engine system: suspension claimed (DE 4/17 110), A00 at 0%.
          expect([item.preference, item.taxLines.find((t) => t.taxType === 'A00')!.payablePence]).toEqual(['110', 0]);
        }
      }
    }
    expect(clean.flatMap((g) => evaluate(g.declaration).map((f) => `${g.declaration.declarationId} ${f.ruleId} ${f.explanation}`))).toEqual([]);
  });

  it('rules without an injector stay silent on the generated declarations (no false positives)', () => {
    const noisy = results.filter((r) => !INJECTORS.some((i) => i.ruleId === r.ruleId) && r.falsePositives > 0).map((r) => `${r.ruleId}: ${r.falsePositives} FP: ${r.examples.join(' / ')}`);
    expect(noisy).toEqual([]);
  });

  it('a clean declaration is genuinely clean: every rule silent', () => {
    const clean = dataset.filter((g) => g.truth.length === 0).slice(0, 300);
    expect(clean.flatMap((g) => evaluate(g.declaration).map((f) => `${g.declaration.declarationId} ${f.ruleId} ${f.explanation}`))).toEqual([]);
  });

  // Serialised as DMS XML and read back by the ingestion parser, every declaration gives the same findings.
  const dmsSample = dataset;
  it('round-trips every declaration through DMS XML and the ingestion parser with identical findings', () => {
    for (const g of dmsSample) {
      const res = parseDmsDeclaration(toDmsXml(g.declaration), { sourceName: `${g.declaration.declarationId}.xml` });
      if (!res.ok) throw new Error(JSON.stringify(res.errors));
      // Injected identifier and code errors are (rightly) parser warnings too; clean documents parse without any.
      if (g.truth.length === 0) expect(res.warnings).toEqual([]);
      const parsed: Declaration = { ...res.declaration, tenantId: g.declaration.tenantId, declarationId: g.declaration.declarationId, version: 1 };
      const key = (fs: Finding[]) => fs.map((f) => `${f.ruleId}|${f.itemNumber}|${f.exposureDutyPence}|${f.exposureVatPence}|${f.reclaimDutyPence}|${f.reclaimVatPence}`).sort();
      expect(key(evaluate(parsed))).toEqual(key(evaluate(g.declaration)));
    }
  });

  let cdsNoise: string[] = [];
  let cdsTable: string[] = [];
  it('round-trips the whole dataset through CDS data reports: clean ones stay silent, detection per rule is recorded', async () => {
    let header = cdsHeaderLine();
    let items = cdsItemLine();
    let taxes = cdsTaxLine();
    for (const g of dataset) {
      const r = toCdsRows(g.declaration);
      header += r.header;
      items += r.items;
      taxes += r.taxLines;
    }
    const once = (s: string) =>
      (async function* () {
        yield Buffer.from(s);
      })();
    const { declarations, issues } = await parseCdsReports([
      { sourceName: 'import-header.csv', chunks: once(header) },
      { sourceName: 'import-item.csv', chunks: once(items) },
      { sourceName: 'import-taxline.csv', chunks: once(taxes) },
    ]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(declarations).toHaveLength(dataset.length);
    // The trader reference (LRN) identifies the entry even where an injected error broke the MRN.
    const byLrn = new Map(dataset.map((g) => [g.declaration.lrn, g]));
    const cds = new QualityTally(
      RULES,
      INJECTORS.map((i) => i.ruleId),
    );
    const noise = new Map<string, number>();
    let cleanCount = 0;
    for (const d of declarations) {
      const g = byLrn.get(d.lrn)!;
      const orig = g.declaration;
      if (g.truth.length === 0) {
        cleanCount++;
        expect(d.items.map((i) => [i.commodityCode, i.itemPrice?.value, i.customsValuePence, i.taxLines.map((t) => t.payablePence)])).toEqual(
          orig.items.map((i) => [i.commodityCode, i.itemPrice?.value, i.customsValuePence, i.taxLines.map((t) => t.payablePence)]),
        );
      }
      const found = evaluate({ ...d, tenantId: orig.tenantId, declarationId: orig.declarationId, version: 1 });
      if (g.truth.length === 0) for (const f of found) noise.set(f.ruleId, (noise.get(f.ruleId) ?? 0) + 1);
      cds.add(
        orig.declarationId,
        found,
        g.truth.filter((t) => live.has(t.ruleId)),
        g.injected.filter((r) => live.has(r)),
      );
    }
    cdsNoise = [...noise.entries()].sort().map(([rule, n]) => `- ${rule}: ${n} finding(s) on ${cleanCount} clean declarations read back from CDS data reports`);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    cdsTable = [
      '| rule | expected | TP | FP | FN | precision | recall | £ exact |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...cds
        .results()
        .filter((r) => r.expected > 0 || r.falsePositives > 0)
        .map(
          (r) =>
            `| ${r.ruleId} | ${r.expected} | ${r.truePositives} | ${r.falsePositives} | ${r.falseNegatives} | ${pct(r.precision)} | ${pct(r.recall)} | ${r.truePositives ? `${r.amountsExact}/${r.truePositives}` : 'n/a'} |`,
        ),
    ];
    // Whatever a report can carry, a finding on CDS data must not be wrong about the declaration.
    const results = cds.results();
    expect(results.filter((r) => !CDS_KNOWN_DEFECTS[r.ruleId] && r.precision < 0.99).map((r) => `${r.ruleId} ${r.precision.toFixed(3)}: ${r.examples.join(' / ')}`)).toEqual([]);
    expect(
      Object.keys(CDS_KNOWN_DEFECTS)
        .filter((id) => (results.find((r) => r.ruleId === id)?.precision ?? 1) >= 0.99)
        .map((id) => `${id}: the CDS-report defect is gone; remove it from CDS_KNOWN_DEFECTS`),
    ).toEqual([]);
  });

  // What production answers today from the reference service's bundled files alone (no Online Trade
  // Tariff measures loaded): the same clean declarations, checked against that store.
  let bundledNoise: string[] = [];
  it('lists what the rules report on clean declarations against the reference service’s bundled data alone', () => {
    const store = loadBundledStore(path.resolve(__dirname, '../../../reference/data'));
    const bundled: ReferenceView = {
      commodity: (c, d) => store.commodity(c, d),
      fx: (c, d) => store.fx(c, d),
      rates: (c, o, d) => store.rates(c, o, d),
      codeList: (l, c, d) => store.codeList(l, c, d),
    };
    const clean = dataset.filter((g) => g.truth.length === 0);
    const counts = new Map<string, { n: number; example: string }>();
    for (const g of clean) {
      for (const f of evaluateDeclaration(RULES, g.declaration, bundled, TODAY, `${TODAY}T00:00:00Z`, {})) {
        const c = counts.get(f.ruleId) ?? { n: 0, example: f.explanation.slice(0, 220) };
        c.n++;
        counts.set(f.ruleId, c);
      }
    }
    bundledNoise = [...counts.entries()].sort().map(([rule, c]) => `- ${rule}: ${c.n} finding(s) on ${clean.length} clean declarations, e.g. “${c.example.replace(/\|/g, '/')}…”`);
    // Every finding here is a false positive; the section below records them for the reference/validation owners.
    expect(clean.length).toBeGreaterThan(0);
  });

  it('docs/quality.md is current (UPDATE_QUALITY_DOC=1 to regenerate)', () => {
    const injected = dataset.filter((g) => g.truth.length > 0).length;
    const rendered = renderQualityDoc({
      title: 'Detection quality on a labelled generated dataset',
      dataset: [
        `Dataset: \`@customs/datagen\` seed ${SEED}, ${DECLARATIONS} declarations, ${lines} goods items, ${world.importers.length} importers, ${world.importers.reduce((s, i) => s + i.suppliers.length, 0)} suppliers, ${world.catalogue.length} usable commodity codes + ${world.modelled.length} modelled trade-remedy/suspension lines; acceptance dates 2021-01-04..2023-08-31; ${DECLARATIONS - injected} clean declarations, ${injected} with one injected error. Evaluated with \`evaluateDeclaration(RULES, …)\` (${RULES.length} live rules) against the generated world's reference view, today = ${TODAY}.`,
        '',
        'Reference facts (services/reference/data): UK nomenclature snapshot, UK Global Tariff 2021 third-country rates (simple ad valorem codes without trade remedy, suspension or quota flags), HMRC monthly exchange rates, roo_schemes_uk.json; plus two **modelled** tariff lines for C14 and C15 (see “Modelled tariff facts” below); partner origins (EU, CH, NO, TR, KR, BD) are modelled at a 0% preferential rate, non-partner origins (CN, US, TW, HK, TH, BR) have no scheme on any dataset date. Half the declarations carry a declared customs value (as CDS data reports do), half leave it to be computed from the item price; E/F-term purchases add freight (DE 4/9 AP), D-term ones deduct the UK leg (BA). One rule is drawn per declaration (2% each by default), then the clean declaration is built so that the rule’s error can occur on it, and the injector records every finding it must produce.',
        '',
        'Regenerate the dataset: `node scripts/generate-dataset.js --seed 20261127 --declarations 2000 --format json --out DIR`.',
        '',
        '**Read these figures with their limit**: the generator builds declarations for the rules the team wrote, in the generator’s own view of the tariff, so 100 % here says the rules do what they were written to do on the errors the generator knows. On HMRC’s own sample declarations with single realistic errors (section “Detection on HMRC’s sample declarations” below) the same rules first found 78.3 % of the errors with 4.5 % collateral findings; that test is where vocabulary variants, placeholders and data elements the generator never varies show up.',
      ],
      results: results.filter((r) => live.has(r.ruleId) || r.expected > 0),
      knownDefects: Object.fromEntries(Object.entries(KNOWN_DEFECTS).map(([k, v]) => [k, { reason: v.reason, fix: v.fix }])),
      sections: [
        {
          heading: 'Modelled tariff facts (C14, C15)',
          lines: [
            'The shipped reference data has no trade-remedy or suspension measures (the UKGT file only flags codes that have one), so the generated catalogue excludes every flagged code. To measure C14 and C15 the generated world **models** two tariff lines, with the facts the rules’ own unit tests use (services/validation/src/rules/__fixtures__/reference.ts; `packages/datagen/src/modelled.ts`). They are modelled facts for the generated world, not loaded measures:',
            '',
            ...MODELLED_TARIFF.map(
              (m) =>
                `- \`${m.code}\` ${m.description.replace(/\|/g, '/')}, origin ${m.origins.join('/')}: third-country ${m.thirdCountry} (UKGT 2021)${m.tradeRemedies.map((r) => `; measure ${r.measureType} ${r.geographicalArea} “${r.expression}” on ${r.taxType}`).join('')}${m.suspensions.map((r) => `; suspension ${r.measureType} ${r.geographicalArea} ${r.expression}`).join('')} — ${m.source}.`,
            ),
            '',
            'The generated reference view returns these measures (`tradeRemedies` / `suspensions`, `measuresLoaded: true`) only for these codes and origins; `reference-consistency.unit.test.ts` compares their nomenclature and third-country rate with the reference store and leaves the modelled measures out of the comparison (the store holds none). Clean entries of biodiesel from CA carry the A30 line (144.10 GBP per 1000 kg of net mass, rounded down, and included in the VAT value); clean LPG engine entries claim the suspension (DE 4/17 110) at 0%. C14 injection drops the A30 line (exposure = rate × net mass, rounded down); C15 injection enters the engine under preference 100 at 4.0% (reclaim = A00 paid − duty at the suspended rate). Other rules’ errors are injected on catalogue codes only.',
            ...(RULES.some((r) => !INJECTORS.some((i) => i.ruleId === r.meta.id))
              ? [
                  '',
                  `Rules not injected: ${RULES.filter((r) => !INJECTORS.some((i) => i.ruleId === r.meta.id))
                    .map((r) => r.meta.id)
                    .join(', ')}.`,
                ]
              : []),
          ],
        },
        {
          heading: 'Clean declarations against the reference service’s bundled data alone',
          lines: bundledNoise.length
            ? [
                'With only the bundled files loaded (no Online Trade Tariff measures), `rates()` answers `known: true` with no preferential measures and says so only in `unknownReason`; rules that read an empty preferential list as "no preference exists" then fire on clean entries:',
                '',
                ...bundledNoise,
              ]
            : ['No findings: every rule stays silent.'],
        },
        {
          heading: 'The same dataset read back from CDS data reports',
          lines: [
            'Every declaration written as HMRC CDS data reports (header, item and tax-line CSV: `toCdsRows`) and parsed by ingestion (`parseCdsReports`). The reports do not carry Incoterms, DE 4/9, DE 4/13, DE 3/21, DE 3/39–3/40, previous documents or header documents, so some errors cannot be seen there; recall below is what CDS-report customers get. Clean declarations: ' +
              (cdsNoise.length ? `some rules fire:\n\n${cdsNoise.join('\n')}` : 'every rule stays silent.'),
            '',
            ...cdsTable,
            '',
            'False positives on CDS-report data (asserted still present until fixed):',
            '',
            ...Object.entries(CDS_KNOWN_DEFECTS).map(([id, d]) => `- **${id}**: ${d.reason} Fix: ${d.fix}`),
            '',
            'C01 misses here are the injected 17-character MRNs: the CDS report parser keeps an entry id that is not an MRN only as the LRN fallback (mrn = ""), and real CDS reports only carry MRNs CDS issued. C02, C06, C26, C27, C29 and C41 need data the reports do not carry and stay silent on CDS sources by design.',
          ],
        },
      ],
    });
    // The section measured through the running services is written by
    // packages/testing/e2e/live-quality.e2e.test.ts (it needs Kafka and Postgres): kept as it is.
    const current = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    const liveSection = /\n<!-- live:start -->[\s\S]*?<!-- live:end -->\n?/.exec(current)?.[0] ?? '';
    // The real-sample mutation section is written by real-samples-mutation.unit.test.ts: kept too.
    const realSection = /\n<!-- real-samples:start -->[\s\S]*?<!-- real-samples:end -->\n/.exec(current)?.[0] ?? '';
    if (process.env.UPDATE_QUALITY_DOC === '1') fs.writeFileSync(DOC, rendered + realSection + liveSection);
    expect(fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '').toBe(rendered + realSection + liveSection);
  });
});
