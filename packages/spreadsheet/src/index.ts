export { readFirstSheet, type XlsxReadOptions } from './xlsx';
export { readFirstOdsSheet, readFirstFlatOdsSheet, ODS_LIMITS, ODS_MIMETYPE, type OdsReadOptions } from './ods';
export { limitsForMemory, SHEET_LIMITS, SheetLimitError, sheetLimits, type SheetCap, type SheetLimitDetails, type SheetLimits, type SheetReadOptions } from './limits';
export { isFlatOds, isWorkbook, isZip, readFirstSheetOfWorkbook, workbookKind, WORKBOOK_PEEK_BYTES, type WorkbookKind } from './workbook';
export { WORKBOOK_WORKER_DEFAULTS, WorkbookWorkerError, WorkbookWorkerPool, type WorkbookWorkerFailure, type WorkbookWorkerOptions } from './worker-pool';
export { csvChunks, rowsToCsv } from './csv';
