import { daysInMonth, dateProblem, plausibleDateWindow } from './dates';

describe('real and plausible dates', () => {
  const window = { earliest: '1990-01-01', latest: '2027-12-02' };

  it('accepts real days inside the window, leap days included', () => {
    for (const d of ['1990-01-01', '2024-02-29', '2000-02-29', '2023-12-31', '2027-12-02']) expect(dateProblem(d, d, window)).toBeUndefined();
  });

  it('names why an impossible date is impossible, as the file spelled it', () => {
    expect(dateProblem('2023-02-30', '30/02/2023', window)).toBe('"30/02/2023" is not a real calendar date: February 2023 has 28 days');
    expect(dateProblem('2999-13-45', '45/13/2999', window)).toBe('"45/13/2999" is not a real calendar date: there is no month 13');
    expect(dateProblem('0000-00-00', '00/00/0000', window)).toBe('"00/00/0000" is not a real calendar date: there is no month 00');
    expect(dateProblem('2023-04-00', '00/04/2023', window)).toBe('"00/04/2023" is not a real calendar date: there is no day 00');
    expect(dateProblem('1900-02-29', '29/02/1900', window)).toBe('"29/02/1900" is not a real calendar date: February 1900 has 28 days');
    expect(dateProblem('soon', 'soon', window)).toBe('"soon" is not a date');
  });

  it('refuses real days outside the plausible range', () => {
    expect(dateProblem('1989-12-31', '31/12/1989', window)).toMatch(/^"31\/12\/1989" is before 1990-01-01/);
    expect(dateProblem('2027-12-03', '2027-12-03', window)).toMatch(/^"2027-12-03" is more than 366 days in the future \(after 2027-12-02\)/);
    expect(dateProblem('2999-01-01', '01/01/2999', window)).toMatch(/in the future/);
  });

  it('takes the window from the day it is given, and counts leap years without Date', () => {
    expect(plausibleDateWindow(new Date('2026-12-02T23:59:00Z'))).toEqual({ earliest: '1990-01-01', latest: '2027-12-03' });
    expect([daysInMonth(2024, 2), daysInMonth(2023, 2), daysInMonth(2000, 2), daysInMonth(1900, 2), daysInMonth(0, 2), daysInMonth(2023, 4)]).toEqual([29, 28, 29, 28, 29, 30]);
  });
});
