import { addDays, addYears, CLOCK_YEARS, dateOfDay, dayNumber, dayOf, daysBetween, daysInMonth, daysLeft, expired, isCalendarDate, statutoryDeadline } from './index';

const DAY = 86_400_000;

describe('statutory deadline (acceptance date + 3 years)', () => {
  it.each([
    ['2024-03-15', '2027-03-15'],
    ['2023-11-30', '2026-11-30'],
    ['2023-12-31', '2026-12-31'],
    ['2024-01-01', '2027-01-01'],
    ['2024-01-31', '2027-01-31'],
    ['2024-04-30', '2027-04-30'],
    ['2023-02-28', '2026-02-28'],
    ['2025-02-28', '2028-02-28'], // lands in a leap year: stays the 28th, not the 29th
    ['2025-03-01', '2028-03-01'],
    ['2024-02-29', '2027-02-28'], // leap day → 28 February
    ['2020-02-29', '2023-02-28'],
    ['2096-02-29', '2099-02-28'],
    ['2097-02-28', '2100-02-28'], // 2100 is not a leap year
    ['1999-12-31', '2002-12-31'],
  ])('%s → %s for both clocks', (ad, due) => {
    expect(statutoryDeadline(ad)).toBe(due);
    expect(statutoryDeadline(ad, 'c285_repayment')).toBe(due);
    expect(statutoryDeadline(ad, 'hmrc_demand')).toBe(due);
  });

  it('both clocks run 3 years', () => {
    expect(CLOCK_YEARS).toEqual({ c285_repayment: 3, hmrc_demand: 3 });
    expect(Object.isFrozen(CLOCK_YEARS)).toBe(true);
  });

  it.each([
    '',
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-00',
    '2024-1-05',
    '24-01-05',
    '2024-01-05T10:00:00Z',
    ' 2024-01-05',
    '2024/01/05',
    'not a date',
  ])('no deadline for %j (not a calendar date)', (ad) => {
    expect(statutoryDeadline(ad)).toBe('');
    expect(isCalendarDate(ad)).toBe(false);
  });

  it('agrees with the day-clamping definition the rules used on every day from 1990 to 2060', () => {
    // The copy validation and scoring carried: same month and day 3 years on, clamped to the month's length.
    const reference = (ad: string) => {
      const [y, m, d] = ad.split('-').map(Number) as [number, number, number];
      const len = new Date(Date.UTC(y + 3, m, 0)).getUTCDate();
      return `${y + 3}-${String(m).padStart(2, '0')}-${String(Math.min(d, len)).padStart(2, '0')}`;
    };
    let checked = 0;
    for (let t = Date.UTC(1990, 0, 1); t <= Date.UTC(2060, 11, 31); t += DAY) {
      const ad = new Date(t).toISOString().slice(0, 10);
      if (statutoryDeadline(ad) !== reference(ad)) throw new Error(`differs on ${ad}: ${statutoryDeadline(ad)} vs ${reference(ad)}`);
      checked++;
    }
    expect(checked).toBe(25_933);
  });
});

describe('days left and expiry', () => {
  it('counts whole days: positive before, 0 on the last day, negative after', () => {
    expect(daysLeft('2027-03-15', '2027-03-01')).toBe(14);
    expect(daysLeft('2027-03-15', '2027-03-15')).toBe(0);
    expect(daysLeft('2027-03-15', '2027-04-01')).toBe(-17);
    expect(daysBetween('2027-03-01', '2027-03-15')).toBe(14);
  });

  it('the last day is still in time', () => {
    expect(expired('2026-12-02', '2026-12-01')).toBe(false);
    expect(expired('2026-12-02', '2026-12-02')).toBe(false);
    expect(expired('2026-12-02', '2026-12-03')).toBe(true);
  });

  it('crosses month ends, year ends and leap days exactly', () => {
    expect(daysLeft('2024-03-01', '2024-02-28')).toBe(2); // 29 Feb 2024 between
    expect(daysLeft('2023-03-01', '2023-02-28')).toBe(1);
    expect(daysLeft('2027-01-01', '2026-12-31')).toBe(1);
    expect(daysLeft('2024-05-01', '2024-04-30')).toBe(1);
    expect(daysBetween('2024-01-01', '2027-01-01')).toBe(1096); // a 3-year window holding 29 Feb 2024
    expect(daysBetween('2025-01-01', '2028-01-01')).toBe(1095);
    expect(daysBetween('2024-02-29', statutoryDeadline('2024-02-29'))).toBe(1095);
  });

  it('summer time never moves a day count (whole days, no local clock)', () => {
    // Europe/London changes clocks on 2026-03-29 and 2026-10-25: the day count is still 1.
    expect(daysLeft('2026-03-30', '2026-03-29')).toBe(1);
    expect(daysLeft('2026-10-26', '2026-10-25')).toBe(1);
    expect(daysLeft('2026-10-25', '2026-03-29')).toBe(210);
  });

  it('an unknown date gives NaN days and never expires', () => {
    for (const bad of ['', '2026-02-30', 'soon', '2026-12-01T00:00:00Z']) {
      expect(daysLeft(bad, '2026-12-01')).toBeNaN();
      expect(daysLeft('2026-12-01', bad)).toBeNaN();
      expect(expired(bad, '2026-12-01')).toBe(false);
      expect(expired('2026-12-01', bad)).toBe(false);
    }
  });
});

describe('the day of an instant (the caller passes now)', () => {
  it('is the UTC date, also across the Europe/London midnight in summer time', () => {
    expect(dayOf(new Date('2026-12-02T10:00:00Z'))).toBe('2026-12-02');
    // 00:30 BST on 1 July is still 30 June in UTC: the platform judges by the UTC date.
    expect(dayOf(new Date('2026-06-30T23:30:00Z'))).toBe('2026-06-30');
    expect(dayOf(new Date('2026-07-01T00:30:00+01:00'))).toBe('2026-06-30');
    // In winter London is on UTC: the dates agree.
    expect(dayOf(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12-31');
    expect(dayOf(new Date('2027-01-01T00:00:00Z'))).toBe('2027-01-01');
    expect(dayOf(new Date('2024-02-29T12:00:00Z'))).toBe('2024-02-29');
  });

  it('is empty for an invalid Date', () => {
    expect(dayOf(new Date('nope'))).toBe('');
  });

  it('matches toISOString().slice(0, 10) on every hour of 2024–2026', () => {
    for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2027, 0, 1); t += 3_600_000) {
      const now = new Date(t + 1_234);
      if (dayOf(now) !== now.toISOString().slice(0, 10)) throw new Error(`differs at ${now.toISOString()}`);
    }
  });
});

describe('calendar arithmetic', () => {
  it('day numbers match Date.UTC on every day from 1900 to 2200 and round-trip', () => {
    for (let t = Date.UTC(1900, 0, 1); t <= Date.UTC(2200, 11, 31); t += DAY) {
      const iso = new Date(t).toISOString().slice(0, 10);
      const n = dayNumber(iso);
      if (n !== t / DAY || dateOfDay(n) !== iso) throw new Error(`differs on ${iso}: ${n}`);
    }
    expect(dayNumber('1970-01-01')).toBe(0);
    expect(dayNumber('0000-03-01')).toBe(-719_468);
    expect(dateOfDay(-719_468)).toBe('0000-03-01');
    expect(dateOfDay(dayNumber('9999-12-31') + 1)).toBe('');
    expect(dateOfDay(1.5)).toBe('');
  });

  it('month lengths', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).toEqual([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
  });

  it('adds days and years', () => {
    expect(addDays('2026-11-30', 30)).toBe('2026-12-30');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-02-30', 1)).toBe('');
    expect(addDays('2026-02-01', 0.5)).toBe('');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2024-02-29', -4)).toBe('2020-02-29');
    expect(addYears('2024-08-31', 3)).toBe('2027-08-31');
    expect(addYears('9998-01-01', 3)).toBe('');
    expect(addYears('2024-01-01', 1.5)).toBe('');
  });
});
