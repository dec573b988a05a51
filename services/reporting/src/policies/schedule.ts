// Pure core of the monthly board report schedule: which importers are due a scheduled report on
// `now`. A report is due once per calendar month, from the configured day of the month on, for
// every importer the tenant has findings for; a scheduled report already stored for that month
// (by this or another instance) means it is not due again.

export function dueBoardReports(now: Date, dayOfMonth: number, importers: readonly string[], existing: readonly { importer: string; asOf: string; trigger: string }[]): string[] {
  const today = now.toISOString().slice(0, 10);
  if (Number(today.slice(8, 10)) < dayOfMonth) return [];
  const month = today.slice(0, 7);
  const done = new Set(existing.filter((r) => r.trigger === 'schedule' && r.asOf.slice(0, 7) === month).map((r) => r.importer));
  return [...new Set(importers)].filter((i) => i !== '' && !done.has(i)).sort();
}
