import { isPlaceholderReference, isPlaceholderText, isVagueDescription } from './vocabulary';

describe('vague goods descriptions (DE 6/8)', () => {
  it('catches the generic word in any case, plural, combination or with filler words', () => {
    for (const d of [
      'parts',
      'Parts',
      'PART',
      'spare parts',
      'Spares',
      'parts and accessories',
      'Parts & Accessories',
      'accessories',
      'Accessory',
      'various',
      'Various goods',
      'various items',
      'misc. items',
      'assorted products',
      'general merchandise',
      'General cargo',
      'FAK',
      'freight all kinds',
      'samples',
      '10 x samples',
      '5 pcs parts',
      'see invoice',
      'As per invoice',
      'goods',
      'personal effects',
      'gifts',
      'machine parts',
      'auto parts',
      'N/A',
      'TBC',
      'unknown',
      'other goods',
      'materials and equipment',
    ])
      expect([d, isVagueDescription(d)]).toEqual([d, true]);
  });

  it('leaves descriptions that name the goods alone, whatever generic words they also use', () => {
    for (const d of [
      'Parts for electric shavers, hair clippers and hair-removing appliances',
      'Cherry tomatoes, fresh',
      'Shavers',
      'Brake pads for motor cars',
      'Cotton T-shirts, knitted',
      'Spare parts for fork-lift trucks: hydraulic pumps',
      'Glass bottles',
      'Samples of woven wool fabric',
      '',
    ])
      expect([d, isVagueDescription(d)]).toEqual([d, false]);
  });
});

describe('placeholder references (DE 2/3, DE 2/1, DE 3/40)', () => {
  it('catches blanks and placeholder words in any case, spacing or punctuation', () => {
    for (const r of [
      '',
      '  ',
      'N/A',
      'n/a',
      'NA',
      'N.A.',
      'TBC',
      't.b.c.',
      'TBA',
      'TBD',
      'to follow',
      'To Follow',
      'UNKNOWN',
      'unknown',
      'none',
      'NULL',
      '-',
      '0',
      '0000',
      'XXX',
      'xxxx',
      '999999',
      'see invoice',
      'pending',
    ])
      expect([r, isPlaceholderReference(r)]).toEqual([r, true]);
  });

  it('accepts real references', () => {
    for (const r of ['12345/19.01.2024', 'INV-2023-0042', '22GBCDS123456789B1', 'GB553202734', 'GBDPO1108654', 'C&E1154 worksheet 7', 'NA12345'])
      expect([r, isPlaceholderReference(r)]).toEqual([r, false]);
  });

  it('isPlaceholderText refuses only a keyed placeholder, not a blank reference', () => {
    expect([isPlaceholderText(''), isPlaceholderText('N/A'), isPlaceholderText('TBC'), isPlaceholderText('GBCWPU8887776GB')]).toEqual([false, true, true, false]);
  });
});
