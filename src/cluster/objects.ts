/**
 * The shapes every part of the embedded control plane passes around: Kubernetes objects as plain
 * JSON, the descriptor of a served resource type, and the patch metadata that strategic merge patch
 * and server-side apply both need.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: 'Apply' | 'Update';
  apiVersion?: string;
  time?: string;
  fieldsType?: 'FieldsV1';
  fieldsV1?: JsonObject;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object. Unknown fields are carried through untouched. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** One bad field, as reported in a 422 Invalid Status's `details.causes`. */
export interface FieldCause {
  /** Kubernetes reason type, e.g. FieldValueRequired, FieldValueInvalid, FieldValueNotSupported. */
  reason: string;
  message: string;
  /** Dotted field path as Kubernetes prints it, e.g. `spec.template.spec.containers[0].image`. */
  field: string;
}

/** Where `/scale` reads and writes replicas, per CRD `subresources.scale` (JSON paths like `.spec.replicas`). */
export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface PrinterColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  /** A simple JSONPath such as `.status.phase` (CRD `additionalPrinterColumns[].jsonPath`). */
  jsonPath: string;
}

/**
 * A structural OpenAPI v3 schema as found in a CRD's `openAPIV3Schema` (a subset of JSON Schema plus
 * the `x-kubernetes-*` extensions). Kept loose on purpose: the validator reads what it knows.
 */
export interface StructuralSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, StructuralSchema>;
  additionalProperties?: StructuralSchema | boolean;
  items?: StructuralSchema;
  required?: string[];
  enum?: JsonValue[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  nullable?: boolean;
  default?: JsonValue;
  allOf?: StructuralSchema[];
  anyOf?: StructuralSchema[];
  oneOf?: StructuralSchema[];
  not?: StructuralSchema;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: JsonValue[];
  [key: string]: unknown;
}

/** Everything the API server needs to serve one resource (built-in or from a CRD) at one version. */
export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: {
    status?: boolean;
    scale?: ScaleSubresource;
    /** Other named subresources served by dedicated handlers (e.g. pods `log`, `binding`, `eviction`). */
    extra?: string[];
  };
  /** The storage version of this group/resource; objects are stored and converted at this version. */
  storageVersion: string;
  /** Present for CRDs: validation, defaulting and pruning follow it. */
  schema?: StructuralSchema;
  printerColumns?: PrinterColumn[];
  /** True for kinds served from a CustomResourceDefinition. */
  custom: boolean;
}

/** `group/resource`, the identity under which objects are stored regardless of version. */
export function groupResource(t: { group: string; plural: string }): string {
  return t.group ? `${t.group}/${t.plural}` : t.plural;
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/**
 * How a list field merges, as strategic merge patch and server-side apply need to know.
 * Built-in types get this from a table (their Go struct tags); CRDs from `x-kubernetes-list-type`
 * and `x-kubernetes-list-map-keys` in their schema.
 */
export interface ListMeta {
  /** `map`: items are identified by `keys`; `set`: scalar items merged as a set; `atomic`: replaced whole. */
  listType: 'atomic' | 'set' | 'map';
  /** For listType `map`: the identifying keys (SSA uses all; SMP's patchMergeKey is keys[0]). */
  keys?: string[];
  /** Strategic merge patch strategy: `merge` for map/set lists, `replace` for atomic ones, optionally `retainKeys`. */
  patchStrategy: 'merge' | 'replace';
  retainKeys?: boolean;
}

/**
 * Answers how the value at a path merges. `path` is the field names from the object root, with list
 * items appearing as the list's field name only (e.g. `['spec','template','spec','containers','ports']`).
 * Returns undefined for paths whose lists are atomic and maps are granular (the defaults).
 */
export interface PatchMeta {
  list(path: readonly string[]): ListMeta | undefined;
  /** True when a map at this path is replaced as a whole (`x-kubernetes-map-type: atomic`, or a struct tagged so). */
  atomicMap?(path: readonly string[]): boolean;
  /** True when a field holds a retainKeys-strategy struct (e.g. Deployment `spec.strategy`, pod `volumes[]` items). */
  retainKeys?(path: readonly string[]): boolean;
}
