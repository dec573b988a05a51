import * as path from 'node:path';
import { GeneratedReferenceView, MODELLED_TARIFF, NON_PARTNERS, PARTNERS, loadFacts, worldFor } from '@customs/datagen';
import { generatedTariffFiles } from '@customs/datagen/dist/ott-dataset';
import { parseOttFile } from '../parse/ott';
import { loadBundledStore } from './load-bundled';
import { datasetVersion } from './store';

// `make up` gives the running reference service the generated world's tariff as OTT files
// (packages/datagen/src/ott-dataset.ts). Read by the service's own parser into its own store, they
// must answer every lookup the generated history makes exactly as the world's view does, or live
// detection cannot equal the in-process figure.
describe('the generated world’s tariff as OTT files, read by the reference loader', () => {
  const facts = loadFacts();
  const world = worldFor(20261127, undefined, facts);
  const files = generatedTariffFiles(world, facts);
  const store = loadBundledStore(path.resolve(__dirname, '../../data'));
  const load = (name: string, content: string) => {
    const imp = parseOttFile(name, content);
    const version = datasetVersion(name, content);
    store.applyOttLoad(
      { dataset: 'ott-measures', version, source: name, rows: imp.measures.length },
      imp.measures.map((m) => ({ ...m, datasetVersion: version })),
      imp.groups,
    );
    return imp;
  };
  const areas = load('ott-generated-geographical-areas', files.geographicalAreas);
  const report = load('ott-generated-tariff', files.report);
  const view = new GeneratedReferenceView(
    facts,
    world.catalogue.map((p) => p.code),
  );
  const facet = (r: {
    known: boolean;
    thirdCountry?: { expression: string; taxType: string };
    preferential: { geographicalArea: string; expression: string }[];
    suspensions: { measureType: string; expression: string; taxType: string }[];
    tradeRemedies: { measureType: string; expression: string; taxType: string }[];
    vat: { expression: string; taxType: string }[];
    supplementaryUnit: string;
    measuresLoaded: boolean;
  }) =>
    JSON.stringify({
      known: r.known,
      third: r.known ? `${r.thirdCountry?.expression} ${r.thirdCountry?.taxType}` : '',
      pref: r.preferential.map((m) => `${m.geographicalArea} ${m.expression}`),
      susp: r.suspensions.map((m) => `${m.measureType} ${m.expression} ${m.taxType}`),
      remedies: r.tradeRemedies.map((m) => `${m.measureType} ${m.expression} ${m.taxType}`),
      vat: r.vat.map((m) => `${m.expression} ${m.taxType}`),
      supp: r.supplementaryUnit,
      loaded: r.measuresLoaded,
    });

  it('is complete and says it is generated', () => {
    expect(areas).toMatchObject({ format: 'ott-geographical-areas' });
    expect(areas.groups.get('1013')).toHaveLength(27);
    expect(report.format).toBe('ott-declarable-duties');
    expect(report.commodityCodes).toHaveLength(world.catalogue.length + MODELLED_TARIFF.length);
    expect(report.measures).toHaveLength(files.measures);
    expect(files.report.split('\n')[1]).toContain('GENERATED-datagen-seed-20261127');
  });

  it('answers LookupRates like the view for every catalogue code, partner and non-partner origin and date', () => {
    const origins = [...Object.keys(PARTNERS), ...Object.keys(NON_PARTNERS)];
    const diffs: string[] = [];
    for (const p of world.catalogue) {
      for (const date of ['2021-01-04', '2022-06-15', '2023-08-31']) {
        for (const origin of origins) {
          const a = facet(view.rates(p.code, origin, date));
          const b = facet(store.rates(p.code, origin, date));
          if (a !== b && diffs.length < 5) diffs.push(`${p.code} ${origin} ${date}: view ${a} vs store ${b}`);
        }
      }
    }
    expect(diffs).toEqual([]);
  });

  it('answers the MODELLED remedy and suspension lines like the view for their origins', () => {
    for (const line of MODELLED_TARIFF) {
      for (const origin of line.origins) expect(facet(store.rates(line.code, origin, '2022-03-01'))).toBe(facet(view.rates(line.code, origin, '2022-03-01')));
    }
    expect(store.rates('3826001020', 'CA', '2022-03-01').tradeRemedies.map((m) => `${m.measureType} ${m.geographicalArea} ${m.expression} ${m.taxType}`)).toEqual(['552 CA 144.10 GBP / 1000 kg A30']);
  });
});
