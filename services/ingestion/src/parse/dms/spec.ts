// The part of the WCO DEC-DMS declaration tree (WCO_DEC_2_DMS.xsd, schema 2.15) that the canonical
// Declaration uses. The reader keeps only these elements: everything else (packaging, seals,
// guarantees, offices, contacts, comments) is skipped as it streams past, so memory is bounded by
// what we map, not by what a sender chooses to put in the file, and unknown elements are ignored.
// Elements are matched by local name: HMRC's samples put some leaves in other namespaces
// (e.g. p1:DateTimeString), and namespace correctness is checked once, at the Declaration.

export interface Spec {
  /** Element whose text is captured (with its attributes). */
  readonly leaf: boolean;
  /** Repeatable in the XSD: element paths show the occurrence number, e.g. `Classification[2]`. */
  readonly many: boolean;
  readonly kids: ReadonlyMap<string, Spec> | null;
}

/** A leaf: text (and attributes) kept. */
const L: Spec = { leaf: true, many: false, kids: null };
const group = (kids: Record<string, Spec>, many = false): Spec => ({ leaf: false, many, kids: new Map(Object.entries(kids)) });

const address = group({ CountryCode: L, TypeCode: L });
const party = (): Spec => group({ Name: L, ID: L, Address: address });
const dateTime = group({ DateTimeString: L });
const pointer = group({ SequenceNumeric: L, DocumentSectionCode: L, TagID: L }, true);
const previousDocument = group({ CategoryCode: L, ID: L, TypeCode: L, LineNumeric: L }, true);
const chargeDeduction = group({ ChargesTypeCode: L, OtherChargeDeductionAmount: L }, true);
const fiscalParty = group({ ID: L, RoleCode: L }, true);
const country = group({ CountryCode: L });
const exportCountry = group({ ID: L });

const goodsItem = group(
  {
    SequenceNumeric: L,
    CustomsValueAmount: L,
    StatisticalValueAmount: L,
    AdditionalDocument: group({ CategoryCode: L, ID: L, TypeCode: L, Name: L, LPCOExemptionCode: L }, true),
    AdditionalInformation: group({ StatementCode: L, StatementDescription: L, StatementTypeCode: L }, true),
    Buyer: party(),
    Seller: party(),
    Consignee: party(),
    Consignor: party(),
    Commodity: group({
      Description: L,
      Classification: group({ ID: L, IdentificationTypeCode: L }, true),
      DutyTaxFee: group(
        {
          AdValoremTaxBaseAmount: L,
          DutyRegimeCode: L,
          SpecificTaxBaseQuantity: L,
          TaxRateNumeric: L,
          TypeCode: L,
          QuotaOrderID: L,
          Payment: group({ MethodCode: L, TaxAssessedAmount: L, PaymentAmount: L }),
        },
        true,
      ),
      GoodsMeasure: group({ GrossMassMeasure: L, NetNetWeightMeasure: L, TariffQuantity: L }),
      InvoiceLine: group({ ItemChargeAmount: L }),
    }),
    CustomsValuation: group({ MethodCode: L, ChargeDeduction: chargeDeduction }),
    Destination: country,
    DomesticDutyTaxParty: fiscalParty,
    ExportCountry: exportCountry,
    GovernmentProcedure: group({ CurrentCode: L, PreviousCode: L }, true),
    Origin: group({ CountryCode: L, TypeCode: L }, true),
    PreviousDocument: previousDocument,
    ValuationAdjustment: group({ AdditionCode: L }),
  },
  true,
);

/** The Declaration element (DEC-DMS namespace) and what is kept below it. */
export const DECLARATION_SPEC: Spec = group({
  AcceptanceDateTime: dateTime,
  IssueDateTime: dateTime,
  FunctionCode: L,
  FunctionalReferenceID: L,
  ID: L,
  TypeCode: L,
  GoodsItemQuantity: L,
  InvoiceAmount: L,
  TotalGrossMassMeasure: L,
  TotalPackageQuantity: L,
  AdditionalDocument: group({ CategoryCode: L, ID: L, TypeCode: L, Name: L, LPCOExemptionCode: L }, true),
  AdditionalInformation: group({ StatementCode: L, StatementDescription: L, StatementTypeCode: L, Pointer: pointer }, true),
  Agent: group({ Name: L, ID: L, FunctionCode: L, Address: address }),
  Amendment: group({ ChangeReasonCode: L, Pointer: pointer }, true),
  AuthorisationHolder: group({ ID: L, CategoryCode: L }, true),
  BorderTransportMeans: group({ ModeCode: L }),
  CurrencyExchange: group({ CurrencyTypeCode: L, RateNumeric: L }, true),
  Declarant: party(),
  Exporter: party(),
  GoodsShipment: group({
    Buyer: party(),
    Seller: party(),
    Consignee: party(),
    Consignor: party(),
    Importer: party(),
    Consignment: group({ GoodsLocation: group({ Name: L, ID: L, TypeCode: L, Address: address }) }),
    CustomsValuation: group({ ChargeDeduction: chargeDeduction }),
    Destination: country,
    DomesticDutyTaxParty: fiscalParty,
    ExportCountry: exportCountry,
    GovernmentAgencyGoodsItem: goodsItem,
    PreviousDocument: previousDocument,
    TradeTerms: group({ ConditionCode: L, LocationID: L, LocationName: L }),
  }),
});
