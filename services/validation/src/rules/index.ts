import { c01IdentifierFormat } from './c01-identifier-format';
import { c08CommodityValidity } from './c08-commodity-validity';
import type { Rule } from './types';

export * from './types';
export * from './engine';

/** Every live per-declaration rule, in catalogue order. */
export const RULES: readonly Rule[] = [c01IdentifierFormat, c08CommodityValidity];
