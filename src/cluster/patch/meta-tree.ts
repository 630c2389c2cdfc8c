/**
 * Patch metadata written down as a tree of field names, and the `PatchMeta` that answers from it.
 * Internal to `cluster/patch`: the built-in table and the CRD schema reader both use it.
 */
import type { ListMeta, PatchMeta } from '../objects.js';

/**
 * What is known about one field. A list's items share the list's node (paths carry no element for
 * list items), so a list of structs keeps its items' fields in `fields` as well.
 */
export interface MetaNode {
  list?: ListMeta;
  atomicMap?: boolean;
  retainKeys?: boolean;
  fields?: Readonly<Record<string, MetaNode>>;
}

/** A merge list keyed by `keys` (SMP's patchMergeKey is `keys[0]`). */
export function mapList(keys: string[], fields?: Record<string, MetaNode>, retainKeys = false): MetaNode {
  const list: ListMeta = { listType: 'map', keys, patchStrategy: 'merge' };
  if (retainKeys) list.retainKeys = true;
  return { list, fields, ...(retainKeys ? { retainKeys } : {}) };
}

/** A list of scalars merged as a set. */
export function setList(): MetaNode {
  return { list: { listType: 'set', patchStrategy: 'merge' } };
}

/** `metadata` of every object: the two lists ObjectMeta tags for merging. */
export const objectMetaNode: MetaNode = {
  fields: {
    ownerReferences: mapList(['uid']),
    finalizers: setList(),
  },
};

/** Follows `path` from `root`; undefined as soon as a name is not described. */
export function walkTree(root: MetaNode, path: readonly string[]): MetaNode | undefined {
  let node: MetaNode | undefined = root;
  for (const name of path) {
    const fields: Readonly<Record<string, MetaNode>> | undefined = node.fields;
    // Path names come from request bodies; `constructor` and friends must not resolve.
    if (!fields || !Object.hasOwn(fields, name)) return undefined;
    node = fields[name];
  }
  return node;
}

/** A `PatchMeta` that answers from a tree. */
export function patchMetaFromTree(root: MetaNode): PatchMeta {
  return {
    list: (path) => walkTree(root, path)?.list,
    atomicMap: (path) => walkTree(root, path)?.atomicMap === true,
    retainKeys: (path) => walkTree(root, path)?.retainKeys === true,
  };
}
