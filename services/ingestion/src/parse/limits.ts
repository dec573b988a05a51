/**
 * A CDS declaration holds at most 999 goods items (DE 1/9, total number of items). More cannot be
 * a real declaration, and every declaration becomes one event on the bus, so this bound is also
 * what keeps events bounded. Parsers stop collecting an entry's items past it (memory stays
 * bounded by design, whatever the file) and the store refuses such an entry with TOO_MANY_ITEMS.
 */
export const MAX_ITEMS_PER_DECLARATION = 999;

/**
 * Tax-line rows one entry may carry: a few tax types (A00 duty, B00 VAT, excise, remedies) per
 * item. Beyond this the report is not a CDS tax-line report of one entry.
 */
export const MAX_TAX_LINES_PER_DECLARATION = MAX_ITEMS_PER_DECLARATION * 20;
