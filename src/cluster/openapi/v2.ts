/**
 * The Swagger 2.0 document served at `/openapi/v2`, as JSON and in gnostic's protobuf form.
 *
 * kubectl reads it through kube-openapi's `proto.NewOpenAPIData`, which is strict: a `$ref` may
 * only point into `#/definitions/` and carry no type or properties, arrays need exactly one item
 * schema, only string/number/integer/boolean primitives exist, and an object with `properties`
 * rejects any field it does not list. So CRD schemas are reduced the way the apiextensions server
 * does for v2 (no junctors, no nullable types, no properties under preserve-unknown-fields), and
 * kinds that keep unknown fields at their root are published as a bare `type: object`.
 */
import type { JsonObject, JsonValue, ResourceType } from '../objects.js';
import {
  OBJECT_META,
  OBJECT_METADATA_DESC,
  V3_REF_PREFIX,
  addEmbeddedProperties,
  apiVersionProperty,
  canonical,
  definitionName,
  groupVersions,
  gvkOf,
  kindProperty,
  listDefinitionName,
  listSchemaV3,
  metaDefinitions,
  operationTag,
  preservesUnknownAtRoot,
  resourcePaths,
  scaleDefinitions,
  sortTypes,
  toJson,
  type OperationSpec,
  type ParamSpec,
  type PathSpec,
} from './common.js';
import { encodeOpenApiV2Document } from './gnostic.js';

export { etagOf, hashOf } from './common.js';

export const V2_REF_PREFIX = '#/definitions/';

/** The media type client-go asks for (`Accept`) when it wants the protobuf form. */
export const OPENAPI_V2_PROTOBUF_MEDIA_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

/**
 * The `Content-Type` to answer the protobuf form with. Not the requested one: Go's
 * `mime.ParseMediaType` rejects the `@`, and client-go then fails with "mime: unexpected content
 * after media subtype". kube-openapi answers both Accept spellings with this one.
 */
export const OPENAPI_V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** True when an Accept header asks for the v2 protobuf form (either spelling). */
export function acceptsOpenApiV2Protobuf(accept: string | undefined): boolean {
  return /application\/com\.github\.proto-openapi\.spec\.v2(@|\.)v1\.0\+protobuf/.test(accept ?? '');
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function v2Ref(name: string, description?: JsonValue): JsonObject {
  const out: JsonObject = { $ref: V2_REF_PREFIX + name };
  if (typeof description === 'string') out.description = description;
  return out;
}

/**
 * Rewrites v3-style references for v2: `allOf: [{$ref}]` wrappers collapse to a plain `$ref`
 * keeping only the description (v2 ignores a reference's siblings), and `$ref`s point into
 * `#/definitions/`.
 */
export function v3RefsToV2(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(v3RefsToV2);
  if (!isObject(v)) return v;
  const allOf = v.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && isObject(allOf[0]) && typeof allOf[0].$ref === 'string') {
    const target = allOf[0].$ref;
    if (target.startsWith(V3_REF_PREFIX) && v.properties === undefined && v.type === undefined) {
      return v2Ref(target.slice(V3_REF_PREFIX.length), v.description);
    }
  }
  if (typeof v.$ref === 'string' && v.$ref.startsWith(V3_REF_PREFIX)) {
    return v2Ref(v.$ref.slice(V3_REF_PREFIX.length), v.description);
  }
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(v)) out[k] = k === 'enum' || k === 'default' || k === 'example' ? val : v3RefsToV2(val);
  return out;
}

/**
 * A structural (CRD) schema as the apiextensions server publishes it in v2 (its
 * `ToStructuralOpenAPIV2`): junctors dropped, nullable values untyped (and no longer required),
 * preserve-unknown-fields nodes untyped and without properties or items, arrays without item
 * schema untyped.
 */
export function structuralToV2(v: JsonValue): JsonValue {
  if (!isObject(v)) return v;
  const s: JsonObject = { ...v };
  delete s.allOf;
  delete s.anyOf;
  delete s.oneOf;
  delete s.not;
  if (s.nullable === true) {
    delete s.type;
    delete s.items;
    delete s.properties;
  }
  delete s.nullable;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (preserve) {
    delete s.items;
    delete s.properties;
  }
  if (isObject(s.properties)) {
    const original = s.properties;
    const props: JsonObject = {};
    for (const [k, sub] of Object.entries(original)) props[k] = structuralToV2(sub);
    s.properties = props;
    if (Array.isArray(s.required)) {
      s.required = s.required.filter((r) => {
        const prop = typeof r === 'string' ? original[r] : undefined;
        return !(isObject(prop) && prop.nullable === true);
      });
    }
  }
  if (Array.isArray(s.items)) s.items = s.items.map(structuralToV2);
  else if (isObject(s.items)) s.items = structuralToV2(s.items);
  if (s.type === 'array' && s.items === undefined) delete s.type;
  // kubectl treats a typed object as closed; one that keeps unknown fields has to be untyped.
  if (preserve && s.type === 'object') delete s.type;
  if (isObject(s.additionalProperties)) {
    if (s.additionalProperties.nullable === true) delete s.required;
    s.additionalProperties = structuralToV2(s.additionalProperties);
  }
  if (Array.isArray(s.required) && s.required.length === 0) delete s.required;
  return s;
}

/** The v2 definition of a kind. */
export function kindSchemaV2(t: ResourceType): JsonObject {
  const gvk: JsonValue = [{ ...gvkOf(t) }];
  if (preservesUnknownAtRoot(t)) {
    // Anything else would make kubectl reject fields the server accepts.
    const out: JsonObject = { type: 'object', 'x-kubernetes-group-version-kind': gvk };
    const description = t.schema?.description;
    if (typeof description === 'string') out.description = description;
    return out;
  }
  const reduced = structuralToV2(toJson(t.schema));
  const s: JsonObject = isObject(reduced) ? reduced : {};
  s.type = 'object';
  const props = isObject(s.properties) ? s.properties : {};
  for (const v of Object.values(props)) addEmbeddedProperties(v, () => v2Ref(OBJECT_META, OBJECT_METADATA_DESC), true);
  props.apiVersion = apiVersionProperty();
  props.kind = kindProperty();
  props.metadata = v2Ref(OBJECT_META, OBJECT_METADATA_DESC);
  s.properties = props;
  s['x-kubernetes-group-version-kind'] = gvk;
  return s;
}

function paramV2(p: ParamSpec): JsonObject {
  const out: JsonObject = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required) out.required = true;
  return out;
}

function operationV2(op: OperationSpec, tag: string): JsonObject {
  const parameters: JsonValue[] = [];
  if (op.body) {
    const body: JsonObject = { name: 'body', in: 'body', schema: v2Ref(op.body.schema) };
    if (op.body.required) body.required = true;
    parameters.push(body);
  }
  for (const p of op.parameters) parameters.push(paramV2(p));
  const responses: JsonObject = {};
  for (const r of op.responses) {
    responses[r.code] = r.schema ? { description: r.description, schema: v2Ref(r.schema) } : { description: r.description };
  }
  const out: JsonObject = {
    description: op.description,
    consumes: op.body ? op.body.mediaTypes : ['*/*'],
    produces: op.produces,
    schemes: ['https'],
    tags: [tag],
    operationId: op.operationId,
  };
  if (parameters.length) out.parameters = parameters;
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { ...op.gvk };
  return out;
}

function pathV2(p: PathSpec, tag: string): JsonObject {
  const out: JsonObject = {};
  for (const op of p.operations) out[op.method] = operationV2(op, tag);
  if (p.parameters.length) out.parameters = p.parameters.map(paramV2);
  return out;
}

export interface OpenApiV2Options {
  /** `info.version`, e.g. the server's gitVersion. */
  version?: string;
}

/** The Swagger 2.0 document of every served resource type. */
export function openapiV2Document(types: readonly ResourceType[], opts: OpenApiV2Options = {}): JsonObject {
  const sorted = sortTypes(types);
  const definitions: JsonObject = {};
  const add = (defs: Record<string, JsonObject>): void => {
    for (const [name, s] of Object.entries(defs)) definitions[name] = v3RefsToV2(s);
  };
  add(metaDefinitions(groupVersions(sorted)));
  if (sorted.some((t) => t.subresources.scale)) add(scaleDefinitions());
  const paths: JsonObject = {};
  for (const t of sorted) {
    definitions[definitionName(t)] = kindSchemaV2(t);
    definitions[listDefinitionName(t)] = v3RefsToV2(listSchemaV3(t));
    const tag = operationTag(t.group, t.version);
    for (const p of resourcePaths(t)) paths[p.path] = pathV2(p, tag);
  }
  return canonical({
    swagger: '2.0',
    info: { title: 'Kubernetes', version: opts.version ?? 'unversioned' },
    paths,
    definitions,
    securityDefinitions: {
      BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' },
    },
    security: [{ BearerToken: [] }],
  }) as JsonObject;
}

/** The document in gnostic's `openapi.v2.Document` protobuf wire format. */
export function openapiV2Protobuf(doc: JsonObject): Uint8Array {
  return encodeOpenApiV2Document(doc);
}
