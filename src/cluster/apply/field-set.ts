/**
 * Sets of field paths, as server-side apply tracks ownership, and their `fieldsV1` encoding in
 * `metadata.managedFields[].fieldsV1`.
 *
 * A path is a list of path elements spelled the way fieldsV1 spells them: `f:<name>` for a field or
 * map key, `k:{"key":value,...}` for an item of a map-list (key fields sorted, JSON values),
 * `v:<json>` for an item of a set-list and `i:<n>` for a positional item. A set is a trie; a node is
 * a *member* when its own path is in the set (written `".": {}` when it also has children), which
 * is how Kubernetes records that a manager owns a list item or a map's existence as well as fields
 * inside it.
 *
 * Behaviour follows sigs.k8s.io/structured-merge-diff (fieldpath.Set): Difference and Intersection
 * act on exact paths, RecursiveDifference drops whole subtrees, iteration visits a node's members
 * before descending into its children, and encoding orders elements fields < keys < values <
 * indexes.
 */
import type { JsonObject, JsonValue, ListMeta, PatchMeta } from '../objects.js';

/** One step of a field path in its fieldsV1 spelling (`f:name`, `k:{...}`, `v:...`, `i:0`). */
export type PathElement = string;
/** A path from the object root, one element per step. */
export type FieldPath = readonly PathElement[];

/** A trie node. Children are never empty (every stored child has a member somewhere below). */
interface Node {
  m: boolean;
  c: Map<string, Node> | undefined;
}

function newNode(): Node {
  return { m: false, c: undefined };
}

function isEmptyNode(n: Node): boolean {
  return !n.m && (n.c === undefined || n.c.size === 0);
}

/** A JSON object that is not an array or null. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Thrown when an object cannot be turned into a field set (an apply config Kubernetes would refuse). */
export class FieldSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSetError';
  }
}

// ---------------------------------------------------------------------------------------------
// Path elements

/** The element for a struct field or map key. */
export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** The element for a set-list item. */
export function valueElement(value: unknown): PathElement {
  return `v:${JSON.stringify(value)}`;
}

/** The element for a map-list item with the given key fields (sorted by name, as Kubernetes does). */
export function keyElement(fields: Readonly<Record<string, unknown>>): PathElement {
  const names = Object.keys(fields).sort(compareStrings);
  let out = 'k:{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${JSON.stringify(names[i])}:${JSON.stringify(fields[names[i]])}`;
  }
  return `${out}}`;
}

/**
 * Key fields that Kubernetes' schemas give a default, so an item that omits them still has a key
 * (container and service ports default `protocol` to TCP). CRD schemas may declare others; those
 * are not visible through PatchMeta.
 */
const KEY_DEFAULTS: Readonly<Record<string, JsonValue>> = { protocol: 'TCP' };

/**
 * The element identifying `item` in a map-list keyed by `keys`, or a string describing the missing
 * key (Kubernetes' wording) when the item lacks one and no default applies.
 */
export function mapItemElement(item: unknown, keys: readonly string[]): PathElement | { missing: string } {
  if (!isPlainObject(item)) return { missing: keys[0] ?? '' };
  const fields: Record<string, unknown> = {};
  for (const k of keys) {
    let v = item[k];
    if (v === undefined || v === null) v = KEY_DEFAULTS[k];
    if (v === undefined) return { missing: k };
    fields[k] = v;
  }
  return keyElement(fields);
}

/** Map-list and set-list metadata for `path`, or undefined when the list is atomic. */
export function granularList(meta: PatchMeta, path: readonly string[]): ListMeta | undefined {
  const lm = meta.list(path);
  if (lm === undefined || lm.listType === 'atomic') return undefined;
  if (lm.listType === 'map' && (lm.keys === undefined || lm.keys.length === 0)) return undefined;
  return lm;
}

/** True when the map at `path` is replaced whole. */
export function isAtomicMap(meta: PatchMeta, path: readonly string[]): boolean {
  return path.length > 0 && meta.atomicMap !== undefined && meta.atomicMap(path);
}

/**
 * Wraps `meta` so the ObjectMeta lists merge the way Kubernetes declares them even when the given
 * metadata does not say (CRD schemas rarely describe `metadata`): finalizers are a set and
 * ownerReferences a map keyed by uid.
 */
export function withObjectMetaLists(meta: PatchMeta): PatchMeta {
  // Every write wraps its type's (cached) PatchMeta: wrap each one once.
  let wrapped = objectMetaWrapped.get(meta);
  if (wrapped === undefined) {
    wrapped = wrapObjectMetaLists(meta);
    objectMetaWrapped.set(meta, wrapped);
  }
  return wrapped;
}

const objectMetaWrapped = new WeakMap<PatchMeta, PatchMeta>();

function wrapObjectMetaLists(meta: PatchMeta): PatchMeta {
  const wrapped: PatchMeta = {
    list(path) {
      const own = meta.list(path);
      if (own !== undefined || path.length !== 2 || path[0] !== 'metadata') return own;
      if (path[1] === 'finalizers') return { listType: 'set', patchStrategy: 'merge' };
      if (path[1] === 'ownerReferences') return { listType: 'map', keys: ['uid'], patchStrategy: 'merge' };
      return undefined;
    },
  };
  if (meta.atomicMap !== undefined) wrapped.atomicMap = (path) => meta.atomicMap?.(path) ?? false;
  if (meta.retainKeys !== undefined) wrapped.retainKeys = (path) => meta.retainKeys?.(path) ?? false;
  return wrapped;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const TYPE_RANK: Readonly<Record<string, number>> = { f: 0, k: 1, v: 2, i: 3 };

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (isPlainObject(v)) return 4;
  return 5; // null
}

/** structured-merge-diff's total order on values: numbers < strings < bools < lists < maps < null. */
function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return compareStrings(JSON.stringify(a), JSON.stringify(b));
}

function parseElementJson(el: PathElement): unknown {
  try {
    return JSON.parse(el.slice(2)) as unknown;
  } catch {
    return undefined;
  }
}

function compareKeyFields(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const an = Object.keys(a);
  const bn = Object.keys(b);
  for (let i = 0; ; i++) {
    if (i >= an.length && i >= bn.length) return 0;
    if (i >= an.length) return -1;
    if (i >= bn.length) return 1;
    const c = compareStrings(an[i], bn[i]) || compareValues(a[an[i]], b[bn[i]]);
    if (c !== 0) return c;
  }
}

/** Orders path elements as Kubernetes serializes them. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ta = TYPE_RANK[a[0]] ?? 4;
  const tb = TYPE_RANK[b[0]] ?? 4;
  if (ta !== tb) return ta - tb;
  switch (a[0]) {
    case 'f':
      return compareStrings(a, b);
    case 'i':
      return Number(a.slice(2)) - Number(b.slice(2));
    case 'k': {
      const pa = parseElementJson(a);
      const pb = parseElementJson(b);
      if (isPlainObject(pa) && isPlainObject(pb)) return compareKeyFields(pa, pb);
      return compareStrings(a, b);
    }
    default:
      return compareValues(parseElementJson(a), parseElementJson(b));
  }
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** An element as Kubernetes prints it in messages: `.name`, `[name="nginx"]`, `[="value"]`, `[0]`. */
export function formatPathElement(el: PathElement): string {
  switch (el[0]) {
    case 'f':
      return `.${el.slice(2)}`;
    case 'i':
      return `[${el.slice(2)}]`;
    case 'v':
      return `[=${formatValue(parseElementJson(el))}]`;
    case 'k': {
      const fields = parseElementJson(el);
      if (!isPlainObject(fields)) return `[${el.slice(2)}]`;
      return `[${Object.entries(fields)
        .map(([k, v]) => `${k}=${formatValue(v)}`)
        .join(',')}]`;
    }
    default:
      return el;
  }
}

/** A path as Kubernetes prints it, e.g. `.spec.template.spec.containers[name="nginx"].image`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const el of path) out += formatPathElement(el);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Node algebra (pure: inputs are never modified, results may share unchanged subtrees)

function unionNodes(a: Node, b: Node): Node {
  if (isEmptyNode(b)) return a;
  if (isEmptyNode(a)) return b;
  const out: Node = { m: a.m || b.m, c: undefined };
  if (a.c === undefined || a.c.size === 0) out.c = b.c;
  else if (b.c === undefined || b.c.size === 0) out.c = a.c;
  else {
    const c = new Map(a.c);
    for (const [k, bc] of b.c) {
      const ac = c.get(k);
      c.set(k, ac === undefined ? bc : unionNodes(ac, bc));
    }
    out.c = c;
  }
  return out;
}

function differenceNodes(a: Node, b: Node): Node {
  const out: Node = { m: a.m && !b.m, c: undefined };
  if (a.c !== undefined && a.c.size > 0) {
    if (b.c === undefined || b.c.size === 0) out.c = a.c;
    else {
      const c = new Map<string, Node>();
      for (const [k, ac] of a.c) {
        const bc = b.c.get(k);
        const r = bc === undefined ? ac : differenceNodes(ac, bc);
        if (!isEmptyNode(r)) c.set(k, r);
      }
      if (c.size > 0) out.c = c;
    }
  }
  return out;
}

function recursiveDifferenceNodes(a: Node, b: Node): Node {
  const out: Node = { m: a.m && !b.m, c: undefined };
  if (a.c !== undefined && a.c.size > 0) {
    if (b.c === undefined || b.c.size === 0) out.c = a.c;
    else {
      const c = new Map<string, Node>();
      for (const [k, ac] of a.c) {
        const bc = b.c.get(k);
        if (bc !== undefined && bc.m) continue; // the whole subtree is covered
        const r = bc === undefined ? ac : recursiveDifferenceNodes(ac, bc);
        if (!isEmptyNode(r)) c.set(k, r);
      }
      if (c.size > 0) out.c = c;
    }
  }
  return out;
}

function intersectionNodes(a: Node, b: Node): Node {
  const out: Node = { m: a.m && b.m, c: undefined };
  if (a.c !== undefined && b.c !== undefined && a.c.size > 0 && b.c.size > 0) {
    const [small, large] = a.c.size <= b.c.size ? [a.c, b.c] : [b.c, a.c];
    const c = new Map<string, Node>();
    for (const [k, sc] of small) {
      const lc = large.get(k);
      if (lc === undefined) continue;
      const r = small === a.c ? intersectionNodes(sc, lc) : intersectionNodes(lc, sc);
      if (!isEmptyNode(r)) c.set(k, r);
    }
    if (c.size > 0) out.c = c;
  }
  return out;
}

function intersectsNodes(a: Node, b: Node): boolean {
  if (a.c === undefined || b.c === undefined) return false;
  const [small, large] = a.c.size <= b.c.size ? [a.c, b.c] : [b.c, a.c];
  for (const [k, sc] of small) {
    const lc = large.get(k);
    if (lc === undefined) continue;
    if ((sc.m && lc.m) || intersectsNodes(sc, lc)) return true;
  }
  return false;
}

function namedFieldsAsMembers(n: Node): Node {
  if (n.c === undefined || n.c.size === 0) return n;
  const c = new Map<string, Node>();
  for (const [k, child] of n.c) {
    const hasChildren = child.c !== undefined && child.c.size > 0;
    const r = namedFieldsAsMembers(child);
    // Without a schema every `f:` element is taken for a struct field; map keys holding maps are
    // rare in Kubernetes types, and for them the difference only shows in which parents prune.
    c.set(k, hasChildren && k[0] === 'f' && !r.m ? { m: true, c: r.c } : r);
  }
  return { m: n.m, c };
}

/** F_CODE: the first character of a field element (`f:`). */
const F_CODE = 102;

function sortedKeys(c: Map<string, Node>): string[] {
  const keys = [...c.keys()];
  if (keys.length < 2) return keys;
  // Fields only (most levels of most objects): plain code-unit order, which is what
  // comparePathElements gives two `f:` elements, without its per-comparison dispatch.
  let fieldsOnly = true;
  for (const k of keys) {
    if (k.charCodeAt(0) !== F_CODE) {
      fieldsOnly = false;
      break;
    }
  }
  if (fieldsOnly) return keys.sort();
  // Item elements (`k:`, `v:`) compare by their parsed JSON: parse each once, not per comparison.
  const parsed = new Map<string, unknown>();
  for (const k of keys) if (k[0] === 'k' || k[0] === 'v') parsed.set(k, parseElementJson(k));
  return keys.sort((a, b) => comparePathElementsParsed(a, b, parsed));
}

/** comparePathElements, with `k:`/`v:` elements' JSON already parsed. */
function comparePathElementsParsed(a: PathElement, b: PathElement, parsed: Map<string, unknown>): number {
  const ta = TYPE_RANK[a[0]] ?? 4;
  const tb = TYPE_RANK[b[0]] ?? 4;
  if (ta !== tb) return ta - tb;
  switch (a[0]) {
    case 'k': {
      const pa = parsed.get(a);
      const pb = parsed.get(b);
      if (isPlainObject(pa) && isPlainObject(pb)) return compareKeyFields(pa, pb);
      return compareStrings(a, b);
    }
    case 'v':
      return compareValues(parsed.get(a), parsed.get(b));
    default:
      return comparePathElements(a, b);
  }
}

function encodeNode(n: Node, out: JsonObject = {}): JsonObject {
  if (n.c === undefined || n.c.size === 0) return out;
  for (const k of sortedKeys(n.c)) {
    const child = n.c.get(k) as Node;
    if (child.c !== undefined && child.c.size > 0) {
      out[k] = encodeNode(child, child.m ? { '.': {} } : {});
    } else if (child.m) {
      out[k] = {};
    }
  }
  return out;
}

/** Re-spells `k:` and `v:` elements canonically so equal paths compare equal as strings. */
function canonicalElement(key: string, where: string): PathElement {
  const kind = key.slice(0, 2);
  if (kind === 'f:') return key;
  if (kind === 'i:') {
    const n = key.slice(2);
    if (!/^(0|[1-9][0-9]*)$/.test(n)) throw new FieldSetError(`${where}: invalid index ${JSON.stringify(key)}`);
    return key;
  }
  if (kind === 'k:' || kind === 'v:') {
    const parsed = parseElementJson(key);
    if (parsed === undefined) throw new FieldSetError(`${where}: invalid JSON in ${JSON.stringify(key)}`);
    if (kind === 'v:') return valueElement(parsed);
    if (!isPlainObject(parsed)) throw new FieldSetError(`${where}: key ${JSON.stringify(key)} is not an object`);
    return keyElement(parsed);
  }
  throw new FieldSetError(`${where}: unexpected key ${JSON.stringify(key)}`);
}

/** Decodes a document this module wrote: canonical already, so nothing is re-spelled or checked. */
function decodeTrustedNode(raw: Record<string, unknown>): Node {
  const n = newNode();
  for (const key in raw) {
    const value = raw[key] as Record<string, unknown>;
    if (key === '.') {
      n.m = true;
      continue;
    }
    let empty = true;
    for (const _ in value) {
      empty = false;
      break;
    }
    const child = empty ? newNode() : decodeTrustedNode(value);
    if (empty) child.m = true;
    (n.c ??= new Map()).set(key, child);
  }
  return n;
}

function decodeNode(raw: unknown, where: string): Node {
  if (!isPlainObject(raw)) throw new FieldSetError(`${where}: expected an object`);
  const n = newNode();
  for (const [key, value] of Object.entries(raw)) {
    if (key === '.') {
      if (!isPlainObject(value) || Object.keys(value).length > 0) {
        throw new FieldSetError(`${where}: "." must map to an empty object`);
      }
      n.m = true;
      continue;
    }
    const el = canonicalElement(key, where);
    const child = decodeNode(value, where + formatPathElement(el));
    // `{}` names a member with nothing below; a non-empty object is a node marked by its own ".".
    if (!isPlainObject(value) || Object.keys(value).length === 0) child.m = true;
    if (isEmptyNode(child)) continue;
    n.c ??= new Map();
    const prev = n.c.get(el);
    n.c.set(el, prev === undefined ? child : unionNodes(prev, child));
  }
  return n;
}

function iterateNode(n: Node, prefix: PathElement[], fn: (path: readonly PathElement[]) => void): void {
  if (n.c === undefined || n.c.size === 0) return;
  const keys = sortedKeys(n.c);
  for (const k of keys) {
    if ((n.c.get(k) as Node).m) {
      prefix.push(k);
      fn(prefix);
      prefix.pop();
    }
  }
  for (const k of keys) {
    const child = n.c.get(k) as Node;
    if (child.c !== undefined && child.c.size > 0) {
      prefix.push(k);
      iterateNode(child, prefix, fn);
      prefix.pop();
    }
  }
}

function countNode(n: Node): number {
  let total = n.m ? 1 : 0;
  if (n.c !== undefined) for (const child of n.c.values()) total += countNode(child);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Building sets from objects

/** Metadata fields no manager ever owns (the API server sets or strips them). */
const EXCLUDED_METADATA: ReadonlySet<string> = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Options shared by everything that walks whole objects. */
export interface ObjectScope {
  /** Leave `status` out (the main resource of a type with a status subresource). */
  ignoreStatus?: boolean;
  /** Leave `spec` out (the status subresource, whose strategy resets spec). */
  ignoreSpec?: boolean;
}

/** True when a top-level field never enters a field set under `scope`. */
export function isExcludedTopLevel(name: string, scope: ObjectScope): boolean {
  return (
    name === 'apiVersion' ||
    name === 'kind' ||
    (name === 'status' && scope.ignoreStatus === true) ||
    (name === 'spec' && scope.ignoreSpec === true)
  );
}

/** True when `metadata.<name>` never enters a field set. */
export function isExcludedMetadata(name: string): boolean {
  return EXCLUDED_METADATA.has(name);
}

/** Options for {@link FieldSet.fromObject}. */
export interface FromObjectOptions extends ObjectScope {
  /**
   * Refuse what Kubernetes refuses in an apply configuration (map-list items without their keys,
   * duplicate items) by throwing {@link FieldSetError}. When false such items are skipped or
   * merged, which suits objects already stored.
   */
  strict?: boolean;
  /** Keep apiVersion, kind and the server-managed metadata fields (Kubernetes strips them later). */
  keepExcluded?: boolean;
}

class ObjectWalker {
  private readonly path: PathElement[] = [];
  private readonly metaPath: string[] = [];

  constructor(
    private readonly meta: PatchMeta,
    private readonly strict: boolean,
    private readonly root: Node,
  ) {}

  private insert(): Node {
    let n = this.root;
    for (const el of this.path) {
      n.c ??= new Map();
      let child = n.c.get(el);
      if (child === undefined) {
        child = newNode();
        n.c.set(el, child);
      }
      n = child;
    }
    n.m = true;
    return n;
  }

  walkFields(obj: Record<string, unknown>): void {
    for (const name of Object.keys(obj)) {
      const v = obj[name];
      if (v === undefined) continue;
      this.path.push(fieldElement(name));
      this.metaPath.push(name);
      this.walk(v);
      this.metaPath.pop();
      this.path.pop();
    }
  }

  walk(v: unknown): void {
    if (isPlainObject(v)) {
      if (isAtomicMap(this.meta, this.metaPath)) this.insert();
      else this.walkFields(v);
      return;
    }
    if (Array.isArray(v)) {
      const lm = granularList(this.meta, this.metaPath);
      if (lm === undefined) this.insert();
      else if (lm.listType === 'set') this.walkSet(v);
      else this.walkMapList(v, lm.keys as string[]);
      return;
    }
    this.insert();
  }

  private walkSet(items: unknown[]): void {
    const seen = new Set<string>();
    for (const item of items) {
      const el = valueElement(item);
      if (seen.has(el) && this.strict) {
        throw new FieldSetError(`${formatPath(this.path)}: duplicate entries for key ${formatPathElement(el)}`);
      }
      seen.add(el);
      this.path.push(el);
      this.insert();
      this.path.pop();
    }
  }

  private walkMapList(items: unknown[], keys: string[]): void {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const el = mapItemElement(item, keys);
      if (typeof el !== 'string') {
        if (!this.strict) return;
        throw new FieldSetError(
          `${formatPath(this.path)}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(el.missing)} (and doesn't have default value)`,
        );
      }
      if (seen.has(el) && this.strict) {
        throw new FieldSetError(`${formatPath(this.path)}: duplicate entries for key ${formatPathElement(el)}`);
      }
      seen.add(el);
      this.path.push(el);
      this.insert();
      this.walkFields(item as Record<string, unknown>);
      this.path.pop();
    });
  }
}

// Module-private bridges between the class and the helpers below, so the trie stays unexported.
let wrap: (n: Node) => FieldSet;
let unwrap: (s: FieldSet) => Node;

/**
 * An immutable set of field paths. Build one with {@link FieldSet.fromObject},
 * {@link FieldSet.fromFieldsV1}, {@link FieldSet.fromPaths} or a {@link FieldSetBuilder}.
 */
export class FieldSet {
  static {
    wrap = (n) => new FieldSet(n);
    unwrap = (s) => s.root;
  }

  private constructor(private readonly root: Node) {}

  /** The empty set. */
  static empty(): FieldSet {
    return new FieldSet(newNode());
  }

  /** The set holding exactly `paths`. */
  static fromPaths(paths: Iterable<FieldPath>): FieldSet {
    const b = new FieldSetBuilder();
    for (const p of paths) b.insert(p);
    return b.build();
  }

  /**
   * The fields `obj` sets, as Kubernetes computes an apply configuration's field set: every
   * scalar, atomic list and atomic map is a leaf; granular maps contribute their fields (an empty
   * one contributes nothing); a set-list contributes `v:` items; a map-list contributes each item
   * as a member (`.`) plus the item's own fields. apiVersion, kind and server-managed metadata are
   * left out unless `keepExcluded` is set.
   */
  static fromObject(obj: Readonly<Record<string, unknown>>, meta: PatchMeta, options: FromObjectOptions = {}): FieldSet {
    const root = newNode();
    new ObjectWalker(withObjectMetaLists(meta), options.strict === true, root).walkFields(obj as Record<string, unknown>);
    const set = new FieldSet(root);
    return options.keepExcluded === true ? set : stripExcluded(set, options);
  }

  /** Decodes a `fieldsV1` document. Throws {@link FieldSetError} when it is malformed. */
  static fromFieldsV1(fields: unknown): FieldSet {
    const root = decodeNode(fields, '');
    root.m = false;
    return new FieldSet(root);
  }

  /**
   * Decodes a `fieldsV1` document that {@link FieldSet.toFieldsV1} produced, skipping validation
   * and canonicalization. Only for documents this module stored itself.
   */
  static fromTrustedFieldsV1(fields: JsonObject): FieldSet {
    const root = decodeTrustedNode(fields);
    root.m = false;
    return new FieldSet(root);
  }

  /** The `fieldsV1` document for this set, keys in Kubernetes' order. */
  toFieldsV1(): JsonObject {
    return encodeNode(this.root);
  }

  /** True when no path is in the set. */
  isEmpty(): boolean {
    return isEmptyNode(this.root);
  }

  /** How many paths the set holds. */
  get size(): number {
    return countNode(this.root) - (this.root.m ? 1 : 0);
  }

  /** True when `path` itself is in the set. */
  has(path: FieldPath): boolean {
    let n: Node | undefined = this.root;
    for (const el of path) {
      n = n.c?.get(el);
      if (n === undefined) return false;
    }
    return path.length > 0 && n.m;
  }

  /** Paths in either set. */
  union(other: FieldSet): FieldSet {
    return new FieldSet(unionNodes(this.root, other.root));
  }

  /** Paths in this set and not in `other` (exact paths: `other` holding a parent removes nothing below it). */
  difference(other: FieldSet): FieldSet {
    return new FieldSet(differenceNodes(this.root, other.root));
  }

  /** Paths in this set that neither are in `other` nor lie below a path of `other`. */
  recursiveDifference(other: FieldSet): FieldSet {
    return new FieldSet(recursiveDifferenceNodes(this.root, other.root));
  }

  /** Paths in both sets. */
  intersection(other: FieldSet): FieldSet {
    return new FieldSet(intersectionNodes(this.root, other.root));
  }

  /** True when the sets share a path (cheaper than `intersection(...).isEmpty()`). */
  intersects(other: FieldSet): boolean {
    return intersectsNodes(this.root, other.root);
  }

  /**
   * The set plus every field that has members below it, the way structured-merge-diff's
   * EnsureNamedFieldsAreMembers treats struct fields: owning `.spec.a.b` implies caring that
   * `.spec.a` exists. Pruning uses it to drop parents left behind empty.
   */
  withParentFieldsAsMembers(): FieldSet {
    return new FieldSet(namedFieldsAsMembers(this.root));
  }

  /** Calls `fn` with every path, in Kubernetes' iteration order. The array is reused between calls. */
  forEach(fn: (path: readonly PathElement[]) => void): void {
    iterateNode(this.root, [], fn);
  }

  /** Every path, in Kubernetes' iteration order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    this.forEach((p) => out.push([...p]));
    return out;
  }

  /** Every path as Kubernetes prints it in conflict messages, e.g. `.spec.replicas`. */
  toStrings(): string[] {
    const out: string[] = [];
    this.forEach((p) => out.push(formatPath(p)));
    return out;
  }

  /**
   * The set's first-level elements: whether each is itself a member, and the paths below it
   * (relative to it).
   */
  entries(): { element: PathElement; member: boolean; children: FieldSet }[] {
    const out: { element: PathElement; member: boolean; children: FieldSet }[] = [];
    for (const [element, child] of this.root.c ?? []) {
      out.push({ element, member: child.m, children: new FieldSet({ m: false, c: child.c }) });
    }
    return out;
  }

  /**
   * True when this set shares a path with the encoded `fieldsV1` document, without decoding it.
   * Only sound for documents in canonical spelling (as this module writes them).
   */
  intersectsFieldsV1(fields: JsonObject): boolean {
    return intersectsRaw(this.root, fields);
  }
}

function isRawMember(raw: JsonValue): boolean {
  return isPlainObject(raw) && (Object.keys(raw).length === 0 || '.' in raw);
}

function intersectsRaw(n: Node, raw: JsonObject): boolean {
  if (n.c === undefined) return false;
  for (const [k, child] of n.c) {
    const r = raw[k];
    if (!isPlainObject(r)) continue;
    if (child.m && isRawMember(r)) return true;
    if (child.c !== undefined && intersectsRaw(child, r)) return true;
  }
  return false;
}

/** Collects paths one at a time; cheaper than repeated unions when walking an object. */
export class FieldSetBuilder {
  private readonly root: Node = newNode();
  private built = false;

  /** Adds `path` (a no-op for the empty path). */
  insert(path: FieldPath): this {
    if (this.built) throw new Error('FieldSetBuilder used after build()');
    if (path.length === 0) return this;
    let n = this.root;
    for (const el of path) {
      n.c ??= new Map();
      let child = n.c.get(el);
      if (child === undefined) {
        child = newNode();
        n.c.set(el, child);
      }
      n = child;
    }
    n.m = true;
    return this;
  }

  /** The finished set; the builder cannot be used afterwards. */
  build(): FieldSet {
    this.built = true;
    return wrap(this.root);
  }
}

/**
 * Removes the server-managed fields and ignored top-level fields from a set, as Kubernetes strips
 * them from every manager's set before storing it.
 */
export function stripExcluded(set: FieldSet, scope: ObjectScope): FieldSet {
  const root = unwrap(set);
  if (root.c === undefined) return set;
  const c = new Map<string, Node>();
  for (const [k, child] of root.c) {
    if (k[0] === 'f' && isExcludedTopLevel(k.slice(2), scope)) continue;
    if (k === 'f:metadata') {
      const kept = new Map<string, Node>();
      for (const [mk, mchild] of child.c ?? []) if (!(mk[0] === 'f' && isExcludedMetadata(mk.slice(2)))) kept.set(mk, mchild);
      if (kept.size > 0) c.set(k, { m: false, c: kept });
      continue;
    }
    c.set(k, child);
  }
  return wrap({ m: false, c });
}
