/**
 * Per-type behaviour of the write path, in one place: defaulting, validation, pruning, patch
 * metadata, status handling and generation tracking — built-in types from their tables, custom
 * types from their CRD schema.
 */
import { applyBuiltinDefaults, defaultBuiltinInPlace } from '../builtin/defaults.js';
import { validateObjectMeta } from '../builtin/names.js';
import { pruneUnknownBuiltinFields } from '../builtin/known-fields.js';
import { validateBuiltin, validateBuiltinMetadataUpdate } from '../builtin/validate.js';
import { applySchemaDefaults, defaultInPlace } from '../crd/schema-defaults.js';
import { pruneUnknownFields } from '../crd/schema-prune.js';
import { validateBySchema } from '../crd/schema-validate.js';
import type { FieldCause, KubeObject, PatchMeta, ResourceType, StructuralSchema } from '../objects.js';
import { builtinPatchMeta } from '../patch/builtin-patch-meta.js';
import { schemaPatchMeta } from '../patch/schema-patch-meta.js';

/** Kinds whose objects carry no `metadata.generation` in Kubernetes (they have no spec to observe). */
const NO_GENERATION = new Set(['ConfigMap', 'Secret', 'Namespace', 'ServiceAccount', 'Endpoints', 'Event', 'Node', 'Service', 'Lease', 'Binding']);

const patchMetaCache = new WeakMap<ResourceType, PatchMeta>();

export function patchMetaFor(type: ResourceType): PatchMeta {
  let meta = patchMetaCache.get(type);
  if (!meta) {
    meta = type.custom ? schemaPatchMeta(type.schema) : builtinPatchMeta(type.group, type.kind);
    patchMetaCache.set(type, meta);
  }
  return meta;
}

/**
 * Applies the type's defaults. Returns a new object, unless `inPlace` says the caller owns `obj`
 * outright (a private copy that shares nothing), in which case it is filled in place and returned.
 */
export function applyDefaults(type: ResourceType, obj: KubeObject, options: { inPlace?: boolean } = {}): KubeObject {
  if (type.custom) {
    if (!type.schema) return obj;
    if (!options.inPlace) return applySchemaDefaults(obj, type.schema);
    defaultInPlace(obj, type.schema);
    return obj;
  }
  return options.inPlace ? defaultBuiltinInPlace(type, obj) : applyBuiltinDefaults(type, obj);
}

/**
 * Drops fields the type does not have (CRD schema or built-in wire schema); returns the dotted paths
 * removed. Built-in objects are pruned in place; custom objects come back as a new object.
 */
export function pruneFields(type: ResourceType, obj: KubeObject): { obj: KubeObject; pruned: string[] } {
  if (!type.custom) return { obj, pruned: pruneUnknownBuiltinFields(obj.apiVersion ?? '', type.kind, obj) };
  if (!type.schema) return { obj, pruned: [] };
  const { value, pruned } = pruneUnknownFields(obj, type.schema);
  return { obj: value as KubeObject, pruned };
}

/**
 * pruneFields for a status subresource write of a built-in object, whose every other part was
 * copied from the stored (already pruned) object: only `status` is walked. Custom objects are
 * pruned whole, as their schema pruning also drops nulls everywhere.
 */
export function pruneStatusFields(type: ResourceType, obj: KubeObject): { obj: KubeObject; pruned: string[] } {
  if (type.custom) return pruneFields(type, obj);
  if (obj.status === undefined) return { obj, pruned: [] };
  const view: Record<string, unknown> = { status: obj.status };
  const pruned = pruneUnknownBuiltinFields(obj.apiVersion ?? '', type.kind, view);
  if (view.status === undefined) delete obj.status;
  return { obj, pruned };
}

export function validateObject(type: ResourceType, obj: KubeObject, old?: KubeObject): FieldCause[] {
  const causes = validateObjectMeta(obj.metadata, { namespaced: type.namespaced, kind: type.kind });
  if (type.custom) {
    if (type.schema) {
      // metadata is validated above as ObjectMeta; the schema governs everything else (and may mark
      // metadata required, as Argo's Workflow and Events CRDs do).
      causes.push(...validateBySchema(obj, schemaWithOpenMetadata(type.schema)));
    }
  } else {
    // The checks validateBuiltin shares with the validateObjectMeta above would only add
    // duplicates (dropped below): it skips them.
    causes.push(...validateBuiltin(type, obj, old, { objectMetaValidated: true }));
  }
  return dedupeCauses(causes);
}

/**
 * Validation of a status subresource write, as Kubernetes' status strategies validate it: for a
 * built-in object everything but status (and a pod's labels and annotations) was copied from the
 * stored object (which passed validation when it was written), so only the metadata rules run — the spec rules cannot find anything new,
 * and no built-in kind here has status rules. Custom objects get their full schema validation.
 */
export function validateStatusUpdate(type: ResourceType, obj: KubeObject, old: KubeObject): FieldCause[] {
  if (type.custom) return validateObject(type, obj, old);
  const causes = validateObjectMeta(obj.metadata, { namespaced: type.namespaced, kind: type.kind });
  causes.push(...validateBuiltinMetadataUpdate(type, obj, old, { objectMetaValidated: true }));
  return dedupeCauses(causes);
}

const openMetadataCache = new WeakMap<StructuralSchema, StructuralSchema>();

function schemaWithOpenMetadata(schema: StructuralSchema): StructuralSchema {
  let out = openMetadataCache.get(schema);
  if (!out) {
    out = { ...schema, properties: { ...schema.properties, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
    openMetadataCache.set(schema, out);
  }
  return out;
}

function dedupeCauses(causes: FieldCause[]): FieldCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.field}\u0000${c.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function hasStatusSubresource(type: ResourceType): boolean {
  return type.subresources.status === true;
}

export function tracksGeneration(type: ResourceType): boolean {
  return type.custom || !NO_GENERATION.has(type.kind);
}

/** The status a freshly created object starts with, where Kubernetes sets one. */
export function initialStatus(type: ResourceType, obj: KubeObject): unknown {
  if (type.custom) return undefined;
  if (type.group === '' && type.kind === 'Pod') return { phase: 'Pending', qosClass: podQosClass(obj) };
  return undefined;
}

function podQosClass(pod: KubeObject): string {
  const spec = pod.spec as { containers?: { resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] } | undefined;
  const containers = spec?.containers ?? [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] !== undefined && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Everything but metadata and status: a change here bumps `metadata.generation`. */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  return !jsonEquivalent(withoutMetaAndStatus(a), withoutMetaAndStatus(b));
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/** JSON with object keys sorted, so two equal objects serialize equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  // Plain JSON (what the API handles) is written directly; anything exotic takes the general path.
  return canonicalPlain(v) ?? canonicalJsonSlow(v);
}

function canonicalJsonSlow(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
      return sorted;
    }
    return value;
  });
}

/** Thrown inside the fast paths when a value is not plain JSON; the caller falls back. */
const NOT_PLAIN = Symbol('not plain JSON');

/** An array, or an object of plain prototype with no toJSON: the values the fast paths understand. */
function isPlainContainer(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** canonicalJson for plain JSON; undefined when `v` holds anything else. */
function canonicalPlain(v: unknown): string | undefined {
  try {
    return writeCanonical(v);
  } catch (err) {
    if (err === NOT_PLAIN) return undefined;
    throw err;
  }
}

/** JSON.stringify's output for one value (undefined where it would omit it), keys sorted. */
function writeCanonical(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(v);
    case 'object':
      break;
    case 'bigint':
      throw NOT_PLAIN;
    default:
      return undefined;
  }
  if (v === null) return 'null';
  if (!isPlainContainer(v)) throw NOT_PLAIN;
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) out += ',';
      out += writeCanonical(v[i]) ?? 'null';
    }
    return out + ']';
  }
  const o = v as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of sortedKeys(o)) {
    const item = writeCanonical(o[key]);
    if (item === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + item;
    first = false;
  }
  return out + '}';
}

/**
 * The keys in the order the replacer's sorted copy holds them: an object lists integer-like keys
 * first, ascending (Object.keys already gives them so), then the others in insertion order, here
 * sorted.
 */
function sortedKeys(o: Record<string, unknown>): string[] {
  const keys = Object.keys(o);
  let integers = 0;
  while (integers < keys.length && isArrayIndex(keys[integers])) integers++;
  if (integers === 0) return keys.sort();
  return [...keys.slice(0, integers), ...keys.slice(integers).sort()];
}

function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  const n = Number(key);
  return String(n) === key && n < 4294967295;
}

/**
 * True when two values have the same canonicalJson, without serializing either: a structural
 * walk that stops at the first difference and skips subtrees the two share by reference.
 */
export function jsonEquivalent(a: unknown, b: unknown): boolean {
  try {
    return equivalent(a, b);
  } catch (err) {
    if (err === NOT_PLAIN) return canonicalJson(a) === canonicalJson(b);
    throw err;
  }
}

/** How JSON.stringify writes a scalar: NaN and the infinities as null; undefined/function/symbol omitted. */
function jsonScalar(v: unknown): unknown {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw NOT_PLAIN;
    default:
      return v;
  }
}

function equivalent(a: unknown, b: unknown): boolean {
  // The same value serializes the same, whatever it holds.
  if (a === b) return true;
  const aObj = typeof a === 'object' && a !== null;
  const bObj = typeof b === 'object' && b !== null;
  if (!aObj || !bObj) {
    if (aObj && !isPlainContainer(a)) throw NOT_PLAIN;
    if (bObj && !isPlainContainer(b)) throw NOT_PLAIN;
    return !aObj && !bObj && jsonScalar(a) === jsonScalar(b);
  }
  if (!isPlainContainer(a) || !isPlainContainer(b)) throw NOT_PLAIN;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equivalentItem(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let count = 0;
  for (const k of Object.keys(ao)) {
    if (jsonScalar(ao[k]) === undefined) continue;
    count++;
    if (!Object.hasOwn(bo, k) || !equivalent(ao[k], bo[k])) return false;
  }
  for (const k of Object.keys(bo)) if (jsonScalar(bo[k]) !== undefined) count--;
  return count === 0;
}

/** Array items: what JSON omits in an object it writes as null in an array. */
function equivalentItem(a: unknown, b: unknown): boolean {
  const an = jsonScalar(a) === undefined ? null : a;
  const bn = jsonScalar(b) === undefined ? null : b;
  return equivalent(an, bn);
}
