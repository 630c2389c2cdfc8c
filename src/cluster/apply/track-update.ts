/**
 * Field ownership for every write that is not a server-side apply: create, update (PUT) and the
 * JSON, merge and strategic merge patches. Kubernetes records such writes as operation `Update`:
 * whatever the write added or changed becomes the writer's, and is taken from whoever owned it
 * before (updates never conflict); whatever the write removed is dropped from every owner.
 *
 * This runs on every write, so it only decodes and re-encodes the entries of owners whose fields
 * the write touched.
 */
import type { KubeObject, ManagedFieldsEntry, PatchMeta } from '../objects.js';
import { withObjectMetaLists, type ObjectScope } from './field-set.js';
import { ManagedFieldsTable, isResetRequest, ownerIdentity, type OwnerKey } from './managed-fields.js';
import { compareObjects, deepEqual, type Comparison } from './walk.js';

/** What {@link recordUpdate} needs to know about a write. */
export interface RecordUpdateInput {
  /** The object before the write; undefined for a create. */
  old: KubeObject | undefined;
  /** The object as it will be stored (after patching, defaulting and the strategy's resets). */
  updated: KubeObject;
  /** The field manager of the request (see `fieldManagerFor`). */
  manager: string;
  meta: PatchMeta;
  /** The request's group/version, e.g. `apps/v1`. */
  apiVersion: string;
  /** The request time, RFC 3339 in whole seconds (e.g. `2024-05-01T10:00:00Z`). */
  now: string;
  /** True for the main resource of a type with a status subresource: status is nobody's there. */
  ignoreStatus: boolean;
  /** The subresource written (`status`, `scale`), if any. */
  subresource?: string;
  /**
   * For creates of built-in kinds: which paths a zero-valued Go object of the type already holds
   * (non-pointer structs, non-omitempty slices), so they are not recorded as added containers.
   * See `builtinZeroValue`. Default: none, as for custom resources.
   */
  zeroValue?: (path: readonly string[]) => boolean;
}

/** The scope of fields a write at `subresource` can own. */
export function scopeFor(ignoreStatus: boolean, subresource: string | undefined): ObjectScope {
  // The status subresource's strategy resets spec, so Kubernetes ignores spec there.
  return { ignoreStatus: ignoreStatus && (subresource ?? '') === '', ignoreSpec: subresource === 'status' };
}

/**
 * Returns `updated` with `metadata.managedFields` brought up to date for a non-apply write by
 * `manager`.
 *
 * managedFields sent by the client are honoured as Kubernetes does: a list differing from the
 * stored one is taken as given when every entry is well formed (otherwise the stored list is kept);
 * `[]` (or one empty entry) resets tracking, after which an update stores no managedFields at all
 * while a create starts afresh. On a subresource the client's list is ignored. An existing object
 * without managedFields stays untracked until it is next applied to.
 */
export function recordUpdate(input: RecordUpdateInput): KubeObject {
  const { old, updated } = input;
  const subresource = input.subresource ?? '';
  const requested = updated.metadata.managedFields;
  const stored = old?.metadata.managedFields;

  let table: ManagedFieldsTable;
  if (subresource !== '') {
    table = ManagedFieldsTable.decode(stored, true) ?? ManagedFieldsTable.empty();
  } else if (isResetRequest(requested)) {
    table = ManagedFieldsTable.empty();
  } else if (requested === stored || requested === undefined || requested === null || deepEqual(requested, stored)) {
    table = ManagedFieldsTable.decode(stored, true) ?? ManagedFieldsTable.empty();
  } else {
    const given = ManagedFieldsTable.decode(requested, false);
    table = given !== undefined && given.size > 0 ? given : (ManagedFieldsTable.decode(stored, true) ?? ManagedFieldsTable.empty());
  }

  if (table.size === 0 && old !== undefined) {
    // Kubernetes skips tracking for an existing object that has no managedFields.
    return withManagedFields(updated, []);
  }

  const meta = withObjectMetaLists(input.meta);
  const scope = scopeFor(input.ignoreStatus, subresource);
  const comparison = compareObjects(old, updated, { meta, ...scope, zeroValue: input.zeroValue });
  const key: OwnerKey = { manager: input.manager, operation: 'Update', apiVersion: input.apiVersion, subresource };
  applyUpdate(table, comparison, key, input.now);
  table.capUpdateOwners();
  return withManagedFields(updated, table.encode());
}

/**
 * Records one Update-operation write in `table`: every other owner loses what changed and what was
 * removed; the writer gains what was added or changed (its time moves to `now` only then).
 */
export function applyUpdate(table: ManagedFieldsTable, comparison: Comparison, key: OwnerKey, now: string): void {
  const changed = comparison.modified.union(comparison.added);
  const removed = comparison.removed;
  if (changed.isEmpty() && removed.isEmpty()) return;
  for (const id of table.ids()) {
    const touchesChanged = table.ownsAnyOf(id, changed);
    const touchesRemoved = table.ownsAnyOf(id, removed);
    if (!touchesChanged && !touchesRemoved) continue;
    let fields = table.fields(id);
    if (touchesChanged) fields = fields.difference(changed);
    if (touchesRemoved) fields = fields.difference(removed);
    table.setFields(id, fields);
  }
  const gained = changed.difference(removed);
  if (gained.isEmpty()) return;
  const id = ownerIdentity(key);
  const previous = table.get(id);
  if (previous === undefined) {
    table.put(key, gained, now);
  } else {
    table.setFields(id, table.fields(id).union(gained));
    table.touch(id, now, key.apiVersion);
  }
}

/** `obj` with its managedFields replaced (removed when the list is empty). */
export function withManagedFields(obj: KubeObject, entries: ManagedFieldsEntry[]): KubeObject {
  const metadata = { ...obj.metadata };
  if (entries.length > 0) metadata.managedFields = entries;
  else delete metadata.managedFields;
  return { ...obj, metadata };
}
