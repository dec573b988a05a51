/**
 * How far the loaded HMRC rates lag the calendar: whole months from the latest month loaded to
 * the month of `today` (0 = the current month is loaded). No rates at all counts as 999 behind.
 */
export function fxMonthsBehind(latestDay: string | undefined, today: string): { behind: number; latest: string } {
  if (!latestDay) return { behind: 999, latest: '' };
  const months = (d: string) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)) - 1;
  return { behind: Math.max(0, months(today) - months(latestDay)), latest: latestDay.slice(0, 7) };
}
