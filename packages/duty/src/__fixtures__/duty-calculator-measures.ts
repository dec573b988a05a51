// Import measures transcribed from HMRC's duty-calculator test fixtures (Online Trade Tariff data,
// 2020–21 measures, Crown copyright, Open Government Licence v3.0), as shipped in
// trade-tariff/trade-tariff-duty-calculator@c9cbbc7281de978517df9d74371eefc43e3b41a5
// spec/fixtures/uk/commodities/{0103921100,1516209821,7202999000,0809400500}.json (MIT).
// Only the fields the engine reads: measure type, duty_expression.base, geographical area,
// additional code, quota order number. The fixtures relabel some measure types (0103921100 is a
// live pig with a tobacco excise measure): they test the arithmetic, not the tariff.

export interface FixtureMeasure {
  measureType: string;
  base: string;
  geographicalArea: string;
  additionalCode?: string;
  orderNumber?: string;
}

export const DUTY_CALCULATOR_MEASURES: Record<string, FixtureMeasure[]> = {
  '0103921100': [
    { measureType: '103', base: '35.10 EUR / 100 kg', geographicalArea: '1011' },
    { measureType: '306', base: '16.50 % / Retail Price + 244.78 GBP / 1000 p/st MIN 320.90 GBP / 1000 p/st', geographicalArea: '1011', additionalCode: 'X611' },
    { measureType: 'VTZ', base: '0.00 %', geographicalArea: '1011' },
  ],
  '1516209821': [
    { measureType: '103', base: '10.90 %', geographicalArea: '1011' },
    { measureType: '305', base: '0.00 %', geographicalArea: '1011', additionalCode: 'VATZ' },
    { measureType: '305', base: '20.00 %', geographicalArea: '1011' },
    { measureType: '552', base: '144.10 GBP / 1000 kg/biodiesel', geographicalArea: 'CA', additionalCode: 'B999' },
    { measureType: '554', base: '198.33 GBP / 1000 kg/biodiesel', geographicalArea: 'CA', additionalCode: 'B999' },
  ],
  '7202999000': [
    { measureType: '103', base: '2.70 %', geographicalArea: '1011' },
    { measureType: '122', base: '20.00 %', geographicalArea: '1011', orderNumber: '054003' },
    { measureType: '695', base: '25.00 %', geographicalArea: 'US' },
    { measureType: 'VTS', base: '20.00 %', geographicalArea: '1011' },
  ],
  '0809400500': [
    { measureType: '305', base: '0.00 %', geographicalArea: '1011', additionalCode: 'VATZ' },
    { measureType: '142', base: '4.20 %', geographicalArea: 'SG' },
  ],
};

/** The fixture's VAT measures in the engine's form (305 with its additional code, or VTS/VTZ…). */
export function vatMeasuresOf(code: string): { expression: string; additionalCode?: string; source: string }[] {
  return (DUTY_CALCULATOR_MEASURES[code] ?? [])
    .filter((m) => m.measureType === '305' || /^VT[A-Z]$/.test(m.measureType))
    .map((m) => ({ expression: m.base, ...(m.additionalCode ? { additionalCode: m.additionalCode } : {}), source: `duty-calculator fixture ${code} measure ${m.measureType}` }));
}
