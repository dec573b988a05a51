// How route schemas validate requests (docs/adr/0013-http-schemas-and-problems.md):
// - bodies strictly: no type coercion (`reason: ["x"]` or `reason: 5` is a 400, not "x" or "5"),
//   and additional properties are refused, not silently removed (`additionalProperties: false`
//   on a body means an unknown field is a 400 naming it);
// - query strings, path parameters and headers are text on the wire: scalars are coerced to the
//   declared type (`limit=1.5` against `type: integer` is a 400; `limit=20` is the number 20), and
//   an unknown query parameter is refused the same way.
// Responses are serialized with JSON.stringify: response schemas document the shape (OpenAPI)
// and are never allowed to drop or coerce a field a handler returns.
import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

/** Marks a body schema whose body may be left out entirely (schemas.ts, noBody). */
export const OPTIONAL_BODY = 'x-body-optional';

const COMMON: Options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false, allowUnionTypes: true };

export function installSchemaValidation(app: FastifyInstance): void {
  const bodies = new Ajv({ ...COMMON, coerceTypes: false });
  const text = new Ajv({ ...COMMON, coerceTypes: true });
  for (const ajv of [bodies, text]) {
    addFormats(ajv);
    // OpenAPI keywords @fastify/swagger reads; not validation keywords.
    ajv.addKeyword({ keyword: 'example' });
    ajv.addKeyword({ keyword: 'xml' });
  }
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? bodies : text).compile(schema);
    if (httpPart !== 'body' || !(schema as Record<string, unknown>)[OPTIONAL_BODY]) return validate;
    // A body that may be left out (noBody): no body passes, any body is checked.
    const optional = (data: unknown) => {
      if (data === undefined || data === null) return true;
      const ok = validate(data);
      optional.errors = validate.errors;
      return ok;
    };
    optional.errors = validate.errors;
    return optional;
  });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}
