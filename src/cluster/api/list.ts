/**
 * LIST semantics: label and field selectors, `limit`/`continue` paging over a consistent snapshot,
 * and the resourceVersion / resourceVersionMatch rules.
 */
import { ApiError, badRequest } from '../errors.js';
import { groupResource, type KubeObject, type ResourceType } from '../objects.js';
import { fieldSelectorFor } from '../query/field-selector.js';
import { compileLabelSelector } from '../query/label-selector.js';
import type { ObjectStore, StoredObject } from '../store/object-store.js';

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  items: StoredObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export type ObjectFilter = (obj: KubeObject) => boolean;

/** Compiles the request's selectors (and a name from a watch URL) into one predicate. */
export function objectFilter(type: ResourceType, opts: { labelSelector?: string; fieldSelector?: string; name?: string }): ObjectFilter | undefined {
  const filters: ObjectFilter[] = [];
  if (opts.labelSelector) {
    const matches = compileLabelSelector(opts.labelSelector);
    filters.push((o) => matches(o.metadata.labels ?? {}));
  }
  if (opts.fieldSelector) {
    const selectable = type.custom ? (type as ResourceType & { selectableFields?: string[] }).selectableFields : undefined;
    filters.push(fieldSelectorFor(type, opts.fieldSelector, selectable));
  }
  if (opts.name !== undefined) filters.push((o) => o.metadata.name === opts.name);
  if (filters.length === 0) return undefined;
  if (filters.length === 1) return filters[0];
  return (o) => filters.every((f) => f(o));
}

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

function encodeContinue(rv: number, lastKey: string): string {
  const token: ContinueToken = { v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(value: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as ContinueToken;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('bad token');
    return token;
  } catch {
    throw badRequest(`continue key is not valid: ${value.slice(0, 40)}`);
  }
}

function parseRV(value: string, what: string): number {
  if (!/^\d+$/.test(value)) throw badRequest(`${what}: Invalid value: "${value}": must be a non-negative integer`);
  return Number(value);
}

export function listObjects(store: ObjectStore, type: ResourceType, namespace: string | undefined, opts: ListOptions): ListResult {
  const resource = groupResource(type);
  const filter = objectFilter(type, opts);
  const ns = type.namespaced ? namespace : undefined;
  let snapshotRV = store.resourceVersion;
  let startAfter: string | undefined;
  let items: StoredObject[];

  if (opts.continue) {
    if (opts.resourceVersion && opts.resourceVersion !== '') throw badRequest('specifying resource version is not allowed when using continue');
    const token = decodeContinue(opts.continue);
    startAfter = token.start;
    snapshotRV = token.rv;
    try {
      items = store.listAt(resource, token.rv, ns);
    } catch (err) {
      if (err instanceof ApiError && err.code === 410) {
        throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      throw err;
    }
  } else if (opts.resourceVersion && opts.resourceVersion !== '0' && opts.resourceVersionMatch === 'Exact') {
    snapshotRV = parseRV(opts.resourceVersion, 'resourceVersion');
    if (snapshotRV > store.latestResourceVersion) throw tooLargeRV(snapshotRV);
    items = store.listAt(resource, snapshotRV, ns);
  } else {
    if (opts.resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(opts.resourceVersionMatch)) {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${opts.resourceVersionMatch}": supported values: "Exact", "NotOlderThan"`);
    }
    if (opts.resourceVersionMatch && !opts.resourceVersion) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
    if (opts.resourceVersion) {
      const wanted = parseRV(opts.resourceVersion, 'resourceVersion');
      if (wanted > store.latestResourceVersion) throw tooLargeRV(wanted);
    }
    // As of the last durable version: a write still in flight is neither listed nor counted.
    snapshotRV = store.resourceVersion;
    items = store.listAt(resource, snapshotRV, ns);
  }

  let from = 0;
  if (startAfter !== undefined) {
    const keyOf = (s: StoredObject) => (s.obj.metadata.namespace ? `${s.obj.metadata.namespace}/${s.obj.metadata.name}` : s.obj.metadata.name!);
    while (from < items.length && keyOf(items[from]) < startAfter) from++;
  }
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const out: StoredObject[] = [];
  let i = from;
  for (; i < items.length && out.length < limit; i++) {
    if (!filter || filter(items[i].obj)) out.push(items[i]);
  }
  // Skip past trailing non-matching items so an exhausted list gets no continue token.
  let more = false;
  for (let j = i; j < items.length; j++) {
    if (!filter || filter(items[j].obj)) {
      more = true;
      break;
    }
  }
  const result: ListResult = { items: out, resourceVersion: String(snapshotRV) };
  if (more && out.length > 0) {
    const last = out[out.length - 1].obj.metadata;
    result.continue = encodeContinue(snapshotRV, last.namespace ? `${last.namespace}/${last.name}` : last.name!);
    if (!filter) result.remainingItemCount = items.length - i;
  }
  return result;
}

function tooLargeRV(rv: number): ApiError {
  return new ApiError(504, 'Timeout', `Too large resource version: ${rv}, current resource version: unknown`, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version', field: '' }], retryAfterSeconds: 1 });
}
