export { createDmsDeclarationParser, parseDmsDeclaration, parseDmsDeclarationAsync, parseDmsDeclarationStream, type DmsDeclarationParser } from './parse-dms';
export { NS_DEC, NS_MDG, NS_META } from './reader';
export type { DmsAmendment, DmsMessageKind, DmsParseOptions, DmsParseResult, DmsPointer, ParseIssue, ParseIssueCode } from './types';
export {
  closeDmsSchemaCheck,
  configureDmsSchemaCheck,
  dmsSchemaCheckSettings,
  dmsSchemaCheckStats,
  validateDms,
  validateDmsAsync,
  warmUpDmsSchemaCheck,
  DMS_SCHEMA_DIR,
  type XsdIssue,
  type XsdResult,
} from './xsd';
