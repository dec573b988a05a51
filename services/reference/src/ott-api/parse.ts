// Pure readers of Online Trade Tariff API v2 responses (JSON:API) the sync needs beyond the
// commodity document (parse/ott.ts): the changes list, one geographical area, monthly exchange
// rates, news items (stop-press) and quota definitions. Content in, facts out; anything not as
// the specification describes is refused naming the request and the field.
import type { FxRow } from '../parse/fx';

/** A response that does not have the documented shape (nothing from it is used). */
export class OttApiFormatError extends Error {
  constructor(
    readonly request: string,
    readonly problem: string,
  ) {
    super(`${request}: ${problem}`);
    this.name = 'OttApiFormatError';
  }
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v)).trim();
const CODE10 = /^\d{10}$/;
const ISO = /^\d{4}-\d{2}-\d{2}/;
const RATE = /^\d+(\.\d+)?$/;

function parseJson(request: string, text: string): Json {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new OttApiFormatError(request, `not JSON (${(e as Error).message})`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new OttApiFormatError(request, 'not a JSON:API document (expected an object)');
  return doc as Json;
}

function dataArray(request: string, doc: Json): Json[] {
  if (!Array.isArray(doc.data)) throw new OttApiFormatError(request, 'field data: expected an array');
  return doc.data.map(obj);
}

/** A commodity the changes list says changed on a day. */
export interface ChangedCommodity {
  code: string;
  /** "commodity" / "measure" … as the API states it ("" when not given). */
  changeType: string;
  changeDate: string;
  /** The API's end_line: true for a declarable goods line. */
  endLine: boolean;
}

/**
 * `/changes/{YYYY-M-D}`: `data[]` of `change` with attributes goods_nomenclature_item_id,
 * productline_suffix, end_line, change_type, change_date. Changes without a 10-digit goods code
 * (e.g. a footnote) are not commodity changes and are left out.
 */
export function parseChanges(request: string, text: string): ChangedCommodity[] {
  const out: ChangedCommodity[] = [];
  dataArray(request, parseJson(request, text)).forEach((d, i) => {
    if (str(d.type) !== 'change') throw new OttApiFormatError(request, `data[${i}].type: "${str(d.type)}" is not "change"`);
    const a = obj(d.attributes);
    const code = str(a.goods_nomenclature_item_id);
    if (!code) return;
    if (!CODE10.test(code)) throw new OttApiFormatError(request, `data[${i}].attributes.goods_nomenclature_item_id: "${code}" is not 10 digits`);
    const changeDate = str(a.change_date);
    if (changeDate && !ISO.test(changeDate)) throw new OttApiFormatError(request, `data[${i}].attributes.change_date: "${changeDate}" is not YYYY-MM-DD`);
    out.push({ code, changeType: str(a.change_type), changeDate: changeDate.slice(0, 10), endLine: a.end_line !== false });
  });
  return out;
}

/** `/geographical_areas/{id}`: the group's member ids (children_geographical_areas). */
export function parseGeographicalArea(request: string, text: string): { id: string; description: string; members: string[] } {
  const doc = parseJson(request, text);
  const d = obj(doc.data);
  if (str(d.type) !== 'geographical_area') throw new OttApiFormatError(request, `data.type: "${str(d.type)}" is not "geographical_area"`);
  const a = obj(d.attributes);
  const id = str(a.geographical_area_id) || str(d.id);
  const kids = obj(obj(d.relationships).children_geographical_areas).data;
  if (!Array.isArray(kids)) throw new OttApiFormatError(request, 'data.relationships.children_geographical_areas.data: expected an array');
  const members = kids.map((k) => str(obj(k).id)).filter(Boolean);
  return { id, description: str(a.description), members };
}

/**
 * `/exchange_rates/{YYYY-M}?filter[type]=monthly`: `exchange_rate_collection` whose `included`
 * holds one `exchange_rate` per country (currency_code, rate, validity dates). Collapsed to one
 * row per currency like HMRC's files (countries sharing a currency must agree).
 */
export function parseExchangeRateMonth(request: string, text: string): FxRow[] {
  const doc = parseJson(request, text);
  const d = obj(doc.data);
  if (str(d.type) !== 'exchange_rate_collection') throw new OttApiFormatError(request, `data.type: "${str(d.type)}" is not "exchange_rate_collection"`);
  if (str(obj(d.attributes).type) && str(obj(d.attributes).type) !== 'monthly') throw new OttApiFormatError(request, `data.attributes.type: "${str(obj(d.attributes).type)}" is not "monthly"`);
  const included = Array.isArray(doc.included) ? doc.included.map(obj) : [];
  const byCurrency = new Map<string, FxRow>();
  included
    .filter((r) => str(r.type) === 'exchange_rate')
    .forEach((r, i) => {
      const a = obj(r.attributes);
      const where = `included exchange_rate ${i + 1} (${str(a.country) || str(r.id)})`;
      const currency = str(a.currency_code).toUpperCase();
      const rate = str(a.rate);
      const start = str(a.validity_start_date).slice(0, 10);
      const end = str(a.validity_end_date).slice(0, 10);
      if (!/^[A-Z]{3}$/.test(currency)) throw new OttApiFormatError(request, `${where} field currency_code: "${currency}" is not ISO 4217 alpha-3`);
      if (!RATE.test(rate)) throw new OttApiFormatError(request, `${where} field rate: "${rate}" is not a decimal`);
      if (!ISO.test(start) || !ISO.test(end)) throw new OttApiFormatError(request, `${where} field validity_start_date/validity_end_date: not YYYY-MM-DD`);
      const seen = byCurrency.get(currency);
      if (seen && (seen.rate !== rate || seen.start !== start || seen.end !== end)) throw new OttApiFormatError(request, `${where}: ${currency} has two different rates (${seen.rate} and ${rate})`);
      byCurrency.set(currency, { currency, start, end, rate });
    });
  if (byCurrency.size === 0) throw new OttApiFormatError(request, 'no included exchange_rate entries');
  return [...byCurrency.values()];
}

/** A stop-press / tariff news item, with the commodity codes its text names. */
export interface NewsNotice {
  id: string;
  title: string;
  /** start_date, YYYY-MM-DD. */
  published: string;
  commodityCodes: string[];
  url: string;
}

/**
 * `/news/items?target=updates`: `news_item` records (title, content, start_date, slug). The
 * commodity codes a notice concerns are the 10-digit codes written in its content ("- 4412333000").
 */
export function parseNewsItems(request: string, text: string, site = 'https://www.trade-tariff.service.gov.uk'): NewsNotice[] {
  return dataArray(request, parseJson(request, text)).map((d, i) => {
    if (str(d.type) !== 'news_item') throw new OttApiFormatError(request, `data[${i}].type: "${str(d.type)}" is not "news_item"`);
    const a = obj(d.attributes);
    const published = str(a.start_date).slice(0, 10);
    if (!ISO.test(published)) throw new OttApiFormatError(request, `data[${i}].attributes.start_date: "${str(a.start_date)}" is not YYYY-MM-DD`);
    const content = `${str(a.title)}\n${str(a.content)}`;
    const codes = [...new Set([...content.matchAll(/(?<!\d)(\d{10})(?!\d)/g)].map((m) => m[1]!))].sort();
    return { id: str(d.id), title: str(a.title), published, commodityCodes: codes, url: a.slug ? `${site}/news/stories/${str(a.slug)}` : '' };
  });
}

/** One quota definition (`/quotas/search`): order number, period, volume and balance as published. */
export interface QuotaDefinition {
  orderNumber: string;
  validFrom: string;
  validTo: string;
  initialVolume: string;
  balance: string;
  status: string;
  unit: string;
  measureSids: string[];
}

export function parseQuotaDefinitions(request: string, text: string): QuotaDefinition[] {
  return dataArray(request, parseJson(request, text)).map((d, i) => {
    if (str(d.type) !== 'definition') throw new OttApiFormatError(request, `data[${i}].type: "${str(d.type)}" is not "definition"`);
    const a = obj(d.attributes);
    const orderNumber = str(a.quota_order_number_id);
    if (!/^\d{6}$/.test(orderNumber)) throw new OttApiFormatError(request, `data[${i}].attributes.quota_order_number_id: "${orderNumber}" is not a 6-digit order number`);
    const measures = obj(obj(d.relationships).measures).data;
    return {
      orderNumber,
      validFrom: str(a.validity_start_date).slice(0, 10),
      validTo: str(a.validity_end_date).slice(0, 10),
      initialVolume: str(a.initial_volume),
      balance: str(a.balance),
      status: str(a.status),
      unit: str(a.measurement_unit),
      measureSids: Array.isArray(measures) ? measures.map((m) => str(obj(m).id)) : [],
    };
  });
}
