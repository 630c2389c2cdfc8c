/**
 * Merge metadata of custom resources, read from the CRD's structural schema
 * (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`).
 */
import type { ListMeta, PatchMeta, StructuralSchema } from '../objects.js';
import { objectMetaNode, walkTree, type MetaNode } from './meta-tree.js';

/** Where a path lands: a schema node, or (under an object's `metadata`) the ObjectMeta table. */
type Resolved = { schema: StructuralSchema } | { node: MetaNode } | undefined;

/**
 * The merge metadata a CRD's `openAPIV3Schema` declares. Lists are maps (merged by
 * `x-kubernetes-list-map-keys`), sets or atomic as `x-kubernetes-list-type` says, and atomic when it
 * says nothing; maps are atomic where `x-kubernetes-map-type: atomic`. `metadata` (of the object and
 * of any `x-kubernetes-embedded-resource`) answers as ObjectMeta does whatever the schema holds.
 * A missing schema still knows the metadata lists.
 */
export function schemaPatchMeta(schema: StructuralSchema | undefined): PatchMeta {
  return {
    list(path) {
      const at = resolve(schema, path);
      if (!at) return undefined;
      if ('node' in at) return at.node.list;
      return listMetaOf(at.schema);
    },
    atomicMap(path) {
      const at = resolve(schema, path);
      if (!at) return false;
      if ('node' in at) return at.node.atomicMap === true;
      // A list's path also names its items, so a list of atomic maps answers for its items.
      return itemsOf(at.schema)['x-kubernetes-map-type'] === 'atomic';
    },
    retainKeys(path) {
      const at = resolve(schema, path);
      return at !== undefined && 'node' in at && at.node.retainKeys === true;
    },
  };
}

function listMetaOf(schema: StructuralSchema): ListMeta | undefined {
  switch (schema['x-kubernetes-list-type']) {
    case 'map':
      return { listType: 'map', keys: [...(schema['x-kubernetes-list-map-keys'] ?? [])], patchStrategy: 'merge' };
    case 'set':
      return { listType: 'set', patchStrategy: 'merge' };
    case 'atomic':
      return { listType: 'atomic', patchStrategy: 'replace' };
    default:
      return undefined;
  }
}

function resolve(root: StructuralSchema | undefined, path: readonly string[]): Resolved {
  let schema = root;
  let objectRoot = true;
  for (const [i, name] of path.entries()) {
    if (objectRoot && name === 'metadata') {
      const node = walkTree(objectMetaNode, path.slice(i + 1));
      return node && { node };
    }
    if (!schema) return undefined;
    schema = child(itemsOf(schema), name);
    objectRoot = schema !== undefined && itemsOf(schema)['x-kubernetes-embedded-resource'] === true;
  }
  return schema && { schema };
}

/** Paths carry no element for list items, so a list stands for its (innermost) items. */
function itemsOf(schema: StructuralSchema): StructuralSchema {
  let s = schema;
  while (s.items) s = s.items;
  return s;
}

function child(schema: StructuralSchema, name: string): StructuralSchema | undefined {
  // Names come from request bodies; only own properties may resolve.
  if (schema.properties && Object.hasOwn(schema.properties, name)) return schema.properties[name];
  const extra = schema.additionalProperties;
  return typeof extra === 'object' ? extra : undefined;
}
