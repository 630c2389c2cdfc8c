/**
 * `metadata.managedFields` as a table of owners: decoding, the owner identity Kubernetes keys
 * entries by, ordering on output, and the cap on how many Update owners an object keeps.
 *
 * Entries are decoded lazily: an entry nobody touches is written back exactly as it was read, so
 * an update that changes one field re-encodes only the owners of that field.
 */
import type { JsonObject, ManagedFieldsEntry } from '../objects.js';
import { FieldSet, isPlainObject } from './field-set.js';

/** How many Update owners an object keeps before the oldest are folded into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;
/** The owner the oldest Update entries are folded into. */
export const ANCIENT_CHANGES_MANAGER = 'ancient-changes';
/** The owner of everything in an object that had no managedFields when it was first applied to. */
export const BEFORE_FIRST_APPLY_MANAGER = 'before-first-apply';

/** The fields that tell owners apart. */
export interface OwnerKey {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** '' for the main resource. */
  subresource: string;
}

/**
 * Kubernetes' manager identifier: the entry without time and fields, and without apiVersion for
 * Apply (an applier is the same owner whichever version it applies at). Conflict messages list
 * owners in the order of these strings.
 */
export function ownerIdentity(key: OwnerKey): string {
  const id: Record<string, string> = {};
  if (key.manager !== '') id.manager = key.manager;
  id.operation = key.operation;
  if (key.operation === 'Update' && key.apiVersion !== '') id.apiVersion = key.apiVersion;
  if (key.subresource !== '') id.subresource = key.subresource;
  return JSON.stringify(id);
}

/** One owner: its key, when it last changed something, and what it owns. */
export interface Owner extends OwnerKey {
  time: string | undefined;
  /** The entry as read, reused verbatim while the owner is untouched. */
  original: ManagedFieldsEntry | undefined;
  /** The encoded set as read (canonical spelling), until decoded. */
  raw: JsonObject | undefined;
  /** The decoded set, once needed. */
  decoded: FieldSet | undefined;
}

/** The owners of one object. */
export class ManagedFieldsTable {
  private readonly owners = new Map<string, Owner>();

  /** An empty table. */
  static empty(): ManagedFieldsTable {
    return new ManagedFieldsTable();
  }

  /**
   * Reads `metadata.managedFields`. Returns undefined when any entry is malformed, as Kubernetes
   * refuses the whole list then. `trusted` skips decoding the fields of entries this module wrote
   * (they are decoded only if touched); untrusted lists (sent by a client) are fully validated.
   */
  static decode(list: unknown, trusted: boolean): ManagedFieldsTable | undefined {
    const table = new ManagedFieldsTable();
    if (list === undefined || list === null) return table;
    if (!Array.isArray(list)) return undefined;
    for (const raw of list) {
      const owner = decodeEntry(raw, trusted);
      if (owner === undefined) return undefined;
      table.owners.set(ownerIdentity(owner), owner);
    }
    return table;
  }

  /** How many owners there are. */
  get size(): number {
    return this.owners.size;
  }

  /** Every owner's identity. */
  ids(): string[] {
    return [...this.owners.keys()];
  }

  /** The owner with this identity. */
  get(id: string): Owner | undefined {
    return this.owners.get(id);
  }

  /** What the owner owns (empty when there is no such owner). */
  fields(id: string): FieldSet {
    const owner = this.owners.get(id);
    if (owner === undefined) return FieldSet.empty();
    owner.decoded ??= owner.raw === undefined ? FieldSet.empty() : FieldSet.fromTrustedFieldsV1(owner.raw);
    return owner.decoded;
  }

  /** True when the owner owns any path of `set`, decoding nothing it does not have to. */
  ownsAnyOf(id: string, set: FieldSet): boolean {
    const owner = this.owners.get(id);
    if (owner === undefined || set.isEmpty()) return false;
    if (owner.decoded !== undefined) return owner.decoded.intersects(set);
    return owner.raw !== undefined && set.intersectsFieldsV1(owner.raw);
  }

  /** Replaces what an owner owns; an empty set removes the owner. */
  setFields(id: string, fields: FieldSet): void {
    const owner = this.owners.get(id);
    if (owner === undefined) return;
    if (fields.isEmpty()) {
      this.owners.delete(id);
      return;
    }
    owner.decoded = fields;
    owner.raw = undefined;
    owner.original = undefined;
  }

  /** Adds or replaces an owner. */
  put(key: OwnerKey, fields: FieldSet, time: string | undefined): string {
    const id = ownerIdentity(key);
    if (fields.isEmpty()) {
      this.owners.delete(id);
      return id;
    }
    this.owners.set(id, { ...key, time, original: undefined, raw: undefined, decoded: fields });
    return id;
  }

  /** Sets an owner's time and apiVersion (an applier keeps its identity across versions). */
  touch(id: string, time: string | undefined, apiVersion: string): void {
    const owner = this.owners.get(id);
    if (owner === undefined || (owner.time === time && owner.apiVersion === apiVersion)) return;
    owner.time = time;
    owner.apiVersion = apiVersion;
    owner.original = undefined;
  }

  /** Removes an owner. */
  delete(id: string): void {
    this.owners.delete(id);
  }

  /**
   * Folds the oldest Update owners into one `ancient-changes` owner per apiVersion until at most
   * `max` Update owners remain, as Kubernetes does so managedFields cannot grow without bound.
   */
  capUpdateOwners(max = MAX_UPDATE_MANAGERS): void {
    const updaters = [...this.owners.entries()].filter(([, o]) => o.operation === 'Update');
    if (updaters.length <= max) return;
    updaters.sort(([ia, a], [ib, b]) => seconds(a.time) - seconds(b.time) || (ia < ib ? -1 : ia > ib ? 1 : 0));
    const firstOfVersion = new Map<string, string>();
    let length = updaters.length;
    for (const [id, owner] of updaters) {
      if (length <= max) break;
      const first = firstOfVersion.get(owner.apiVersion);
      if (first === undefined) {
        firstOfVersion.set(owner.apiVersion, id);
        continue;
      }
      const bucketKey: OwnerKey = { manager: ANCIENT_CHANGES_MANAGER, operation: 'Update', apiVersion: owner.apiVersion, subresource: '' };
      const bucketId = ownerIdentity(bucketKey);
      if (!this.owners.has(bucketId)) {
        const firstFields = this.fields(first);
        const firstTime = this.owners.get(first)?.time;
        this.owners.delete(first);
        this.put(bucketKey, firstFields, firstTime);
      }
      const merged = this.fields(bucketId).union(this.fields(id));
      this.owners.delete(id);
      this.put(bucketKey, merged, owner.time);
      length--;
    }
  }

  /** The `metadata.managedFields` list, in Kubernetes' order (Apply first, then oldest first). */
  encode(): ManagedFieldsEntry[] {
    const owners = [...this.owners.values()];
    owners.sort(
      (a, b) =>
        cmp(a.operation, b.operation) ||
        seconds(a.time) - seconds(b.time) ||
        cmp(a.manager, b.manager) ||
        cmp(a.apiVersion, b.apiVersion) ||
        cmp(a.subresource, b.subresource),
    );
    return owners.map(encodeOwner);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whole seconds since the epoch, as Kubernetes compares entry times (0 when absent or unreadable). */
function seconds(time: string | undefined): number {
  if (time === undefined) return 0;
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

function encodeOwner(o: Owner): ManagedFieldsEntry {
  if (o.original !== undefined) return o.original;
  const entry: ManagedFieldsEntry = {};
  if (o.manager !== '') entry.manager = o.manager;
  entry.operation = o.operation;
  entry.apiVersion = o.apiVersion;
  if (o.time !== undefined) entry.time = o.time;
  entry.fieldsType = 'FieldsV1';
  entry.fieldsV1 = o.raw ?? (o.decoded ?? FieldSet.empty()).toFieldsV1();
  if (o.subresource !== '') entry.subresource = o.subresource;
  return entry;
}

function optionalString(v: unknown): string | undefined | false {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : false;
}

function decodeEntry(raw: unknown, trusted: boolean): Owner | undefined {
  if (!isPlainObject(raw)) return undefined;
  const operation = raw.operation;
  if (operation !== 'Apply' && operation !== 'Update') return undefined;
  const apiVersion = raw.apiVersion;
  if (typeof apiVersion !== 'string' || apiVersion === '') return undefined;
  if (raw.fieldsType !== 'FieldsV1') return undefined;
  const manager = optionalString(raw.manager);
  const time = optionalString(raw.time);
  const subresource = optionalString(raw.subresource);
  if (manager === false || time === false || subresource === false) return undefined;
  const fields = raw.fieldsV1 ?? {};
  if (!isPlainObject(fields)) return undefined;
  const owner: Owner = {
    manager: manager ?? '',
    operation,
    apiVersion,
    subresource: subresource ?? '',
    time,
    original: undefined,
    raw: undefined,
    decoded: undefined,
  };
  if (trusted) {
    owner.original = raw as ManagedFieldsEntry;
    owner.raw = fields as JsonObject;
    return owner;
  }
  try {
    owner.decoded = FieldSet.fromFieldsV1(fields);
  } catch {
    return undefined;
  }
  return owner;
}

/** True when a client's managedFields ask to reset tracking: `[]`, or a single empty entry. */
export function isResetRequest(list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  if (list.length === 0) return true;
  return list.length === 1 && isPlainObject(list[0]) && Object.values(list[0]).every((v) => v === undefined);
}
