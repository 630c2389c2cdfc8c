/**
 * Hand-built merge metadata for this directory's tests (the real tables live in ../patch).
 */
import type { ListMeta, PatchMeta } from '../objects.js';

/** A PatchMeta from dotted paths: map-lists with their keys, set-lists, and atomic maps. */
export function testMeta(spec: { maps?: Record<string, string[]>; sets?: string[]; atomicMaps?: string[] }): PatchMeta {
  const lists = new Map<string, ListMeta>();
  for (const [path, keys] of Object.entries(spec.maps ?? {})) lists.set(path, { listType: 'map', keys, patchStrategy: 'merge' });
  for (const path of spec.sets ?? []) lists.set(path, { listType: 'set', patchStrategy: 'merge' });
  const atomic = new Set(spec.atomicMaps ?? []);
  return {
    list: (path) => lists.get(path.join('.')),
    atomicMap: (path) => atomic.has(path.join('.')),
  };
}

/** Roughly what the built-in tables say about a Deployment. */
export const deploymentMeta: PatchMeta = testMeta({
  maps: {
    'spec.template.spec.containers': ['name'],
    'spec.template.spec.containers.ports': ['containerPort', 'protocol'],
    'spec.template.spec.containers.env': ['name'],
    'spec.template.spec.volumes': ['name'],
    'status.conditions': ['type'],
  },
  atomicMaps: ['spec.selector'],
});

/** A ConfigMap has no lists worth describing. */
export const configMapMeta: PatchMeta = testMeta({});
