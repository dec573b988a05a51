import { Finding, type Score } from '@customs/contracts';

// REST bodies with every field present: proto3 toJSON omits defaults, and a score of 0 (the worst
// declaration) or £0 is a value the reader must see.

export function scoreJson(s: Score) {
  return {
    tenantId: s.tenantId,
    entityType: s.entityType,
    entityId: s.entityId,
    score: s.score,
    risk: s.entityType === 'declaration' ? s.risk : null,
    explanation: s.explanation,
    components: s.components.map((c) => ({ dimension: c.dimension, score: c.score, findingCount: c.findingCount, exposurePence: c.exposurePence, reclaimPence: c.reclaimPence })),
    factors: s.factors.map((f) => ({ name: f.name, value: f.value, weightPct: f.weightPct, points: f.points, explanation: f.explanation })),
    lines: s.lines.map((l) => ({ itemNumber: l.itemNumber, findingIds: l.findingIds, ruleIds: l.ruleIds, exposurePence: l.exposurePence, reclaimPence: l.reclaimPence })),
    findingCount: s.findingCount,
    exposurePence: s.exposurePence,
    reclaimPence: s.reclaimPence,
    declarationCount: s.declarationCount,
    modelVersion: s.modelVersion,
    asOf: s.asOf || null,
    validationChecked: s.entityType === 'declaration' ? s.validationChecked : null,
    updatedAt: s.updatedAt,
  };
}

export function findingJson(f: Finding) {
  return {
    ...(Finding.toJSON(f) as object),
    itemNumber: f.itemNumber,
    declarationVersion: f.declarationVersion,
    exposureDutyPence: f.exposureDutyPence,
    exposureVatPence: f.exposureVatPence,
    reclaimDutyPence: f.reclaimDutyPence,
    reclaimVatPence: f.reclaimVatPence,
    severity: f.severity,
  };
}

// Response schemas of the bodies above (fastify serialises with them: every field a handler
// returns is listed, or the object stays open with additionalProperties).
const str = { type: 'string' } as const;
const num = { type: 'number' } as const;
const open = { type: 'object', additionalProperties: true } as const;

export const scoreSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    tenantId: str,
    entityType: str,
    entityId: str,
    score: num,
    risk: { type: ['number', 'null'], description: 'declarations only' },
    explanation: str,
    components: { type: 'array', items: open },
    factors: { type: 'array', items: open },
    lines: { type: 'array', items: open },
    findingCount: num,
    exposurePence: num,
    reclaimPence: num,
    declarationCount: num,
    modelVersion: str,
    asOf: { type: ['string', 'null'] },
    validationChecked: { type: ['boolean', 'null'], description: 'declarations only' },
    updatedAt: str,
  },
} as const;

/** A finding as findingJson answers it (the contract's JSON plus its money and line fields). */
export const findingSchema = open;

export { num, open, str };
