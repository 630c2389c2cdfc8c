/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), applied the way
 * apimachinery's `StrategicMergeMapPatch` applies it on the server: maps merge, `null` deletes,
 * lists follow their patch strategy, and the `$patch`, `$retainKeys`, `$setElementOrder/<field>` and
 * `$deleteFromPrimitiveList/<field>` directives steer the merge without ever reaching the result.
 */
import { badRequest, type ApiError } from '../errors.js';
import type { JsonObject, JsonValue, PatchMeta } from '../objects.js';
import { cloneJson, isJsonObject, jsonEqual, ownValue, setKey } from './json.js';

const PATCH = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/**
 * Applies a strategic merge patch to `original` and returns the patched object.
 *
 * Semantics follow apimachinery, including where they surprise:
 * - a merge list's resulting order puts items named in the patch in patch order and keeps the
 *   others in their original order, interleaving the two by original position where both are
 *   known; so items new to the list come before the untouched ones unless `$setElementOrder`
 *   says otherwise;
 * - `{"$patch":"delete"}` on a map that exists leaves an empty map (on a map the original does not
 *   have, the key is simply not added);
 * - nulls inside newly added content are dropped, as the API server does;
 * - only list patch strategies matter: `atomicMap` describes server-side apply and is not consulted,
 *   because no built-in struct carries the `replace` strategy on a map.
 *
 * Throws a 400 `ApiError` naming the field path (e.g. `spec.template.spec.containers[1]`) for
 * malformed directives or merge-list items without their merge key. Neither input is mutated and
 * the result shares no structure with them.
 */
export function applyStrategicMergePatch(original: JsonObject, patch: JsonObject, meta: PatchMeta): JsonObject {
  return new StrategicMerger(meta).mergeMap(cloneJson(original), patch, [], '') ?? {};
}

type Identity = (item: JsonValue) => JsonValue | undefined;

class StrategicMerger {
  constructor(private readonly meta: PatchMeta) {}

  /**
   * Merges `patch` into `orig`, which is always a private copy and is filled in place. With no
   * `orig` it materialises new content; undefined then means the content asked to be dropped.
   */
  mergeMap(orig: JsonObject | undefined, patch: JsonObject, path: readonly string[], at: string): JsonObject | undefined {
    if (Object.hasOwn(patch, PATCH)) return this.mapDirective(orig, patch, path, at);
    const out: JsonObject = orig ?? {};
    applyRetainKeys(out, patch, at);

    // Ordered lists are merged together with their order, and so are skipped by the plain pass.
    const ordered = new Set<string>();
    for (const [key, value] of Object.entries(patch)) {
      if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
      const field = directiveField(key, SET_ELEMENT_ORDER, at);
      this.applySetElementOrder(out, field, value, ownValue(patch, field), [...path, field], join(at, field));
      ordered.add(field);
    }
    for (const [key, value] of Object.entries(patch)) {
      if (isDirectiveKey(key) || ordered.has(key)) continue;
      this.mergeField(out, key, value, path, at);
    }
    for (const [key, value] of Object.entries(patch)) {
      if (!key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
      const field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST, at);
      deleteFromPrimitiveList(out, field, value, join(at, field));
    }
    return out;
  }

  private mapDirective(orig: JsonObject | undefined, patch: JsonObject, path: readonly string[], at: string): JsonObject | undefined {
    const directive = patch[PATCH];
    if (directive === 'delete') return orig === undefined ? undefined : {};
    if (directive !== 'replace') throw fail(at, `unknown patch type ${JSON.stringify(directive)} in ${PATCH}`);
    const rest: JsonObject = {};
    for (const [k, v] of Object.entries(patch)) if (k !== PATCH) setKey(rest, k, v);
    return this.mergeMap(undefined, rest, path, at) ?? {};
  }

  private mergeField(out: JsonObject, key: string, value: JsonValue, parent: readonly string[], parentAt: string): void {
    const path = [...parent, key];
    const at = join(parentAt, key);
    if (value === null) {
      delete out[key];
      return;
    }
    const current = ownValue(out, key);
    if (isJsonObject(value)) {
      // A type change takes the patch value as new content, exactly like an absent key.
      const merged = this.mergeMap(isJsonObject(current) ? current : undefined, value, path, at);
      if (merged === undefined) delete out[key];
      else setKey(out, key, merged);
    } else if (Array.isArray(value)) {
      setKey(out, key, this.mergeList(Array.isArray(current) ? current : undefined, value, path, at));
    } else {
      setKey(out, key, value);
    }
  }

  private mergeList(orig: JsonValue[] | undefined, patch: JsonValue[], path: readonly string[], at: string): JsonValue[] {
    const listMeta = this.meta.list(path);
    if (listMeta?.patchStrategy !== 'merge') return this.replaceList(patch, path, at);
    const mergeKey = listMeta.listType === 'set' ? undefined : listMeta.keys?.[0];
    return mergeKey === undefined
      ? mergeScalarList(orig ?? [], patch, at)
      : this.mergeMapList(orig ?? [], patch, mergeKey, path, at);
  }

  /** A list without merge meta is taken whole from the patch, cleaned of directives and nulls. */
  private replaceList(patch: JsonValue[], path: readonly string[], at: string): JsonValue[] {
    const out: JsonValue[] = [];
    patch.forEach((item, i) => {
      const itemAt = `${at}[${i}]`;
      if (Array.isArray(item)) {
        out.push(this.replaceList(item, path, itemAt));
      } else if (!isJsonObject(item)) {
        out.push(item);
      } else if (listDirective(item, itemAt) === undefined) {
        // Directive elements (`{"$patch":"replace"}` and the like) are instructions, not data.
        out.push(this.mergeMap(undefined, item, path, itemAt) ?? {});
      }
    });
    return out;
  }

  private mergeMapList(orig: JsonValue[], patch: JsonValue[], mergeKey: string, path: readonly string[], at: string): JsonValue[] {
    let working = [...orig];
    let replace = false;
    const items: { item: JsonObject; at: string }[] = [];
    patch.forEach((item, i) => {
      const itemAt = `${at}[${i}]`;
      if (!isJsonObject(item)) throw fail(itemAt, `must be an object with the merge key "${mergeKey}"`);
      const directive = listDirective(item, itemAt);
      if (directive === 'replace') {
        replace = true;
      } else if (directive === 'delete') {
        const key = requireMergeKey(item, mergeKey, itemAt);
        working = working.filter((o) => !hasMergeKey(o, mergeKey, key));
      } else {
        items.push({ item, at: itemAt });
      }
    });
    if (replace) return items.map((x) => this.mergeMap(undefined, x.item, path, x.at) ?? {});

    const identity: Identity = (o) => (isJsonObject(o) ? ownValue(o, mergeKey) : undefined);
    const serverOrder = working.map(identity);
    const patchOrder: JsonValue[] = [];
    for (const { item, at: itemAt } of items) {
      const key = requireMergeKey(item, mergeKey, itemAt);
      patchOrder.push(key);
      const index = working.findIndex((o) => hasMergeKey(o, mergeKey, key));
      const current = index >= 0 ? working[index] : undefined;
      const merged = this.mergeMap(isJsonObject(current) ? current : undefined, item, path, itemAt) ?? {};
      if (index >= 0) working[index] = merged;
      else working.push(merged);
    }
    return normalizeOrder(working, patchOrder, serverOrder, identity);
  }

  /**
   * `$setElementOrder/<field>` fixes the order of the items it names; the list itself is merged
   * first when the patch carries it too.
   */
  private applySetElementOrder(
    out: JsonObject,
    field: string,
    order: JsonValue,
    patchList: JsonValue | undefined,
    path: readonly string[],
    at: string,
  ): void {
    if (!Array.isArray(order)) throw fail(at, `${SET_ELEMENT_ORDER}/${field} must be a list`);
    if (patchList !== undefined && !Array.isArray(patchList)) {
      throw fail(at, `must be a list when ${SET_ELEMENT_ORDER}/${field} is given`);
    }
    const listMeta = this.meta.list(path);
    const mergeKey = listMeta?.patchStrategy === 'merge' && listMeta.listType !== 'set' ? listMeta.keys?.[0] : undefined;
    const identity: Identity = mergeKey === undefined ? (v) => v : (o) => (isJsonObject(o) ? ownValue(o, mergeKey) : undefined);
    const orderIds = order.map((entry, i) => {
      if (mergeKey === undefined) return entry;
      if (!isJsonObject(entry)) throw fail(`${at}`, `${SET_ELEMENT_ORDER}/${field}[${i}] must be an object with the merge key "${mergeKey}"`);
      return requireMergeKey(entry, mergeKey, `${at}: ${SET_ELEMENT_ORDER}/${field}[${i}]`);
    });
    if (patchList !== undefined) checkPatchFollowsOrder(patchList, orderIds, mergeKey, field, at);

    const current = ownValue(out, field);
    const origList = Array.isArray(current) ? current : undefined;
    let merged: JsonValue[];
    if (patchList !== undefined) merged = this.mergeList(origList, patchList, path, at);
    else if (origList) merged = origList;
    else return;
    setKey(out, field, normalizeOrder(merged, orderIds, (origList ?? []).map(identity), identity));
  }
}

function applyRetainKeys(out: JsonObject, patch: JsonObject, at: string): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) {
    throw fail(at, `${RETAIN_KEYS} must be a list of field names`);
  }
  const names = new Set(keep);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || isDirectiveKey(key) || names.has(key)) continue;
    throw fail(join(at, key), `is set in the patch but not listed in ${RETAIN_KEYS}`);
  }
  for (const key of Object.keys(out)) if (!names.has(key)) delete out[key];
}

function deleteFromPrimitiveList(out: JsonObject, field: string, values: JsonValue, at: string): void {
  if (!Array.isArray(values)) throw fail(at, `${DELETE_FROM_PRIMITIVE_LIST}/${field} must be a list`);
  const current = ownValue(out, field);
  // Deleting from a list that is not there must not create it.
  if (!Array.isArray(current)) return;
  setKey(out, field, current.filter((v) => !values.some((d) => jsonEqual(d, v))));
}

/** A merge-strategy list without a merge key: scalars merged as an ordered set. */
function mergeScalarList(orig: JsonValue[], patch: JsonValue[], at: string): JsonValue[] {
  let replace = false;
  const values: JsonValue[] = [];
  patch.forEach((item, i) => {
    const itemAt = `${at}[${i}]`;
    if (Array.isArray(item)) throw fail(itemAt, 'lists of lists cannot be merged');
    if (!isJsonObject(item)) {
      values.push(item);
      return;
    }
    const directive = listDirective(item, itemAt);
    if (directive === undefined) throw fail(itemAt, 'cannot merge objects into a list that has no merge key');
    if (directive === 'delete') throw fail(itemAt, `${PATCH}: delete needs a merge key; use ${DELETE_FROM_PRIMITIVE_LIST}`);
    replace = true;
  });
  if (replace) return values;
  const merged: JsonValue[] = [];
  for (const v of [...orig, ...values]) if (!merged.some((m) => jsonEqual(m, v))) merged.push(v);
  return normalizeOrder(merged, values, orig, (v) => v);
}

/**
 * apimachinery's `normalizeElementOrder`: items named by `patchOrder` sorted by it, the rest sorted
 * by `serverOrder`, then the two interleaved by server position wherever both are known. An item
 * the server never had loses every comparison, which is why new items come first.
 */
function normalizeOrder(
  merged: JsonValue[],
  patchOrder: (JsonValue | undefined)[],
  serverOrder: (JsonValue | undefined)[],
  identity: Identity,
): JsonValue[] {
  const rank = (ids: (JsonValue | undefined)[], item: JsonValue): number => indexOfId(ids, identity(item));
  const patchItems = merged.filter((m) => rank(patchOrder, m) >= 0).sort((a, b) => rank(patchOrder, a) - rank(patchOrder, b));
  const serverOnly = merged.filter((m) => rank(patchOrder, m) < 0).sort((a, b) => rank(serverOrder, a) - rank(serverOrder, b));
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length && j < patchItems.length) {
    const left = rank(serverOrder, serverOnly[i]);
    const right = rank(serverOrder, patchItems[j]);
    if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
    else out.push(patchItems[j++]);
  }
  return [...out, ...serverOnly.slice(i), ...patchItems.slice(j)];
}

function indexOfId(ids: (JsonValue | undefined)[], id: JsonValue | undefined): number {
  return id === undefined ? -1 : ids.findIndex((x) => x !== undefined && jsonEqual(x, id));
}

/** The patch list's items must appear in `$setElementOrder` in the same relative order. */
function checkPatchFollowsOrder(
  patchList: JsonValue[],
  orderIds: JsonValue[],
  mergeKey: string | undefined,
  field: string,
  at: string,
): void {
  let next = 0;
  patchList.forEach((item, i) => {
    if (isJsonObject(item) && Object.hasOwn(item, PATCH)) return;
    const id = mergeKey === undefined ? item : requireMergeKey(isJsonObject(item) ? item : {}, mergeKey, `${at}[${i}]`);
    while (next < orderIds.length && !jsonEqual(orderIds[next], id)) next++;
    if (next >= orderIds.length) {
      throw fail(`${at}[${i}]`, `the order of the patch list does not match ${SET_ELEMENT_ORDER}/${field}`);
    }
    next++;
  });
}

function listDirective(item: JsonObject, at: string): 'delete' | 'replace' | undefined {
  if (!Object.hasOwn(item, PATCH)) return undefined;
  const directive = item[PATCH];
  if (directive === 'delete' || directive === 'replace') return directive;
  if (directive === 'merge') throw fail(at, `${PATCH}: merge cannot be specified on a list element`);
  throw fail(at, `unknown patch type ${JSON.stringify(directive)} in ${PATCH}`);
}

function requireMergeKey(item: JsonObject, mergeKey: string, at: string): JsonValue {
  const key = ownValue(item, mergeKey);
  if (key === undefined) throw fail(at, `does not contain declared merge key "${mergeKey}"`);
  return key;
}

function hasMergeKey(item: JsonValue, mergeKey: string, key: JsonValue): boolean {
  return isJsonObject(item) && jsonEqual(ownValue(item, mergeKey), key);
}

function isDirectiveKey(key: string): boolean {
  return (
    key === PATCH || key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
  );
}

/** `$setElementOrder/containers` → `containers`. */
function directiveField(key: string, prefix: string, at: string): string {
  const field = key.startsWith(`${prefix}/`) ? key.slice(prefix.length + 1) : '';
  if (!field) throw fail(at, `invalid patch key ${JSON.stringify(key)}: expected ${prefix}/<field>`);
  return field;
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

function fail(at: string, message: string): ApiError {
  return badRequest(at ? `${at}: ${message}` : message);
}
