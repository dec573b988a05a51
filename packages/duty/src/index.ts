// Pure duty engine: duty-expression parser, evaluator, customs value, import VAT, explanations.
// No I/O: callers pass the tariff text, rates and quantities. See docs/duty-engine.md.
export * from './ast';
export * from './compute';
export { evaluateDutyExpression, selectSeason } from './evaluate';
export type { CurrencyRates, DutyQuantities, Evaluation, EvaluationContext } from './evaluate';
export * from './liability';
export * from './measure-tax-types';
export { DutyExpressionError, dutyExpressionCacheSize, normalizeDutyText, parseDutyExpression, parseDutyExpressionUncached } from './parse';
export { formatPence, parseDecimal, tryParseDecimal } from './rational';
export type { Rational } from './rational';
export { UNITS, lookupUnit, resolveUnit, unitByCode } from './units';
export type { QuantityBasis, UnitInfo } from './units';
