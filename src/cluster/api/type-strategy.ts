/**
 * Per-type behaviour of the write path, in one place: defaulting, validation, pruning, patch
 * metadata, status handling and generation tracking — built-in types from their tables, custom
 * types from their CRD schema.
 */
import { applyBuiltinDefaults } from '../builtin/defaults.js';
import { validateObjectMeta } from '../builtin/names.js';
import { pruneUnknownBuiltinFields } from '../builtin/known-fields.js';
import { validateBuiltin } from '../builtin/validate.js';
import { applySchemaDefaults } from '../crd/schema-defaults.js';
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

export function applyDefaults(type: ResourceType, obj: KubeObject): KubeObject {
  if (type.custom) return type.schema ? (applySchemaDefaults(obj, type.schema) as KubeObject) : obj;
  return applyBuiltinDefaults(type, obj);
}

/** Drops fields the type does not have (CRD schema or built-in wire schema); returns the dotted paths removed. */
export function pruneFields(type: ResourceType, obj: KubeObject): { obj: KubeObject; pruned: string[] } {
  if (!type.custom) return { obj, pruned: pruneUnknownBuiltinFields(obj.apiVersion ?? '', type.kind, obj) };
  if (!type.schema) return { obj, pruned: [] };
  const { value, pruned } = pruneUnknownFields(obj, type.schema);
  return { obj: value as KubeObject, pruned };
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
    causes.push(...validateBuiltin(type, obj, old));
  }
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
  return canonicalJson(withoutMetaAndStatus(a)) !== canonicalJson(withoutMetaAndStatus(b));
}

function withoutMetaAndStatus(o: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}

/** JSON with object keys sorted, so two equal objects serialize equally whatever their key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const sorted: Record<string, unknown> = {};
      for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
      return sorted;
    }
    return value;
  });
}
