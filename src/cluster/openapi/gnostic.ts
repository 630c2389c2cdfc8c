/**
 * Encodes a Swagger 2.0 JSON document as gnostic's `openapi.v2.Document` protobuf message, the form
 * client-go's `OpenAPISchema()` asks for with
 * `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
 *
 * Field numbers follow gnostic's `openapiv2/OpenAPIv2.proto`. JSON maps become the generated
 * `Named*` (name, value) lists in document order; free-form values (`default`, `enum`, `example`,
 * vendor extensions) become `Any { yaml }`, whose text here is JSON (valid YAML, which is what
 * kube-openapi feeds to its YAML parser).
 */
import type { JsonObject, JsonValue } from '../objects.js';
import { ProtoWriter } from './protobuf.js';

type Enc = (w: ProtoWriter, field: number, v: JsonValue) => void;

interface MsgSpec {
  fields: Record<string, [number, Enc]>;
  /** Field number of `repeated NamedAny vendor_extension` for `x-*` keys. */
  ext?: number;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---- scalars (proto3: default values are not written) ----

const str: Enc = (w, f, v) => {
  if (typeof v === 'string' && v !== '') w.string(f, v);
};
const strs: Enc = (w, f, v) => {
  if (Array.isArray(v)) for (const s of v) if (typeof s === 'string') w.string(f, s);
};
const bool: Enc = (w, f, v) => {
  if (v === true) w.bool(f, true);
};
const dbl: Enc = (w, f, v) => {
  if (typeof v === 'number' && v !== 0) w.double(f, v);
};
const i64: Enc = (w, f, v) => {
  if (typeof v === 'number' && Math.trunc(v) !== 0) w.int64(f, v);
};

/** The YAML text of a free-form value (JSON is a YAML subset). */
export function yamlText(v: JsonValue): string {
  return `${JSON.stringify(v)}\n`;
}

const anyEnc: Enc = (w, f, v) => {
  const m = w.begin(f);
  w.string(2, yamlText(v)); // Any.yaml
  w.end(m);
};
const anys: Enc = (w, f, v) => {
  if (Array.isArray(v)) for (const item of v) anyEnc(w, f, item);
};

/** A `NamedAny` (vendor extension) entry. */
function namedAny(w: ProtoWriter, f: number, name: string, v: JsonValue): void {
  const m = w.begin(f);
  w.string(1, name);
  anyEnc(w, 2, v);
  w.end(m);
}

// ---- combinators ----

function writeFields(w: ProtoWriter, spec: MsgSpec, obj: JsonObject): void {
  for (const [key, value] of Object.entries(obj)) {
    const fieldSpec = Object.hasOwn(spec.fields, key) ? spec.fields[key] : undefined;
    if (fieldSpec) fieldSpec[1](w, fieldSpec[0], value);
    else if (spec.ext !== undefined && key.startsWith('x-')) namedAny(w, spec.ext, key, value);
  }
}

/** A message field whose JSON form is an object mapped field by field. Lazy so specs can recurse. */
function msg(spec: () => MsgSpec): Enc {
  let cached: MsgSpec | undefined;
  return (w, f, v) => {
    if (!isObject(v)) return;
    cached ??= spec();
    const m = w.begin(f);
    writeFields(w, cached, v);
    w.end(m);
  };
}

/** `repeated M` from a JSON array. */
function rep(enc: Enc): Enc {
  return (w, f, v) => {
    if (Array.isArray(v)) for (const item of v) enc(w, f, item);
  };
}

/** `repeated NamedX` from a JSON object: each entry is `{ name = 1; value = 2 }`. */
function named(valueEnc: Enc): Enc {
  return (w, f, v) => {
    if (!isObject(v)) return;
    for (const [name, value] of Object.entries(v)) {
      const m = w.begin(f);
      w.string(1, name);
      valueEnc(w, 2, value);
      w.end(m);
    }
  };
}

/** A wrapper message holding only `repeated NamedX additional_properties = 1` (Definitions, Properties, ...). */
function namedWrapper(valueEnc: Enc): Enc {
  const entries = named(valueEnc);
  return (w, f, v) => {
    if (!isObject(v)) return;
    const m = w.begin(f);
    entries(w, 1, v);
    w.end(m);
  };
}

/** A oneof wrapper: picks which field of the wrapper message carries the value. */
function oneof(choose: (v: JsonValue) => [number, Enc] | undefined): Enc {
  return (w, f, v) => {
    const choice = choose(v);
    if (!choice) return;
    const m = w.begin(f);
    choice[1](w, choice[0], v);
    w.end(m);
  };
}

// ---- messages ----

const externalDocs: Enc = msg(() => ({ fields: { description: [1, str], url: [2, str] }, ext: 3 }));

const xml: Enc = msg(() => ({
  fields: { name: [1, str], namespace: [2, str], prefix: [3, str], attribute: [4, bool], wrapped: [5, bool] },
  ext: 6,
}));

const typeItem: Enc = (w, f, v) => {
  const m = w.begin(f);
  if (typeof v === 'string') w.string(1, v);
  else strs(w, 1, v);
  w.end(m);
};

const schema: Enc = msg(() => ({
  fields: {
    $ref: [1, str],
    format: [2, str],
    title: [3, str],
    description: [4, str],
    default: [5, anyEnc],
    multipleOf: [6, dbl],
    maximum: [7, dbl],
    exclusiveMaximum: [8, bool],
    minimum: [9, dbl],
    exclusiveMinimum: [10, bool],
    maxLength: [11, i64],
    minLength: [12, i64],
    pattern: [13, str],
    maxItems: [14, i64],
    minItems: [15, i64],
    uniqueItems: [16, bool],
    maxProperties: [17, i64],
    minProperties: [18, i64],
    required: [19, strs],
    enum: [20, anys],
    additionalProperties: [21, additionalPropertiesItem],
    type: [22, typeItem],
    items: [23, itemsItem],
    allOf: [24, rep(schema)],
    properties: [25, namedWrapper(schema)],
    discriminator: [26, str],
    readOnly: [27, bool],
    xml: [28, xml],
    externalDocs: [29, externalDocs],
    example: [30, anyEnc],
  },
  ext: 31,
}));

function additionalPropertiesItem(w: ProtoWriter, f: number, v: JsonValue): void {
  if (typeof v !== 'boolean' && !isObject(v)) return;
  const m = w.begin(f);
  if (typeof v === 'boolean') w.bool(2, v); // oneof member: written even when false
  else schema(w, 1, v);
  w.end(m);
}

function itemsItem(w: ProtoWriter, f: number, v: JsonValue): void {
  const m = w.begin(f);
  if (Array.isArray(v)) rep(schema)(w, 1, v);
  else schema(w, 1, v);
  w.end(m);
}

const fileSchema: Enc = msg(() => ({
  fields: {
    format: [1, str],
    title: [2, str],
    description: [3, str],
    default: [4, anyEnc],
    required: [5, strs],
    type: [6, str],
    readOnly: [7, bool],
    externalDocs: [8, externalDocs],
    example: [9, anyEnc],
  },
  ext: 10,
}));

const primitivesItems: Enc = msg(() => ({
  fields: {
    type: [1, str],
    format: [2, str],
    items: [3, primitivesItems],
    collectionFormat: [4, str],
    default: [5, anyEnc],
    maximum: [6, dbl],
    exclusiveMaximum: [7, bool],
    minimum: [8, dbl],
    exclusiveMinimum: [9, bool],
    maxLength: [10, i64],
    minLength: [11, i64],
    pattern: [12, str],
    maxItems: [13, i64],
    minItems: [14, i64],
    uniqueItems: [15, bool],
    enum: [16, anys],
    multipleOf: [17, dbl],
  },
  ext: 18,
}));

const header: Enc = msg(() => ({
  fields: {
    type: [1, str],
    format: [2, str],
    items: [3, primitivesItems],
    collectionFormat: [4, str],
    default: [5, anyEnc],
    maximum: [6, dbl],
    exclusiveMaximum: [7, bool],
    minimum: [8, dbl],
    exclusiveMinimum: [9, bool],
    maxLength: [10, i64],
    minLength: [11, i64],
    pattern: [12, str],
    maxItems: [13, i64],
    minItems: [14, i64],
    uniqueItems: [15, bool],
    enum: [16, anys],
    multipleOf: [17, dbl],
    description: [18, str],
  },
  ext: 19,
}));

/** Header and path parameter sub-schemas share one numbering. */
function headerOrPathParameter(): MsgSpec {
  return {
    fields: {
      required: [1, bool],
      in: [2, str],
      description: [3, str],
      name: [4, str],
      type: [5, str],
      format: [6, str],
      items: [7, primitivesItems],
      collectionFormat: [8, str],
      default: [9, anyEnc],
      maximum: [10, dbl],
      exclusiveMaximum: [11, bool],
      minimum: [12, dbl],
      exclusiveMinimum: [13, bool],
      maxLength: [14, i64],
      minLength: [15, i64],
      pattern: [16, str],
      maxItems: [17, i64],
      minItems: [18, i64],
      uniqueItems: [19, bool],
      enum: [20, anys],
      multipleOf: [21, dbl],
    },
    ext: 22,
  };
}

/** Query and formData parameter sub-schemas share one numbering (with allowEmptyValue). */
function queryOrFormParameter(): MsgSpec {
  return {
    fields: {
      required: [1, bool],
      in: [2, str],
      description: [3, str],
      name: [4, str],
      allowEmptyValue: [5, bool],
      type: [6, str],
      format: [7, str],
      items: [8, primitivesItems],
      collectionFormat: [9, str],
      default: [10, anyEnc],
      maximum: [11, dbl],
      exclusiveMaximum: [12, bool],
      minimum: [13, dbl],
      exclusiveMinimum: [14, bool],
      maxLength: [15, i64],
      minLength: [16, i64],
      pattern: [17, str],
      maxItems: [18, i64],
      minItems: [19, i64],
      uniqueItems: [20, bool],
      enum: [21, anys],
      multipleOf: [22, dbl],
    },
    ext: 23,
  };
}

const bodyParameter: Enc = msg(() => ({
  fields: { description: [1, str], name: [2, str], in: [3, str], required: [4, bool], schema: [5, schema] },
  ext: 6,
}));
const headerParameter: Enc = msg(headerOrPathParameter);
const pathParameter: Enc = msg(headerOrPathParameter);
const queryParameter: Enc = msg(queryOrFormParameter);
const formDataParameter: Enc = msg(queryOrFormParameter);

const nonBodyParameter: Enc = oneof((v) => {
  if (!isObject(v)) return undefined;
  switch (v.in) {
    case 'header':
      return [1, headerParameter];
    case 'formData':
      return [2, formDataParameter];
    case 'query':
      return [3, queryParameter];
    case 'path':
      return [4, pathParameter];
    default:
      return undefined;
  }
});

const parameter: Enc = oneof((v) => {
  if (!isObject(v)) return undefined;
  return v.in === 'body' ? [1, bodyParameter] : [2, nonBodyParameter];
});

const jsonReference: Enc = msg(() => ({ fields: { $ref: [1, str], description: [2, str] } }));

const parametersItem: Enc = oneof((v) => {
  if (!isObject(v)) return undefined;
  return typeof v.$ref === 'string' ? [2, jsonReference] : [1, parameter];
});

const schemaItem: Enc = oneof((v) => {
  if (!isObject(v)) return undefined;
  return v.type === 'file' ? [2, fileSchema] : [1, schema];
});

const response: Enc = msg(() => ({
  fields: {
    description: [1, str],
    schema: [2, schemaItem],
    headers: [3, namedWrapper(header)],
    examples: [4, namedWrapper(anyEnc)],
  },
  ext: 5,
}));

const responseValue: Enc = oneof((v) => {
  if (!isObject(v)) return undefined;
  return typeof v.$ref === 'string' ? [2, jsonReference] : [1, response];
});

/** Responses: status codes (and `default`) as NamedResponseValue = 1, `x-*` as NamedAny = 2. */
const responses: Enc = (w, f, v) => {
  if (!isObject(v)) return;
  const m = w.begin(f);
  for (const [key, value] of Object.entries(v)) {
    if (key.startsWith('x-')) {
      namedAny(w, 2, key, value);
    } else {
      const entry = w.begin(1);
      w.string(1, key);
      responseValue(w, 2, value);
      w.end(entry);
    }
  }
  w.end(m);
};

const stringArray: Enc = (w, f, v) => {
  const m = w.begin(f);
  strs(w, 1, v);
  w.end(m);
};

const securityRequirement: Enc = namedWrapper(stringArray);

const operation: Enc = msg(() => ({
  fields: {
    tags: [1, strs],
    summary: [2, str],
    description: [3, str],
    externalDocs: [4, externalDocs],
    operationId: [5, str],
    produces: [6, strs],
    consumes: [7, strs],
    parameters: [8, rep(parametersItem)],
    responses: [9, responses],
    schemes: [10, strs],
    deprecated: [11, bool],
    security: [12, rep(securityRequirement)],
  },
  ext: 13,
}));

const pathItem: Enc = msg(() => ({
  fields: {
    $ref: [1, str],
    get: [2, operation],
    put: [3, operation],
    post: [4, operation],
    delete: [5, operation],
    options: [6, operation],
    head: [7, operation],
    patch: [8, operation],
    parameters: [9, rep(parametersItem)],
  },
  ext: 10,
}));

/** Paths: `x-*` as NamedAny = 1, every path as NamedPathItem = 2. */
const paths: Enc = (w, f, v) => {
  if (!isObject(v)) return;
  const m = w.begin(f);
  for (const [key, value] of Object.entries(v)) {
    if (key.startsWith('x-')) {
      namedAny(w, 1, key, value);
    } else {
      const entry = w.begin(2);
      w.string(1, key);
      pathItem(w, 2, value);
      w.end(entry);
    }
  }
  w.end(m);
};

const oauth2Scopes: Enc = namedWrapper(str);

const securityDefinitionsItem: Enc = oneof((v) => {
  if (!isObject(v)) return undefined;
  if (v.type === 'basic') return [1, msg(() => ({ fields: { type: [1, str], description: [2, str] }, ext: 3 }))];
  if (v.type === 'apiKey') {
    return [2, msg(() => ({ fields: { type: [1, str], name: [2, str], in: [3, str], description: [4, str] }, ext: 5 }))];
  }
  if (v.type !== 'oauth2') return undefined;
  const common = { type: [1, str], flow: [2, str], scopes: [3, oauth2Scopes] } satisfies Record<string, [number, Enc]>;
  switch (v.flow) {
    case 'implicit':
      return [3, msg(() => ({ fields: { ...common, authorizationUrl: [4, str], description: [5, str] }, ext: 6 }))];
    case 'password':
      return [4, msg(() => ({ fields: { ...common, tokenUrl: [4, str], description: [5, str] }, ext: 6 }))];
    case 'application':
      return [5, msg(() => ({ fields: { ...common, tokenUrl: [4, str], description: [5, str] }, ext: 6 }))];
    case 'accessCode':
      return [
        6,
        msg(() => ({ fields: { ...common, authorizationUrl: [4, str], tokenUrl: [5, str], description: [6, str] }, ext: 7 })),
      ];
    default:
      return undefined;
  }
});

const contact: Enc = msg(() => ({ fields: { name: [1, str], url: [2, str], email: [3, str] }, ext: 4 }));
const license: Enc = msg(() => ({ fields: { name: [1, str], url: [2, str] }, ext: 3 }));
const info: Enc = msg(() => ({
  fields: {
    title: [1, str],
    version: [2, str],
    description: [3, str],
    termsOfService: [4, str],
    contact: [5, contact],
    license: [6, license],
  },
  ext: 7,
}));
const tag: Enc = msg(() => ({
  fields: { name: [1, str], description: [2, str], externalDocs: [3, externalDocs] },
  ext: 4,
}));

const documentSpec: MsgSpec = {
  fields: {
    swagger: [1, str],
    info: [2, info],
    host: [3, str],
    basePath: [4, str],
    schemes: [5, strs],
    consumes: [6, strs],
    produces: [7, strs],
    paths: [8, paths],
    definitions: [9, namedWrapper(schema)],
    parameters: [10, namedWrapper(parameter)],
    responses: [11, namedWrapper(response)],
    security: [12, rep(securityRequirement)],
    securityDefinitions: [13, namedWrapper(securityDefinitionsItem)],
    tags: [14, rep(tag)],
    externalDocs: [15, externalDocs],
  },
  ext: 16,
};

/** Encodes a Swagger 2.0 document (JSON form) as `openapi.v2.Document` wire bytes. */
export function encodeOpenApiV2Document(doc: JsonObject): Uint8Array {
  const w = new ProtoWriter(64 * 1024);
  writeFields(w, documentSpec, doc);
  return w.finish();
}
