/**
 * The pods of each Job, kept from the pod watch and sorted as they change into the few sets a sync
 * needs — active, terminating, and "pending accounting" (terminated or deleted while still holding
 * the tracking finalizer) — so a sync costs what changed, not every pod the Job ever had. Also the
 * pod a Job creates from its template.
 */
import { clone, isMap } from '../../builtin/util.js';
import type { KubeObject, OwnerReference } from '../../objects.js';
import { isPodActive, isPodReady, newControllerRef } from '../workload-kit.js';
import { OwnerIndex, type IndexChange } from '../owner-index.js';
import type { StoreEvent } from '../../store/object-store.js';
import {
  COMPLETION_INDEX_ENV,
  COMPLETION_INDEX_KEY,
  hasTrackingFinalizer,
  isPodTerminating,
  JOB_TRACKING_FINALIZER,
  type Job,
} from './job-model.js';

/** One Job's pods, by pod key. */
export class JobPods {
  readonly all = new Map<string, KubeObject>();
  readonly active = new Map<string, KubeObject>();
  readonly terminating = new Set<string>();
  /** Not active and still holding the tracking finalizer: to be counted and released. */
  readonly pending = new Map<string, KubeObject>();
  /** Every pod still holding the tracking finalizer. */
  readonly tracked = new Map<string, KubeObject>();
  private readonly keyByUid = new Map<string, string>();

  set(key: string, pod: KubeObject | undefined): void {
    const old = this.all.get(key);
    if (old?.metadata.uid) this.keyByUid.delete(old.metadata.uid);
    this.all.delete(key);
    this.active.delete(key);
    this.terminating.delete(key);
    this.pending.delete(key);
    this.tracked.delete(key);
    if (!pod) return;
    this.all.set(key, pod);
    if (pod.metadata.uid) this.keyByUid.set(pod.metadata.uid, key);
    const tracked = hasTrackingFinalizer(pod);
    if (tracked) this.tracked.set(key, pod);
    if (isPodActive(pod)) this.active.set(key, pod);
    else if (tracked) this.pending.set(key, pod);
    if (isPodTerminating(pod)) this.terminating.add(key);
  }

  byUid(uid: string): KubeObject | undefined {
    const key = this.keyByUid.get(uid);
    return key === undefined ? undefined : this.all.get(key);
  }

  readyCount(): number {
    let n = 0;
    for (const pod of this.active.values()) if (isPodReady(pod)) n++;
    return n;
  }

  get size(): number {
    return this.all.size;
  }
}

const NONE = new JobPods();

export class JobPodIndex {
  private readonly owners = new OwnerIndex({ group: 'batch', kind: 'Job' });
  private readonly byJob = new Map<string, JobPods>();

  observe(e: StoreEvent): IndexChange {
    return this.put(e.key, e.type === 'DELETED' ? undefined : e.object.obj);
  }

  put(key: string, pod: KubeObject | undefined): IndexChange {
    const change = this.owners.put(key, pod);
    if (change.before && change.before.uid !== change.after?.uid) {
      const set = this.byJob.get(change.before.uid);
      set?.set(key, undefined);
      if (set && set.size === 0) this.byJob.delete(change.before.uid);
    }
    if (change.after && pod) {
      let set = this.byJob.get(change.after.uid);
      if (!set) this.byJob.set(change.after.uid, (set = new JobPods()));
      set.set(key, pod);
    }
    return change;
  }

  /** The pod's controller reference when its controller is a Job. */
  jobRefOf(pod: KubeObject): OwnerReference | undefined {
    return this.owners.ownerRefOf(pod);
  }

  /** The pods of a Job (a live view; empty when it has none). */
  of(jobUid: string | undefined): JobPods {
    return (jobUid && this.byJob.get(jobUid)) || NONE;
  }
}

/** Kubernetes truncates generated-name prefixes so the random suffix still fits in 63 characters. */
function namePrefix(base: string): string {
  const max = 63 - 5;
  return `${base.length > max - 1 ? base.slice(0, max - 1) : base}-`;
}

/**
 * The pod a Job creates (GetPodFromTemplate plus the job controller's additions): the template's
 * labels, annotations and spec, a controller reference, the tracking finalizer, and for Indexed Jobs
 * the completion index as annotation, label, hostname and `JOB_COMPLETION_INDEX`.
 */
export function newJobPod(job: Job, index: number | undefined): KubeObject {
  const template = clone(job.spec?.template ?? {});
  const tmeta = isMap(template.metadata) ? template.metadata : {};
  const labels: Record<string, string> = isMap(tmeta.labels) ? { ...(tmeta.labels as Record<string, string>) } : {};
  const annotations: Record<string, string> = isMap(tmeta.annotations) ? { ...(tmeta.annotations as Record<string, string>) } : {};
  const finalizers = Array.isArray(tmeta.finalizers) ? (tmeta.finalizers as string[]).filter((f) => f !== JOB_TRACKING_FINALIZER) : [];
  const spec = isMap(template.spec) ? template.spec : {};
  const name = job.metadata.name!;
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_KEY] = String(index);
    labels[COMPLETION_INDEX_KEY] = String(index);
    spec.hostname = `${name}-${index}`;
    addCompletionIndexEnv(spec);
  }
  const metadata: KubeObject['metadata'] = {
    generateName: namePrefix(index === undefined ? name : `${name}-${index}`),
    namespace: job.metadata.namespace,
    labels,
    finalizers: [...finalizers, JOB_TRACKING_FINALIZER],
    ownerReferences: [newControllerRef(job)],
  };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

function addCompletionIndexEnv(spec: Record<string, unknown>): void {
  for (const list of [spec.initContainers, spec.containers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isMap(c)) continue;
      const env = Array.isArray(c.env) ? (c.env as { name?: string }[]) : [];
      if (env.some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
      c.env = [...env, { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_KEY}']` } } }];
    }
  }
}
