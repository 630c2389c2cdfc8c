/**
 * The OpenAPI v3 documents: the `/openapi/v3` discovery root and one OpenAPI 3.0 document per
 * group-version (`/openapi/v3/apis/<group>/<version>`, `/openapi/v3/api/v1`).
 *
 * What clients read from them: `kubectl explain` finds the kind through the
 * `x-kubernetes-group-version-kind` of an operation on the resource's path, then the component
 * schema carrying the same GVK, following `$ref`s within the document; kubectl's field-validation
 * check looks for a `fieldValidation` query parameter on the kind's PATCH operation; client-side
 * apply computes strategic merge patches from the schema only when the PATCH operation accepts
 * `application/strategic-merge-patch+json`.
 */
import type { JsonObject, ResourceType } from '../objects.js';
import {
  canonical,
  definitionName,
  groupVersionPath,
  groupVersions,
  hashOf,
  kindSchemaV3,
  listDefinitionName,
  listSchemaV3,
  metaDefinitions,
  operationTag,
  ref,
  resourcePaths,
  scaleDefinitions,
  sortTypes,
  type OperationSpec,
  type ParamSpec,
  type PathSpec,
} from './common.js';

export { etagOf, hashOf } from './common.js';

function paramV3(p: ParamSpec): JsonObject {
  const out: JsonObject = { name: p.name, in: p.in, description: p.description };
  if (p.required) out.required = true;
  out.schema = { type: p.type, uniqueItems: true };
  return out;
}

function operationV3(op: OperationSpec, tag: string): JsonObject {
  const out: JsonObject = { tags: [tag], description: op.description, operationId: op.operationId };
  if (op.parameters.length) out.parameters = op.parameters.map(paramV3);
  if (op.body) {
    const content: JsonObject = {};
    for (const mt of op.body.mediaTypes) content[mt] = { schema: ref(op.body.schema) };
    out.requestBody = op.body.required ? { content, required: true } : { content };
  }
  const responses: JsonObject = {};
  for (const r of op.responses) {
    if (!r.schema) {
      responses[r.code] = { description: r.description };
      continue;
    }
    const content: JsonObject = {};
    for (const mt of op.produces) content[mt] = { schema: ref(r.schema) };
    responses[r.code] = { description: r.description, content };
  }
  out.responses = responses;
  out['x-kubernetes-action'] = op.action;
  out['x-kubernetes-group-version-kind'] = { ...op.gvk };
  return out;
}

function pathV3(p: PathSpec, tag: string): JsonObject {
  const out: JsonObject = {};
  for (const op of p.operations) out[op.method] = operationV3(op, tag);
  if (p.parameters.length) out.parameters = p.parameters.map(paramV3);
  return out;
}

/**
 * The OpenAPI 3.0 document of one group-version: every path of its resources, each kind's and
 * list kind's schema, and the apimachinery definitions they reference.
 */
export function openapiV3GroupVersion(group: string, version: string, types: readonly ResourceType[]): JsonObject {
  const mine = sortTypes(types).filter((t) => t.group === group && t.version === version);
  const schemas: JsonObject = { ...metaDefinitions([{ group, version }]) };
  if (mine.some((t) => t.subresources.scale)) Object.assign(schemas, scaleDefinitions());
  const paths: JsonObject = {};
  const tag = operationTag(group, version);
  for (const t of mine) {
    schemas[definitionName(t)] = kindSchemaV3(t);
    schemas[listDefinitionName(t)] = listSchemaV3(t);
    for (const p of resourcePaths(t)) paths[p.path] = pathV3(p, tag);
  }
  return canonical({
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: {
      schemas,
      securitySchemes: {
        BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' },
      },
    },
    security: [{ BearerToken: [] }],
  }) as JsonObject;
}

/** The exact bytes to serve for a group-version document (the root's `?hash=` is computed over them). */
export function openapiV3GroupVersionJson(group: string, version: string, types: readonly ResourceType[]): string {
  return JSON.stringify(openapiV3GroupVersion(group, version, types));
}

/**
 * The `/openapi/v3` discovery document: `paths` maps `api/v1` and every `apis/<group>/<version>` to
 * its `serverRelativeURL`, which carries the SHA-512 of the document so clients can cache it forever.
 */
export function openapiV3Root(types: readonly ResourceType[]): JsonObject {
  const paths: JsonObject = {};
  for (const gv of groupVersions(types)) {
    const key = groupVersionPath(gv.group, gv.version);
    const hash = hashOf(openapiV3GroupVersionJson(gv.group, gv.version, types));
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { paths };
}
