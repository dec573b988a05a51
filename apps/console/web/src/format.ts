// Money is integer pence end to end; it becomes pounds only here, for people.
const GBP = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP', minimumFractionDigits: 2, maximumFractionDigits: 2 });
export const pounds = (pence: number | string | null | undefined) => GBP.format(Number(pence ?? 0) / 100);

const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? iso : DAY.format(d);
}
// Days left arrive computed by the services (the platform's legal clock, packages/legal-clock):
// the page does no date arithmetic of its own, so it cannot disagree with them.
export function daysLeftText(daysLeft: number | null | undefined): string {
  if (daysLeft === null || daysLeft === undefined) return 'no deadline';
  if (daysLeft < 0) return `passed ${-daysLeft} day${daysLeft === -1 ? '' : 's'} ago`;
  return `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`;
}
export function deadlineText(deadline: string | null | undefined, daysLeft: number | null | undefined): string {
  return deadline ? `${day(deadline)} (${daysLeftText(daysLeft)})` : 'no deadline';
}
const TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
export const when = (iso: string | null | undefined) => (iso ? `${TIME.format(new Date(iso))} UTC` : '—');
export const severityName = (s: string) => s.replace('SEVERITY_', '').toLowerCase();
export const stateName = (s: string) => s.replace('ALERT_STATUS_', '').toLowerCase();
