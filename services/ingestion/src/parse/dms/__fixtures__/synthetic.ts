// Test helper (not part of the parser): builds small DMS documents around the fragments a test cares about.
export const NS_META = 'urn:wco:datamodel:WCO:DocumentMetaData-DMS:2';
export const NS_DEC = 'urn:wco:datamodel:WCO:DEC-DMS:2';

/** A minimal goods item: CN 85109000 + TARIC 00, CPC 4000 + APC 000, origin US. */
export function goodsItem(seq: number, extra = '', commodityExtra = ''): string {
  return (
    `<GovernmentAgencyGoodsItem><SequenceNumeric>${seq}</SequenceNumeric>` +
    `<Commodity><Description>Shaver parts</Description>` +
    `<Classification><ID>85109000</ID><IdentificationTypeCode>TSP</IdentificationTypeCode></Classification>` +
    `<Classification><ID>00</ID><IdentificationTypeCode>TRC</IdentificationTypeCode></Classification>${commodityExtra}</Commodity>` +
    `<GovernmentProcedure><CurrentCode>40</CurrentCode><PreviousCode>00</PreviousCode></GovernmentProcedure>` +
    `<GovernmentProcedure><CurrentCode>000</CurrentCode></GovernmentProcedure>` +
    `<Origin><CountryCode>US</CountryCode><TypeCode>1</TypeCode></Origin>${extra}</GovernmentAgencyGoodsItem>`
  );
}

/** An original declaration (FunctionCode 9) in md:MetaData; `header` goes before GoodsShipment, `shipment` inside it. */
export function declaration(opts: { header?: string; shipment?: string; items?: string; functionCode?: string; prolog?: string } = {}): string {
  const fc = opts.functionCode === undefined ? '<FunctionCode>9</FunctionCode>' : opts.functionCode;
  return (
    `${opts.prolog ?? '<?xml version="1.0" encoding="UTF-8"?>'}\n` +
    `<md:MetaData xmlns:md="${NS_META}" xmlns="${NS_DEC}">\n` +
    `<md:WCODataModelVersionCode>3.6</md:WCODataModelVersionCode><md:WCOTypeName>DEC</md:WCOTypeName>\n` +
    `<Declaration>\n${fc}<FunctionalReferenceID>LRN-1</FunctionalReferenceID><TypeCode>IMA</TypeCode>\n${opts.header ?? ''}\n` +
    `<GoodsShipment>\n${opts.items ?? goodsItem(1)}\n${opts.shipment ?? ''}<Importer><ID>GB553202734852</ID></Importer></GoodsShipment>\n` +
    `</Declaration>\n</md:MetaData>\n`
  );
}
