// The generated world's tariff as an Online Trade Tariff dataset, so the running reference service
// can be given the very facts the generated history was built on, through its real loader (the
// admin OTT load): the daily "declarable commodities with duty measures" report layout (CSV) for
// the measures, and a `/geographical_areas` document for the one group it uses (1013, EU).
// Every row says it is GENERATED (regulation id and description): these are the world's modelled
// facts (GeneratedReferenceView), not a publication of the UK tariff.
import type { ReferenceFacts } from './facts';
import { MODELLED_TARIFF } from './modelled';
import { PARTNERS, type World } from './world';

/** The report's columns, in its order (trade-tariff-backend declarable_duties.rb HEADER_ROW). */
const COLUMNS = [
  'trackedmodel_ptr_id',
  'commodity__sid',
  'commodity__code',
  'commodity__indent',
  'commodity__description',
  'measure__sid',
  'measure__type__id',
  'measure__type__description',
  'measure__additional_code__code',
  'measure__additional_code__description',
  'measure__duty_expression',
  'measure__effective_start_date',
  'measure__effective_end_date',
  'measure_reduction_indicator',
  'measure__footnotes',
  'measure__conditions',
  'measure__geographical_area__sid',
  'measure__geographical_area__id',
  'measure__geographical_area__description',
  'measure__excluded_geographical_areas__ids',
  'measure__excluded_geographical_areas__descriptions',
  'measure__quota__order_number',
  'measure__quota__available',
  'measure__regulation__id',
  'measure__regulation__url',
] as const;

/** Same member list as the view's EU set (GeneratedReferenceView answers 142 on 1013 for them). */
const EU = ['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL', 'PT', 'RO', 'SE', 'SI', 'SK'];
/** The view's measures start with the UK Global Tariff. */
const START = '2021-01-01';
const TYPE_NAMES: Record<string, string> = {
  '103': 'Third country duty',
  '142': 'Tariff preference',
  '305': 'Value added tax',
  '552': 'Definitive anti-dumping duty',
  '112': 'Autonomous tariff suspension',
};

export interface GeneratedTariffFiles {
  /** Declarable-duties report (CSV) with every measure of the world's view. */
  report: string;
  /** `/geographical_areas`-shaped JSON:API list stating group 1013's members. */
  geographicalAreas: string;
  commodityCodes: number;
  measures: number;
}

const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/**
 * The dates (from START) on which a country has at least one preference scheme, as merged
 * intervals ([from, to], to "" = open): the view grants the partner preference exactly then.
 */
export function schemeIntervals(facts: ReferenceFacts, country: string): [string, string][] {
  const spans = facts.schemes
    .filter((s) => s.countries.includes(country) && (!s.validTo || s.validTo >= START))
    .map((s): [string, string] => [!s.validFrom || s.validFrom < START ? START : s.validFrom, s.validTo])
    .sort((a, b) => a[0].localeCompare(b[0]));
  const out: [string, string][] = [];
  for (const [from, to] of spans) {
    const last = out.at(-1);
    // Adjacent or overlapping spans merge (a scheme ending the day before the next one starts).
    if (last && (last[1] === '' || dayBefore(from) <= last[1])) {
      if (last[1] !== '' && (to === '' || to > last[1])) last[1] = to;
    } else out.push([from, to]);
  }
  return out;
}

/**
 * The world's tariff view (see GeneratedReferenceView) as OTT files: for every catalogue code,
 * 103 erga omnes at its UKGT rate and 305 VAT 20.00% from 2021-01-01, and 142 0.00% for each
 * partner area (1013 for EU members, else the country) over the dates a scheme covers it; for the
 * MODELLED lines their 103, remedy / suspension and VAT. Nothing else: the view knows no other
 * measure, and the report states the codes' measures completely (absence = none).
 */
export function generatedTariffFiles(world: World, facts: ReferenceFacts): GeneratedTariffFiles {
  const rows: string[][] = [];
  const codes = new Set<string>();
  const add = (code: string, description: string, type: string, area: string, expression: string, from: string, to: string, n: number) => {
    codes.add(code);
    const sid = `GEN-${code}-${type}-${area}-${n}`;
    const cells: Record<(typeof COLUMNS)[number], string> = {
      trackedmodel_ptr_id: '',
      commodity__sid: '',
      commodity__code: code,
      commodity__indent: '',
      commodity__description: description,
      measure__sid: sid,
      measure__type__id: type,
      measure__type__description: TYPE_NAMES[type] ?? '',
      measure__additional_code__code: '',
      measure__additional_code__description: '',
      measure__duty_expression: expression,
      measure__effective_start_date: from,
      measure__effective_end_date: to,
      measure_reduction_indicator: '',
      measure__footnotes: '',
      measure__conditions: '',
      measure__geographical_area__sid: '',
      measure__geographical_area__id: area,
      measure__geographical_area__description: area === '1013' ? 'European Union' : area === '1011' ? 'ERGA OMNES' : area,
      measure__excluded_geographical_areas__ids: '',
      measure__excluded_geographical_areas__descriptions: '',
      measure__quota__order_number: '',
      measure__quota__available: '',
      measure__regulation__id: `GENERATED-datagen-seed-${world.seed}`,
      measure__regulation__url: '',
    };
    rows.push(COLUMNS.map((c) => cells[c]));
  };

  // Partner areas and the dates the view grants their preference.
  const areas = new Map<string, [string, string][]>();
  for (const country of Object.keys(PARTNERS)) {
    const intervals = schemeIntervals(facts, country);
    const area = EU.includes(country) ? '1013' : country;
    const seen = areas.get(area);
    // One 1013 measure stands for every EU partner: they must share the scheme dates, or the
    // group measure would grant one of them a preference the view does not.
    if (seen && JSON.stringify(seen) !== JSON.stringify(intervals))
      throw new Error(`EU partner ${country} has scheme dates ${JSON.stringify(intervals)} unlike the other members' ${JSON.stringify(seen)}: cannot state them as one 1013 measure`);
    areas.set(area, intervals);
  }

  for (const p of world.catalogue) {
    const ukgt = facts.ukgtLine(p.code);
    if (!ukgt) throw new Error(`catalogue code ${p.code} has no UKGT line`);
    add(p.code, p.description, '103', '1011', ukgt.rate, START, '', 1);
    add(p.code, p.description, '305', '1011', '20.00%', START, '', 1);
    for (const [area, intervals] of areas) intervals.forEach(([from, to], i) => add(p.code, p.description, '142', area, '0.00%', from, to, i + 1));
  }
  for (const line of MODELLED_TARIFF) {
    add(line.code, line.description, '103', '1011', line.thirdCountry, START, '', 1);
    add(line.code, line.description, '305', '1011', '20.00%', START, '', 1);
    for (const m of [...line.tradeRemedies, ...line.suspensions]) add(line.code, line.description, m.measureType, m.geographicalArea, m.expression, START, '', 1);
  }

  const report = [COLUMNS.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
  const geographicalAreas = JSON.stringify(
    {
      data: [
        {
          id: '1013',
          type: 'geographical_area',
          attributes: { geographical_area_id: '1013', description: `European Union (generated world, datagen seed ${world.seed})` },
          relationships: { children_geographical_areas: { data: EU.map((id) => ({ id, type: 'geographical_area' })) } },
        },
      ],
    },
    null,
    1,
  );
  return { report, geographicalAreas, commodityCodes: codes.size, measures: rows.length };
}
