// JSON Schema (draft-07, checked by ajv) of alert rule files: a Sigma-shaped header shared by
// every type, then one schema per rule type. Two steps so an error names the field at fault
// instead of "must match one of oneOf".

const level = { enum: ['info', 'low', 'medium', 'high', 'critical'] };
const text = { type: 'string', minLength: 1, maxLength: 2000 };
const textList = { type: 'array', items: text };
const days = { type: 'integer', minimum: 1, maximum: 1096 };
const pence = { type: 'integer', minimum: 0 };
const groupField = { enum: ['declaration_id', 'rule_id', 'importer', 'broker', 'declarant', 'item_number', 'supplier', 'commodity_code', 'origin_country', 'cpc', 'family'] };

const header = {
  id: { type: 'string', pattern: '^AR-\\d{3}$' },
  name: text,
  status: { enum: ['stable', 'test', 'experimental', 'deprecated'] },
  level,
  description: text,
  author: text,
  date: { type: 'string' },
  tags: textList,
  references: textList,
  falsepositives: textList,
  type: { enum: ['finding_match', 'threshold', 'new_terms', 'deadline', 'risk_accumulation', 'score_change', 'tariff_change'] },
  throttle_minutes: { type: 'integer', minimum: 0, maximum: 10080 },
};
const required = ['id', 'name', 'status', 'level', 'description', 'type'];

export const headerSchema = { type: 'object', properties: header, required } as const;

const match = {
  type: 'object',
  additionalProperties: false,
  properties: {
    min_severity: level,
    max_severity: level,
    families: { type: 'array', items: { enum: ['data-integrity', 'classification', 'origin-preference', 'valuation', 'procedures-reliefs', 'duplicates-vat', 'history'] }, minItems: 1 },
    rule_ids: { type: 'array', items: { type: 'string', pattern: '^C\\d{2}$' }, minItems: 1 },
    or_money_at_stake: { type: 'boolean' },
    min_pence: pence,
  },
};

const typed = (type: string, props: Record<string, unknown>, req: string[]) => ({
  type: 'object',
  additionalProperties: false,
  properties: { ...header, type: { const: type }, ...props },
  required: [...required, ...req],
});

export const RULE_TYPE_SCHEMAS = {
  finding_match: typed('finding_match', { match, group_by: { type: 'array', items: groupField, minItems: 1, uniqueItems: true } }, ['match', 'group_by']),
  threshold: typed(
    'threshold',
    {
      match,
      group_by: { type: 'array', items: groupField, minItems: 1, uniqueItems: true },
      measure: { enum: ['count', 'money_at_stake', 'exposure', 'reclaim'] },
      at_least: { type: 'integer', minimum: 1 },
      window_days: days,
    },
    ['group_by', 'measure', 'at_least', 'window_days'],
  ),
  new_terms: typed(
    'new_terms',
    {
      fields: { type: 'array', items: { enum: ['declarant', 'commodity_code', 'origin_country', 'cpc', 'supplier'] }, minItems: 1, uniqueItems: true },
      history_days: { type: 'integer', minimum: 0, maximum: 1096 },
      min_history_declarations: { type: 'integer', minimum: 0 },
      ignore_self: { type: 'boolean' },
    },
    ['fields', 'history_days'],
  ),
  deadline: typed(
    'deadline',
    {
      measure: { enum: ['reclaim', 'exposure'] },
      min_pence: pence,
      bands: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: false, properties: { days, level }, required: ['days', 'level'] } },
      passed_within_days: { type: 'integer', minimum: 0, maximum: 1096 },
    },
    ['measure', 'bands'],
  ),
  risk_accumulation: typed(
    'risk_accumulation',
    {
      match,
      entity: { enum: ['importer', 'broker', 'supplier', 'commodity_code'] },
      window_days: days,
      points: { type: 'object', additionalProperties: false, properties: { info: pence, low: pence, medium: pence, high: pence, critical: pence } },
      per_rule_cap: pence,
      fire_at_points: pence,
      fire_at_families: { type: 'integer', minimum: 0, maximum: 20 },
    },
    ['entity', 'window_days', 'points', 'per_rule_cap'],
  ),
  score_change: typed(
    'score_change',
    {
      entity_types: { type: 'array', items: { enum: ['broker', 'importer'] }, minItems: 1, uniqueItems: true },
      drop_points: { type: 'integer', minimum: 1, maximum: 100 },
    },
    ['entity_types', 'drop_points'],
  ),
  tariff_change: typed(
    'tariff_change',
    {
      roles: { type: 'array', items: { enum: ['trade_remedy', 'suspension', 'quota', 'preference', 'third_country', 'vat', 'supplementary_unit'] }, minItems: 1, uniqueItems: true },
      changes: { type: 'array', items: { enum: ['created', 'updated', 'ended'] }, minItems: 1, uniqueItems: true },
      stop_press: { type: 'boolean' },
      lookback_days: days,
    },
    ['roles', 'lookback_days'],
  ),
} as const;
