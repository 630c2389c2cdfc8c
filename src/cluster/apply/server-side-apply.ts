/**
 * Server-side apply (PATCH with `Content-Type: application/apply-patch+yaml`), following
 * Kubernetes' field manager: the configuration's field set becomes exactly what the applier owns;
 * fields it applied before and no longer applies are removed unless someone else owns them; values
 * merge into the live object; and changing a field another manager owns is a conflict unless the
 * request forces it.
 *
 * Also reproduced: an object without managedFields is first attributed to `before-first-apply`;
 * the `kubectl` manager may take over fields that the client-side-apply annotation shows it set;
 * and applying as `kubectl` keeps that annotation in step.
 */
import { ApiError, badRequest } from '../errors.js';
import type { FieldCause, KubeObject, PatchMeta } from '../objects.js';
import { FieldSet, FieldSetError, isPlainObject, stripExcluded, withObjectMetaLists, type ObjectScope } from './field-set.js';
import {
  BEFORE_FIRST_APPLY_MANAGER,
  ManagedFieldsTable,
  ownerIdentity,
  type Owner,
  type OwnerKey,
} from './managed-fields.js';
import { applyUpdate, scopeFor, withManagedFields } from './track-update.js';
import { compareObjects, deepEqual, mergeApplied, removeItems } from './walk.js';

/** The annotation `kubectl apply` (client-side) keeps its last configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Kubernetes' limit on the total size of an object's annotations. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** What {@link serverSideApply} needs to know about an apply request. */
export interface ServerSideApplyInput {
  /** The stored object; undefined when the apply creates it. */
  live: KubeObject | undefined;
  /** The apply configuration (the request body, parsed). */
  applied: KubeObject;
  /** The `fieldManager` query parameter (required for apply; see `validateFieldManager`). */
  manager: string;
  /** The `force` query parameter. */
  force: boolean;
  meta: PatchMeta;
  /** The request's group/version, e.g. `apps/v1`. */
  apiVersion: string;
  /** The request time, RFC 3339 in whole seconds. */
  now: string;
  /** True for the main resource of a type with a status subresource. */
  ignoreStatus: boolean;
  /** The subresource applied to (`status`), if any. */
  subresource?: string;
  /** As for `recordUpdate`: what a zero-valued object of a built-in type holds. */
  zeroValue?: (path: readonly string[]) => boolean;
}

/** A set of conflicting paths owned by one other manager. */
interface Conflict {
  id: string;
  owner: Owner;
  paths: FieldSet;
}

type Obj = Record<string, unknown>;

/** Metadata the server owns: kept from the live object whatever the configuration says. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'];

/**
 * Applies `applied` to `live` as `manager`, returning the merged object with `metadata.managedFields`
 * updated. The result is a fresh object (it shares nothing with the inputs).
 *
 * Throws ApiError 409 Conflict (causes `FieldManagerConflict`) when the configuration changes
 * fields other managers own and `force` is false; 400 when the configuration carries
 * managedFields or another apiVersion; 500 when it cannot be typed (a map-list item without its
 * key, duplicate items), as Kubernetes does.
 *
 * The caller remains responsible for what the API server does around the field manager: checking
 * `applied.metadata.resourceVersion` as a precondition, validating, defaulting, and setting
 * uid/creationTimestamp/resourceVersion/generation (kept here from `live` when it exists).
 */
export function serverSideApply(input: ServerSideApplyInput): KubeObject {
  const { applied } = input;
  if (applied.metadata?.managedFields !== undefined && applied.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (applied.apiVersion !== undefined && applied.apiVersion !== input.apiVersion) {
    throw badRequest(
      `Incorrect version specified in apply patch. Specified patch version: ${applied.apiVersion}, expected: ${input.apiVersion}`,
    );
  }
  try {
    return applyOnce(input, input.force);
  } catch (err) {
    if (!(err instanceof ConflictsError) || input.manager !== 'kubectl' || input.live === undefined) throw toApiError(err, input);
    // Upgrading from client-side apply: fields the last-applied annotation shows kubectl set are its own.
    const allowed = lastAppliedFields(input.live, input);
    if (allowed === undefined) throw toApiError(err, input);
    const remaining = err.conflicts
      .map((c) => ({ ...c, paths: c.paths.difference(allowed) }))
      .filter((c) => !c.paths.isEmpty());
    if (remaining.length > 0) throw conflictError(remaining);
    return applyOnce(input, true);
  }
}

class ConflictsError extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super('apply conflicts');
  }
}

function toApiError(err: unknown, input: ServerSideApplyInput): unknown {
  if (err instanceof ConflictsError) return conflictError(err.conflicts);
  if (err instanceof FieldSetError) {
    const md = input.applied.metadata ?? {};
    const [group, version] = input.apiVersion.includes('/') ? input.apiVersion.split('/', 2) : ['', input.apiVersion];
    const gvk = `${group}/${version}, Kind=${input.applied.kind ?? ''}`;
    return new ApiError(500, 'InternalError', `failed to create typed patch object (${md.namespace ?? ''}/${md.name ?? ''}; ${gvk}): ${err.message}`);
  }
  return err;
}

function printOwner(o: OwnerKey): string {
  let s = JSON.stringify(o.manager);
  if (o.subresource !== '') s += ` with subresource ${JSON.stringify(o.subresource)}`;
  if (o.operation === 'Update') s += ` using ${o.apiVersion}`;
  return s;
}

/** Kubernetes' 409 for apply conflicts: owners sorted by identity, paths in set order. */
function conflictError(conflicts: Conflict[]): ApiError {
  const sorted = [...conflicts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const causes: FieldCause[] = [];
  const lines: string[] = [];
  for (const c of sorted) {
    const who = printOwner(c.owner);
    lines.push(`conflicts with ${who}:`);
    for (const path of c.paths.toStrings()) {
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field: path });
      lines.push(`- ${path}`);
    }
  }
  const message =
    causes.length === 1
      ? `Apply failed with 1 conflict: ${causes[0].message}: ${causes[0].field}`
      : `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  return new ApiError(409, 'Conflict', message, { causes });
}

function applyOnce(input: ServerSideApplyInput, force: boolean): KubeObject {
  const subresource = input.subresource ?? '';
  const scope = scopeFor(input.ignoreStatus, subresource);
  const meta = withObjectMetaLists(input.meta);
  const live = input.live === undefined ? undefined : (structuredClone(input.live) as KubeObject);
  const config = withoutScopedOut(structuredClone(input.applied) as Obj, scope);

  // Everything the configuration sets, including name and namespace: while pruning, those keep
  // `metadata` itself from looking abandoned. Kubernetes strips them only when storing the set.
  const configFields = FieldSet.fromObject(config, meta, { strict: true, keepExcluded: true });
  const applierFields = stripExcluded(configFields, scope);

  const liveBody: Obj = live === undefined ? {} : withoutManagedFieldsBody(live);
  let table = live === undefined ? ManagedFieldsTable.empty() : (ManagedFieldsTable.decode(live.metadata.managedFields, true) ?? ManagedFieldsTable.empty());
  if (live !== undefined && table.size === 0) {
    // The object predates field tracking: everything in it becomes before-first-apply's.
    table = ManagedFieldsTable.empty();
    const created = compareObjects(undefined, liveBody, { meta, ...scope, zeroValue: input.zeroValue });
    applyUpdate(table, created, { manager: BEFORE_FIRST_APPLY_MANAGER, operation: 'Update', apiVersion: input.apiVersion, subresource }, input.now);
  }

  const key: OwnerKey = { manager: input.manager, operation: 'Apply', apiVersion: input.apiVersion, subresource };
  const id = ownerIdentity(key);
  const previous = table.get(id);
  const lastFields = previous === undefined ? FieldSet.empty() : table.fields(id);

  let merged = mergeApplied(liveBody, config, meta);
  if (!lastFields.isEmpty()) {
    let owned = configFields;
    for (const other of table.ids()) if (other !== id) owned = owned.union(table.fields(other));
    const abandoned = lastFields.withParentFieldsAsMembers().difference(owned.withParentFieldsAsMembers());
    merged = removeItems(merged, abandoned, meta);
  }

  if (live !== undefined) {
    const comparison = compareObjects(liveBody, merged, { meta, ...scope });
    const changed = comparison.modified.union(comparison.added);
    const conflicts: Conflict[] = [];
    for (const other of table.ids()) {
      if (other === id || !table.ownsAnyOf(other, changed)) continue;
      conflicts.push({ id: other, owner: table.get(other) as Owner, paths: table.fields(other).intersection(changed) });
    }
    if (conflicts.length > 0 && !force) throw new ConflictsError(conflicts);
    for (const c of conflicts) table.setFields(c.id, table.fields(c.id).difference(c.paths));
    if (!comparison.removed.isEmpty()) {
      for (const other of table.ids()) {
        if (other !== id && table.ownsAnyOf(other, comparison.removed)) table.setFields(other, table.fields(other).difference(comparison.removed));
      }
    }
    restoreServerMetadata(merged, live);
  }

  // The applier's time moves only when the object changed, so a no-op apply leaves it untouched.
  const changedObject = live === undefined || !deepEqual(liveBody, merged);
  const time = changedObject ? input.now : previous?.time;
  table.put(key, applierFields, time);

  if (input.manager === 'kubectl') syncLastApplied(merged, input.applied);
  table.capUpdateOwners();
  return withManagedFields(merged as KubeObject, table.encode());
}

/** The configuration without the top-level fields this request cannot set. */
function withoutScopedOut(config: Obj, scope: ObjectScope): Obj {
  if (scope.ignoreStatus === true) delete config.status;
  if (scope.ignoreSpec === true) delete config.spec;
  return config;
}

function withoutManagedFieldsBody(obj: KubeObject): Obj {
  const metadata = { ...obj.metadata };
  delete metadata.managedFields;
  return { ...obj, metadata };
}

function restoreServerMetadata(merged: Obj, live: KubeObject): void {
  if (!isPlainObject(merged.metadata)) return;
  const md = { ...merged.metadata };
  for (const k of SERVER_METADATA) {
    if (live.metadata[k] === undefined) delete md[k];
    else md[k] = live.metadata[k];
  }
  merged.metadata = md;
}

/**
 * The fields `kubectl` set through client-side apply and that still hold the values it set:
 * those in the last-applied annotation whose live value matches. Undefined when there is no
 * usable annotation.
 */
function lastAppliedFields(live: KubeObject, input: ServerSideApplyInput): FieldSet | undefined {
  const annotation = live.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof annotation !== 'string' || annotation === '') return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(annotation);
  } catch {
    return undefined;
  }
  if (!isPlainObject(lastApplied) || lastApplied.apiVersion !== input.apiVersion) return undefined;
  const meta = withObjectMetaLists(input.meta);
  const scope = scopeFor(input.ignoreStatus, input.subresource);
  let fields: FieldSet;
  try {
    fields = FieldSet.fromObject(lastApplied, meta, scope);
  } catch {
    return undefined;
  }
  const diff = compareObjects(lastApplied, withoutManagedFieldsBody(live), { meta, ...scope });
  return fields.difference(diff.modified).difference(diff.added).difference(diff.removed);
}

/**
 * Applying as `kubectl` rewrites an existing last-applied annotation to the new configuration, so
 * a later client-side apply computes its three-way diff from what was really applied.
 */
function syncLastApplied(merged: Obj, applied: KubeObject): void {
  const md = merged.metadata;
  if (!isPlainObject(md) || !isPlainObject(md.annotations)) return;
  const current = md.annotations[LAST_APPLIED_ANNOTATION];
  if (typeof current !== 'string' || current === '') return;
  const config = structuredClone(applied) as Obj;
  const cmd = isPlainObject(config.metadata) ? config.metadata : undefined;
  if (cmd !== undefined && isPlainObject(cmd.annotations)) {
    delete cmd.annotations[LAST_APPLIED_ANNOTATION];
  }
  const annotations: Obj = { ...md.annotations, [LAST_APPLIED_ANNOTATION]: `${goJson(config)}\n` };
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : '');
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
  merged.metadata = { ...md, annotations };
}

/** JSON as Go's encoding/json writes a map: keys sorted, HTML-sensitive characters escaped. */
function goJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => goJson(x === undefined ? null : x)).join(',')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${goString(k)}:${goJson(v[k])}`).join(',')}}`;
  }
  if (typeof v === 'string') return goString(v);
  return JSON.stringify(v ?? null);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
