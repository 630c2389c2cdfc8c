/**
 * Whole-object walks shared by server-side apply and update tracking: comparing two versions of
 * an object into modified/added/removed field sets, merging an apply configuration into a live
 * object, and removing the items of a field set from an object.
 *
 * They follow structured-merge-diff's semantics: maps merge key by key unless atomic, map-lists
 * merge by key, set-lists as sets, and everything else (scalars, atomic lists and maps) is a leaf
 * that the newer value replaces. A container that is empty on both sides counts as a leaf so that
 * `{}` versus absent is still seen.
 */
import type { PatchMeta } from '../objects.js';
import {
  FieldSet,
  FieldSetBuilder,
  fieldElement,
  granularList,
  isAtomicMap,
  isExcludedMetadata,
  isExcludedTopLevel,
  isPlainObject,
  mapItemElement,
  valueElement,
  type ObjectScope,
  type PathElement,
} from './field-set.js';
import type { ListMeta } from '../objects.js';

type Obj = Record<string, unknown>;

const EMPTY: Obj = Object.freeze({}) as Obj;

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  let count = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    count++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) count--;
  return count === 0;
}

function isEmptyContainer(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) {
    for (const k in v) if (v[k] !== undefined) return false;
    return true;
  }
  return false;
}

/** Element for a list item, or undefined when a map-list item lacks its key. */
function itemElement(item: unknown, lm: ListMeta): PathElement | undefined {
  if (lm.listType === 'set') return valueElement(item);
  const el = mapItemElement(item, lm.keys as string[]);
  return typeof el === 'string' ? el : undefined;
}

/** What changed between two versions of an object, as structured-merge-diff's Compare reports it. */
export interface Comparison {
  /** Leaves present in both versions with different values. */
  modified: FieldSet;
  /** Leaves, list items and containers present only in the newer version. */
  added: FieldSet;
  /** Leaves, list items and containers present only in the older version (with everything below). */
  removed: FieldSet;
}

/** Options for {@link compareObjects}. */
export interface CompareOptions extends ObjectScope {
  meta: PatchMeta;
  /**
   * When the older version is absent (a create), Kubernetes compares against a zero-valued object
   * of the type, in which Go's non-pointer structs and non-omitempty slices already exist: their
   * paths are then not "added" as containers. This answers, for a path of field names (list
   * items appear as the list's name), whether the zero value holds it. Default: nothing (what
   * custom resources get).
   */
  zeroValue?: (path: readonly string[]) => boolean;
}

class Comparer {
  private readonly path: PathElement[] = [];
  private readonly metaPath: string[] = [];
  readonly modified = new FieldSetBuilder();
  readonly added = new FieldSetBuilder();
  readonly removed = new FieldSetBuilder();

  constructor(
    private readonly meta: PatchMeta,
    private readonly zeroValue: ((path: readonly string[]) => boolean) | undefined,
  ) {}

  fields(l: Obj, r: Obj, zero: boolean, filter?: (name: string) => boolean): void {
    for (const k in l) {
      const lv = l[k];
      const rv = r[k];
      if ((lv === undefined && rv === undefined) || (filter !== undefined && !filter(k))) continue;
      this.descend(k, lv, rv, zero);
    }
    for (const k in r) {
      const rv = r[k];
      if (rv === undefined || l[k] !== undefined || (filter !== undefined && !filter(k))) continue;
      this.descend(k, undefined, rv, zero);
    }
  }

  /** Walks metadata's fields without the hook that would record `metadata` itself (Kubernetes strips it). */
  metadata(l: Obj, r: Obj, zero: boolean): void {
    this.path.push(fieldElement('metadata'));
    this.metaPath.push('metadata');
    this.fields(l, r, zero, (name) => !isExcludedMetadata(name));
    this.metaPath.pop();
    this.path.pop();
  }

  private descend(name: string, lv: unknown, rv: unknown, zero: boolean): void {
    this.path.push(fieldElement(name));
    this.metaPath.push(name);
    this.node(lv, rv, zero);
    this.metaPath.pop();
    this.path.pop();
  }

  node(l: unknown, r: unknown, zero: boolean): void {
    if (l === undefined && zero) {
      // Inside a zero-valued older version, a path the zero value holds exists as an empty container.
      if ((isPlainObject(r) || Array.isArray(r)) && this.zeroValue?.(this.metaPath) === true) {
        l = Array.isArray(r) ? [] : {};
      } else {
        zero = false;
      }
    }
    if (l === r) return; // same value or same (unchanged) subtree
    const lObj = l === undefined || isPlainObject(l);
    const rObj = r === undefined || isPlainObject(r);
    if (lObj && rObj && !isAtomicMap(this.meta, this.metaPath)) {
      if (isEmptyContainer(l) && isEmptyContainer(r)) this.leaf(l, r);
      else this.map((l ?? EMPTY) as Obj, (r ?? EMPTY) as Obj, l === undefined, r === undefined, zero);
      return;
    }
    const lArr = l === undefined || Array.isArray(l);
    const rArr = r === undefined || Array.isArray(r);
    if (lArr && rArr) {
      const lm = granularList(this.meta, this.metaPath);
      if (lm !== undefined && !(isEmptyContainer(l) && isEmptyContainer(r))) {
        this.list((l ?? []) as unknown[], (r ?? []) as unknown[], lm, l === undefined, r === undefined);
        return;
      }
    }
    this.leaf(l, r);
  }

  private leaf(l: unknown, r: unknown): void {
    if (l === undefined) this.added.insert(this.path);
    else if (r === undefined) this.removed.insert(this.path);
    else if (!deepEqual(l, r)) this.modified.insert(this.path);
  }

  private post(lAbsent: boolean, rAbsent: boolean): void {
    if (lAbsent) this.added.insert(this.path);
    else if (rAbsent) this.removed.insert(this.path);
  }

  private map(l: Obj, r: Obj, lAbsent: boolean, rAbsent: boolean, zero: boolean): void {
    this.fields(l, r, zero);
    this.post(lAbsent, rAbsent);
  }

  private list(l: unknown[], r: unknown[], lm: ListMeta, lAbsent: boolean, rAbsent: boolean): void {
    const lItems = new Map<PathElement, unknown>();
    for (const item of l) {
      const el = itemElement(item, lm);
      if (el !== undefined && !lItems.has(el)) lItems.set(el, item);
    }
    const rItems = new Map<PathElement, unknown>();
    for (const item of r) {
      const el = itemElement(item, lm);
      if (el !== undefined && !rItems.has(el)) rItems.set(el, item);
    }
    for (const [el, li] of lItems) {
      this.path.push(el);
      this.node(li, rItems.get(el), false);
      this.path.pop();
    }
    for (const [el, ri] of rItems) {
      if (lItems.has(el)) continue;
      this.path.push(el);
      this.node(undefined, ri, false);
      this.path.pop();
    }
    this.post(lAbsent, rAbsent);
  }
}

/**
 * Compares two versions of a whole object. apiVersion, kind, server-managed metadata and the
 * fields `scope` ignores are left out, as is `metadata` itself, exactly as Kubernetes strips them
 * from field sets. `older` undefined means a create (see {@link CompareOptions.zeroValue}).
 */
export function compareObjects(older: Readonly<Obj> | undefined, newer: Readonly<Obj>, options: CompareOptions): Comparison {
  const c = new Comparer(options.meta, older === undefined ? options.zeroValue : undefined);
  const l = (older ?? EMPTY) as Obj;
  const r = newer as Obj;
  const zero = older === undefined;
  c.fields(l, r, zero, (name) => !isExcludedTopLevel(name, options) && name !== 'metadata');
  const lm = l.metadata;
  const rm = r.metadata;
  if (lm !== rm && (isPlainObject(lm) || lm === undefined) && (isPlainObject(rm) || rm === undefined)) {
    c.metadata((lm ?? EMPTY) as Obj, (rm ?? EMPTY) as Obj, zero);
  }
  return { modified: c.modified.build(), added: c.added.build(), removed: c.removed.build() };
}

// ---------------------------------------------------------------------------------------------
// Merge

/** Drops null-valued fields from a subtree that is about to be stored (null means "unset" in apply). */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const c = withoutNulls(v[i]);
      if (c !== v[i]) (out ??= v.slice())[i] = c;
    }
    return out ?? v;
  }
  if (isPlainObject(v)) {
    let out: Obj | undefined;
    for (const k of Object.keys(v)) {
      const val = v[k];
      if (val === null || val === undefined) {
        out ??= { ...v };
        delete out[k];
        continue;
      }
      const c = withoutNulls(val);
      if (c !== val) (out ??= { ...v })[k] = c;
    }
    return out ?? v;
  }
  return v;
}

class Merger {
  private readonly metaPath: string[] = [];

  constructor(private readonly meta: PatchMeta) {}

  merge(live: unknown, config: unknown): unknown {
    if (config === undefined) return live;
    if (isPlainObject(config)) {
      if (!isPlainObject(live) || isAtomicMap(this.meta, this.metaPath)) return withoutNulls(config);
      const out: Obj = { ...live };
      for (const k of Object.keys(config)) {
        const cv = config[k];
        if (cv === undefined) continue;
        this.metaPath.push(k);
        const merged = this.merge(live[k], cv);
        this.metaPath.pop();
        if (merged === null) delete out[k];
        else out[k] = merged;
      }
      return out;
    }
    if (Array.isArray(config)) {
      const lm = granularList(this.meta, this.metaPath);
      if (lm === undefined || !Array.isArray(live)) return withoutNulls(config);
      return this.mergeList(live, config, lm);
    }
    return config;
  }

  /**
   * Merges a map- or set-list. Items present on both sides take the configuration's order, items
   * only live keep their place relative to their neighbours, and items only in the configuration
   * appear where the configuration puts them (structured-merge-diff's ordering).
   */
  private mergeList(live: unknown[], config: unknown[], lm: ListMeta): unknown[] {
    const lEls = live.map((item) => itemElement(item, lm));
    const rEls = config.map((item) => itemElement(item, lm));
    const lIndex = new Map<PathElement, unknown>();
    lEls.forEach((el, i) => {
      if (el !== undefined && !lIndex.has(el)) lIndex.set(el, live[i]);
    });
    const rIndex = new Map<PathElement, unknown>();
    rEls.forEach((el, i) => {
      if (el !== undefined && !rIndex.has(el)) rIndex.set(el, config[i]);
    });
    const shared = rEls.filter((el): el is PathElement => el !== undefined && lIndex.has(el));
    let nextShared = 0;
    const merged = new Set<PathElement>();
    const out: unknown[] = [];
    const mergeItem = (el: PathElement): void => {
      merged.add(el);
      const m = lm.listType === 'set' ? rIndex.get(el) : this.merge(lIndex.get(el), rIndex.get(el));
      if (m !== null && m !== undefined) out.push(m);
      if (shared[nextShared] === el) nextShared++;
    };
    let li = 0;
    let ri = 0;
    while (li < live.length || ri < config.length) {
      const lEl = li < live.length ? lEls[li] : undefined;
      if (li < live.length && ri < config.length) {
        const rEl = rEls[ri];
        if (lEl !== undefined && lEl === rEl) {
          mergeItem(lEl);
          li++;
          ri++;
          continue;
        }
        // A shared item the configuration wants later: hold it back until its turn.
        if (lEl !== undefined && rIndex.has(lEl) && nextShared < shared.length && shared[nextShared] !== lEl) {
          li++;
          continue;
        }
      }
      if (li < live.length) {
        if (lEl === undefined || !rIndex.has(lEl)) {
          out.push(live[li]);
          li++;
          continue;
        }
        if (merged.has(lEl)) {
          li++;
          continue;
        }
      }
      if (ri < config.length) {
        const rEl = rEls[ri];
        if (rEl !== undefined && !merged.has(rEl)) mergeItem(rEl);
        ri++;
      } else {
        li++; // unreachable with consistent indexes; guarantees progress regardless
      }
    }
    return out;
  }
}

/**
 * Merges an apply configuration into a live object without modifying either: granular maps merge
 * key by key, map-lists by key, set-lists as sets, anything else is replaced; a null in the
 * configuration removes the field.
 */
export function mergeApplied(live: Readonly<Obj>, config: Readonly<Obj>, meta: PatchMeta): Obj {
  return new Merger(meta).merge(live, config) as Obj;
}

// ---------------------------------------------------------------------------------------------
// Removal

class Remover {
  private readonly metaPath: string[] = [];

  constructor(private readonly meta: PatchMeta) {}

  remove(v: unknown, set: FieldSet): unknown {
    if (set.isEmpty()) return v;
    if (isPlainObject(v)) {
      if (isAtomicMap(this.meta, this.metaPath)) return v;
      let out: Obj | undefined;
      for (const { element, member, children } of set.entries()) {
        if (element[0] !== 'f') continue;
        const name = element.slice(2);
        const cur = v[name];
        if (cur === undefined) continue;
        if (member) {
          out ??= { ...v };
          delete out[name];
          continue;
        }
        this.metaPath.push(name);
        const next = this.remove(cur, children);
        this.metaPath.pop();
        if (next !== cur) (out ??= { ...v })[name] = next;
      }
      return out ?? v;
    }
    if (Array.isArray(v)) {
      const lm = granularList(this.meta, this.metaPath);
      if (lm === undefined) return v;
      const byElement = new Map(set.entries().map((e) => [e.element, e]));
      let changed = false;
      const out: unknown[] = [];
      for (const item of v) {
        const el = itemElement(item, lm);
        const entry = el === undefined ? undefined : byElement.get(el);
        if (entry === undefined) {
          out.push(item);
        } else if (entry.member) {
          changed = true;
        } else {
          const next = this.remove(item, entry.children);
          if (next !== item) changed = true;
          out.push(next);
        }
      }
      return changed ? out : v;
    }
    return v;
  }
}

/**
 * Removes from `obj` every field, list item and map entry that is a member of `set` (with all it
 * holds), following the set's children into maps and list items. Returns a new object sharing the
 * untouched parts.
 */
export function removeItems(obj: Readonly<Obj>, set: FieldSet, meta: PatchMeta): Obj {
  return new Remover(meta).remove(obj, set) as Obj;
}
