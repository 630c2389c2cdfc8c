/**
 * Pod templates between a Deployment and its ReplicaSets: which ReplicaSet runs the Deployment's
 * current template (equal but for the pod-template-hash label), and the ReplicaSet a new template
 * gets — named `<deployment>-<hash>`, with the hash as label on the template and in the selector,
 * so that the pods of different revisions never select each other.
 */
import { clone, semanticEqual } from '../../builtin/util.js';
import type { KubeObject } from '../../objects.js';
import { newControllerRef } from '../workload-kit.js';
import { byCreation, deploymentSpec, minReadySeconds, POD_TEMPLATE_HASH_LABEL, replicaSetSpec, type PodTemplate, type ReplicaSetSpec } from './types.js';

function withoutHashLabel(t: PodTemplate | undefined): PodTemplate {
  const copy = clone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** deploymentutil.EqualIgnoreHash: semantic equality (nil and empty alike) ignoring the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return semanticEqual(withoutHashLabel(a), withoutHashLabel(b));
}

/**
 * deploymentutil.FindNewReplicaSet: the ReplicaSet whose template is the Deployment's. Should
 * several qualify (possible after a collision or a restore), the oldest wins, deterministically.
 */
export function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  const template = deploymentSpec(d).template;
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash(replicaSetSpec(rs).template, template));
}

/** The ReplicaSet for the Deployment's current template, at 0 replicas (the caller sizes it). */
export function newReplicaSetFor(d: KubeObject, hash: string): KubeObject {
  const spec = deploymentSpec(d);
  const template = clone(spec.template ?? {});
  const labels = { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  template.metadata = { ...(template.metadata ?? {}), labels };
  const selector = clone(spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rsSpec: ReplicaSetSpec = { replicas: 0, selector, template };
  if (minReadySeconds(d) > 0) rsSpec.minReadySeconds = minReadySeconds(d);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...labels },
      ownerReferences: [newControllerRef(d)],
    },
    spec: rsSpec,
  };
}
