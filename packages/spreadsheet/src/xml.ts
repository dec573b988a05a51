import { SaxesParser } from 'saxes';

/**
 * The XML reading both workbook formats share: any DOCTYPE is refused (so no entity can be
 * declared, let alone expanded: no XXE, no billion laughs), and a document that is not
 * well-formed is an error naming the part, never a partial read. Names are given as written
 * ("x:row"); a reader that must go by namespace resolves prefixes itself (saxes' namespace mode
 * doubles the parse time of a large sheet).
 */

export interface XmlHandlers {
  open(name: string, attrs: Record<string, string>): void;
  text(t: string): void;
  close(name: string): void;
}

/**
 * Thrown by a handler to end the read early, without error (a reader that has what it needs,
 * e.g. the first sheet, need not walk the rest of a large document).
 */
export class StopParsing extends Error {}

export function parseXml(source: string, xml: string, handlers: XmlHandlers): void {
  const parser = new SaxesParser({ xmlns: false });
  let failure: Error | undefined;
  parser.on('doctype', () => (failure ??= new Error(`${source}: DOCTYPE declarations are not accepted`)));
  parser.on('error', (e) => (failure ??= new Error(`${source}: not well-formed XML: ${e.message}`)));
  parser.on('opentag', (t) => handlers.open(t.name, t.attributes as Record<string, string>));
  parser.on('text', (t) => handlers.text(t));
  parser.on('cdata', (t) => handlers.text(t));
  parser.on('closetag', (t) => handlers.close(t.name));
  try {
    parser.write(xml).close();
  } catch (e) {
    // A DOCTYPE comes before the root element, so it is reported even when a handler stopped.
    if (!(e instanceof StopParsing)) failure ??= e as Error;
  }
  if (failure) throw failure;
}
