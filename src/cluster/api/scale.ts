/**
 * The `scale` subresource: an autoscaling/v1 Scale view over any object whose replicas live at
 * known paths (the built-in workloads, and CRDs declaring `subresources.scale`).
 */
import { badRequest } from '../errors.js';
import type { KubeObject, ResourceType, ScaleSubresource } from '../objects.js';
import { labelSelectorToString } from '../query/label-selector.js';

const BUILTIN_SCALE: ScaleSubresource = {
  specReplicasPath: '.spec.replicas',
  statusReplicasPath: '.status.replicas',
  labelSelectorPath: '.spec.selector',
};

function scalePaths(type: ResourceType): ScaleSubresource {
  if (!type.subresources.scale) throw badRequest(`${type.plural} has no scale subresource`);
  return type.custom ? type.subresources.scale : BUILTIN_SCALE;
}

function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\./, '').split('.')) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!cur[part] || typeof cur[part] !== 'object') cur[part] = {};
    cur = cur[part] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]] = value;
}

export function readScale(type: ResourceType, obj: KubeObject): KubeObject {
  const paths = scalePaths(type);
  const selector = paths.labelSelectorPath ? getPath(obj, paths.labelSelectorPath) : undefined;
  const status: Record<string, unknown> = { replicas: Number(getPath(obj, paths.statusReplicasPath) ?? 0) };
  if (typeof selector === 'string') status.selector = selector;
  else if (selector && typeof selector === 'object') status.selector = labelSelectorToString(selector as never);
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: Number(getPath(obj, paths.specReplicasPath) ?? 0) },
    status,
  };
}

/** Writes a Scale's desired replicas into the object (which the caller then stores as an update). */
export function writeScale(type: ResourceType, obj: KubeObject, scale: KubeObject): KubeObject {
  const paths = scalePaths(type);
  const replicas = (scale?.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw badRequest(`Scale.autoscaling "${obj.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`);
  }
  setPath(obj, paths.specReplicasPath, replicas);
  return obj;
}
