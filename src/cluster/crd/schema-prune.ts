/**
 * Pruning of unknown fields, as the apiserver does to every custom resource it decodes:
 *
 * - an object field that is neither in `properties` nor covered by `additionalProperties` is dropped,
 *   unless the object's schema has `x-kubernetes-preserve-unknown-fields: true` (its unknown fields
 *   are kept, but fields it does specify are still pruned by their own schemas);
 * - `apiVersion`, `kind` and `metadata` of the resource root and of `x-kubernetes-embedded-resource`
 *   objects are never pruned by the schema; an embedded resource's `metadata` keeps only ObjectMeta
 *   fields (the root `metadata` is left to the API layer);
 * - then null values of non-nullable fields without a default are dropped (not reported as unknown).
 *
 * `pruned` lists the removed unknown fields, sorted, as paths like `spec.foo` or `spec.items[0].bar`;
 * the apiserver reports them as `unknown field "spec.foo"` (strict field validation) or warnings.
 */
import type { StructuralSchema } from '../objects.js';
import { hasDefault } from './schema-defaults.js';
import { additionalSchema, asSchema, childPath, deepCopy, hasOwn, indexPath, isObject, mapKeyPath, type JsonMap } from './util.js';

export interface PruneOptions {
  /** `value` is a whole resource: its root apiVersion, kind and metadata are kept as they are. Default true. */
  isResourceRoot?: boolean;
  /** Also drop nulls of non-nullable fields that have no default, as the apiserver does after pruning. Default true. */
  dropNullsWithoutDefaults?: boolean;
}

export interface PruneResult {
  value: unknown;
  pruned: string[];
}

const TYPE_AND_OBJECT_META = new Set(['apiVersion', 'kind', 'metadata']);

/** The JSON fields of metav1.ObjectMeta; anything else in an embedded resource's metadata is dropped. */
export const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** Returns a pruned copy of `value` (which is not modified) and the paths of the fields removed. */
export function pruneUnknownFields(value: unknown, schema: StructuralSchema, options: PruneOptions = {}): PruneResult {
  const copy = deepCopy(value);
  const pruned: string[] = [];
  prune(copy, schema, '', pruned, options.isResourceRoot !== false);
  if (options.dropNullsWithoutDefaults !== false) dropNullsWithoutDefaults(copy, schema);
  pruned.sort();
  return { value: copy, pruned };
}

function propertySchema(s: StructuralSchema, k: string): StructuralSchema | undefined {
  const props = s.properties;
  return isObject(props) && hasOwn(props, k) ? asSchema(props[k]) : undefined;
}

/** The schema a map value falls under: `properties[k]`, else `additionalProperties` (true/false: none). */
function fieldSchema(s: StructuralSchema, k: string): { schema?: StructuralSchema; known: boolean; viaMap: boolean } {
  const prop = propertySchema(s, k);
  if (prop) return { schema: prop, known: true, viaMap: false };
  if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
    return { schema: additionalSchema(s), known: true, viaMap: true };
  }
  return { known: false, viaMap: false };
}

function prune(x: unknown, s: StructuralSchema | undefined, path: string, pruned: string[], isRoot = false): void {
  if (s && s['x-kubernetes-preserve-unknown-fields'] === true) {
    skipPrune(x, s, path, pruned, isRoot);
    return;
  }
  if (isObject(x)) {
    if (!s) {
      for (const k of Object.keys(x)) {
        pruned.push(childPath(path, k));
        delete x[k];
      }
      return;
    }
    const embedded = isRoot || s['x-kubernetes-embedded-resource'] === true;
    for (const k of Object.keys(x)) {
      if (embedded && TYPE_AND_OBJECT_META.has(k)) {
        if (k === 'metadata' && !isRoot) coerceObjectMeta(x, path, pruned);
        continue;
      }
      const f = fieldSchema(s, k);
      if (f.known) prune(x[k], f.schema, f.viaMap ? mapKeyPath(path, k) : childPath(path, k), pruned);
      else {
        pruned.push(childPath(path, k));
        delete x[k];
      }
    }
  } else if (Array.isArray(x)) {
    const items = s ? asSchema(s.items) : undefined;
    x.forEach((v, i) => prune(v, items, indexPath(path, i), pruned));
  }
}

/** Under x-kubernetes-preserve-unknown-fields: unknown fields stay, specified ones are still pruned. */
function skipPrune(x: unknown, s: StructuralSchema, path: string, pruned: string[], isRoot: boolean): void {
  if (isObject(x)) {
    const embedded = isRoot || s['x-kubernetes-embedded-resource'] === true;
    for (const k of Object.keys(x)) {
      if (embedded && TYPE_AND_OBJECT_META.has(k)) {
        if (k === 'metadata' && !isRoot) coerceObjectMeta(x, path, pruned);
        continue;
      }
      const f = fieldSchema(s, k);
      if (f.known) prune(x[k], f.schema, f.viaMap ? mapKeyPath(path, k) : childPath(path, k), pruned);
    }
  } else if (Array.isArray(x)) {
    // Items of a preserved array keep their unknown fields too (kubernetes#107688).
    const items = asSchema(s.items);
    if (items) x.forEach((v, i) => skipPrune(v, items, indexPath(path, i), pruned, false));
  }
}

/** An embedded resource's metadata is decoded as ObjectMeta: unknown fields go, a null creationTimestamp too. */
function coerceObjectMeta(x: JsonMap, path: string, pruned: string[]): void {
  const meta = x.metadata;
  if (!isObject(meta)) return;
  const metaPath = childPath(path, 'metadata');
  for (const k of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(k)) {
      pruned.push(childPath(metaPath, k));
      delete meta[k];
    }
  }
  if (hasOwn(meta, 'creationTimestamp') && meta.creationTimestamp === null) delete meta.creationTimestamp;
}

/** Removes null values of non-nullable fields that have no default (defaulting fills the others). */
export function dropNullsWithoutDefaults(x: unknown, s: StructuralSchema | undefined): void {
  if (isObject(x)) {
    for (const k of Object.keys(x)) {
      const sub = s ? fieldSchema(s, k).schema : undefined;
      if ((x[k] === null || x[k] === undefined) && sub && sub.nullable !== true && !hasDefault(sub)) delete x[k];
      else dropNullsWithoutDefaults(x[k], sub);
    }
  } else if (Array.isArray(x)) {
    const items = s ? asSchema(s.items) : undefined;
    for (const v of x) dropNullsWithoutDefaults(v, items);
  }
}
