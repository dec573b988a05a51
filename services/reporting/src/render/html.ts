// Small HTML helpers for reporting's documents: everything interpolated goes through esc().
export function esc(v: unknown): string {
  return String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Pence as pounds with thousands separators: 123456 → "£1,234.56" (integer arithmetic, no float). */
export function gbp(pence: number): string {
  const neg = pence < 0;
  const p = Math.abs(Math.trunc(pence));
  const pounds = Math.floor(p / 100).toLocaleString('en-GB');
  return `${neg ? '−' : ''}£${pounds}.${String(p % 100).padStart(2, '0')}`;
}

export const or = (v: string | number | null | undefined, unknown = 'not stated'): string => (v === null || v === undefined || v === '' ? `<span class="unknown">${esc(unknown)}</span>` : esc(v));

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
  * { box-sizing: border-box }
  body { font: 11pt/1.4 "DejaVu Sans", Arial, sans-serif; color: #111; margin: 2em; }
  h1 { font-size: 18pt; margin: 0 0 .2em } h2 { font-size: 13pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999 } h3 { font-size: 11pt; margin: 1em 0 .3em }
  table { border-collapse: collapse; width: 100%; margin: .4em 0 1em; font-size: 9pt } th, td { border: 1px solid #bbb; padding: 2px 4px; text-align: left; vertical-align: top }
  td.n, th.n { text-align: right; white-space: nowrap } .unknown { color: #a60; font-style: italic } .muted { color: #555 } .note { background: #f4f4f4; padding: .4em .6em; margin: .3em 0 }
  .kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: .4em; margin: .4em 0 } .kpi { border: 1px solid #999; padding: .3em .5em; font-size: 8.5pt; min-width: 0 } .kpi b { display: block; font-size: 13pt } .kpi span { display: block }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: .4em } .charts svg { width: 100%; height: auto }
  @media print { body { margin: 0; padding: 0 4px } h2 { break-after: avoid } tr { break-inside: avoid } }
</style></head><body>
${body}
</body></html>
`;
}
