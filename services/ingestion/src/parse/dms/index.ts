export { createDmsDeclarationParser, parseDmsDeclaration, parseDmsDeclarationStream, type DmsDeclarationParser } from './parse-dms';
export { NS_DEC, NS_MDG, NS_META } from './reader';
export type { DmsAmendment, DmsMessageKind, DmsParseOptions, DmsParseResult, DmsPointer, ParseIssue, ParseIssueCode } from './types';
