import * as fs from 'node:fs';
import * as path from 'node:path';
import { HMRC_SAMPLES } from '@customs/testing';
import { parseDocument } from './formats';
import { applyChange, deletedItems } from './amend';

const sample = (rel: string) => fs.readFileSync(path.join(HMRC_SAMPLES, rel));
const parse = async (rel: string) => parseDocument('dms-xml', sample(rel), path.basename(rel), 10 << 20);

describe('applying DMS amendments and invalidations', () => {
  it('HMRC TT_IM017a: the COR deletes goods item 2 and updates invoice amount and packages, keeping the rest', async () => {
    const original = (await parse('TT_IM017a/Step1_TT_IM017a.xml')).declarations[0]!;
    const change = (await parse('TT_IM017a/TT_IM017a_Amendment.xml')).changes![0]!;
    expect(change.kind).toBe('amendment');
    expect(deletedItems(change)).toEqual([2]);
    const { declaration: v2, notes } = applyChange({ ...original, version: 1 }, change);
    expect(notes).toEqual([]);
    expect(original.items.map((i) => i.itemNumber)).toEqual([1, 2, 3]);
    expect(v2.items.map((i) => [i.itemNumber, i.commodityCode.slice(0, 8)])).toEqual([
      [1, '85109000'],
      [3, '85102000'],
    ]);
    expect(v2.invoiceAmount).toEqual({ value: '1100', currency: 'GBP' });
    expect(v2.totalPackages).toBe('65');
    // The original had only its LRN; the amendment links the MRN CDS assigned.
    expect(original.mrn).toBe('');
    expect(v2).toMatchObject({ mrn: '21GB7X8M7S6NG8N6R0', lrn: 'TT_IM17a_v1.4_1907_01', typeCode: 'IMA', functionCode: '13', changeKind: 'amendment', status: '' });
    expect(v2.acceptanceDate).toBe(original.acceptanceDate);
    // The amendment's AES reasons are recorded with the change, not merged as DE 2/2 statements.
    expect(v2.additionalInformation).toEqual(original.additionalInformation);
    expect(v2.appliedChanges[0]).toEqual({ changeReasonCode: '30', pointer: '42A#1/67A#1/68A#2', reason: 'AMENDMENT 1 - Deleting Goods Item' });
    expect(v2.appliedChanges.map((c) => c.pointer)).toEqual(['42A#1/67A#1/68A#2', '42A#1:228', '42A#1:109', '42A#1:146']);
    // Item 1 is untouched, value for value.
    expect(v2.items[0]).toEqual(original.items[0]);
  });

  it('HMRC TT_Add_Item_Scenario_v1: the COR adds goods item 3', async () => {
    const original = (await parse('TT_Add_Item_Scenario_v1/Step1_Declaration.xml')).declarations[0]!;
    const change = (await parse('TT_Add_Item_Scenario_v1/Step2_Amendment.xml')).changes![0]!;
    expect(deletedItems(change)).toEqual([]);
    const { declaration: v2 } = applyChange(original, change);
    expect(original.items).toHaveLength(2);
    expect(v2.items.map((i) => i.itemNumber)).toEqual([1, 2, 3]);
    expect(v2.items[2]).toMatchObject({ commodityCode: '8510200000', description: 'Hair clippers' });
    expect(v2.items[2]!.documents.map((d) => d.code)).toEqual(['C506', 'N935', 'C505']);
    expect(v2.totalPackages).toBe('80');
  });

  it('merges a test-built item-level amendment field by field and list by key', async () => {
    const original = (await parse('TT_IM017a/Step1_TT_IM017a.xml')).declarations[0]!;
    const item2 = original.items[1]!;
    const change = {
      kind: 'amendment' as const,
      amendments: [
        {
          changeReasonCode: '21',
          pointers: [
            { sequence: '1', section: '42A', tagId: '' },
            { sequence: '1', section: '67A', tagId: '' },
            { sequence: '2', section: '68A', tagId: '' },
            { sequence: '1', section: '23A', tagId: '337' },
          ],
          line: 1,
        },
      ],
      declaration: {
        ...original,
        mrn: '21GB7X8M7S6NG8N6R0',
        lrn: 'AMEND-1',
        functionCode: '13',
        typeCode: 'COR',
        invoiceAmount: undefined,
        totalPackages: '',
        parties: [],
        documents: [],
        additionalInformation: [{ code: '', text: 'wrong commodity code' }],
        items: [
          {
            ...item2,
            commodityCode: '8510100000',
            description: '',
            documents: [{ code: 'N935', reference: 'INV-NEW', status: 'AE', reason: '' }],
            taxLines: [],
            parties: [],
            additionalInformation: [],
            itemPrice: undefined,
            customsValuePresent: false,
            customsValuePence: 0,
            netMassKg: '',
          },
        ],
      },
    };
    const { declaration: v2 } = applyChange(original, change);
    expect(v2.items).toHaveLength(3);
    expect(v2.items[1]).toMatchObject({ itemNumber: 2, commodityCode: '8510100000', description: item2.description, netMassKg: item2.netMassKg, itemPrice: item2.itemPrice });
    // N935 replaced in place; the other documents of item 2 kept.
    const docs = v2.items[1]!.documents;
    expect(docs.find((d) => d.code === 'N935')).toEqual({ code: 'N935', reference: 'INV-NEW', status: 'AE', reason: item2.documents.find((d) => d.code === 'N935')?.reason ?? '' });
    expect(docs.map((d) => d.code)).toEqual(item2.documents.map((d) => d.code));
    expect(v2.items[1]!.taxLines).toEqual(item2.taxLines);
    expect(v2.invoiceAmount).toEqual(original.invoiceAmount);
    expect(v2.lrn).toBe(original.lrn);
    expect(v2.appliedChanges).toEqual([{ changeReasonCode: '21', pointer: '42A#1/67A#1/68A#2/23A#1:337', reason: 'wrong commodity code' }]);
  });

  it('HMRC TT_IM011a: the INV cancellation gives an invalidated version with the same content', async () => {
    const original = (await parse('TT_IM011a/TT_IM011a.xml')).declarations[0]!;
    const change = (await parse('TT_IM011a/TT_IM011a_Cancellation.xml')).changes![0]!;
    expect(change.kind).toBe('invalidation');
    const { declaration: v2 } = applyChange(original, change);
    expect(v2).toMatchObject({ status: 'invalidated', changeKind: 'invalidation', mrn: '24GBA4ZYBWXU1BSA00', lrn: original.lrn });
    expect(v2.items).toEqual(original.items);
  });
});

describe('invoice keys of N935 references', () => {
  it('matches the whole reference and the number of HMRC’s "number/dd.mm.yyyy" form', async () => {
    const { invoiceKeysOf } = await import('./ingest');
    expect(invoiceKeysOf('12345/19.01.2021')).toEqual(['1234519012021', '12345']);
    expect(invoiceKeysOf('INV-9912')).toEqual(['INV9912']);
    expect(invoiceKeysOf('  ')).toEqual([]);
  });
});
