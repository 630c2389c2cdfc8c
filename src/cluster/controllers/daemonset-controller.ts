/**
 * The DaemonSet controller (apps/v1) for a one-node cluster, as kube-controller-manager's: one pod
 * on the node when the node should run it (nodeSelector, node affinity, taints), created bound to
 * the node; failed daemon pods replaced with back-off; RollingUpdate (maxUnavailable: replace in
 * place; maxSurge: start the new pod, then retire the old once it is available) or OnDelete;
 * ControllerRevisions; and the status `kubectl rollout status ds` reads.
 */
import { isMap, type JsonMap } from '../builtin/util.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { OwnerIndex } from './owner-index.js';
import { systemScope } from './system-scope.js';
import { WorkloadController } from './workload-controller.js';
import { isPodAvailable, isPodReady, msUntilNextAvailable, namespacedKey, podPhase } from './workload-kit.js';
import { WakeUps } from './stateful/wake-ups.js';
import { RevisionHistory, revisionNumber, revisionsToPrune, type Revision } from './stateful/revisions.js';
import {
  byAge,
  daemonStatus,
  dsSpec,
  HASH_LABEL,
  newDaemonPod,
  nodeShouldRun,
  rollingBudget,
  TEMPLATE_GENERATION_ANNOTATION,
  updatedPodsOnNode,
  type DaemonSet,
  type DaemonSetStatus,
} from './stateful/daemonset-model.js';

const DAEMONSETS = 'apps/daemonsets';
const REVISIONS = 'apps/controllerrevisions';
const MANAGER = 'daemon-set-controller';
/** Kubernetes' failedPodsBackoff: 1s doubling to 15 minutes. */
const FAILED_POD_BACKOFF = { baseMs: 1_000, maxMs: 15 * 60_000 };

export interface DaemonSetControllerOptions {
  /** The node daemon pods run on (the cluster's one node). */
  nodeName?: string;
}

export class DaemonSetController extends WorkloadController<DaemonSetControllerOptions> {
  private readonly pods = new OwnerIndex({ group: 'apps', kind: 'DaemonSet' });
  private readonly revisions = new OwnerIndex({ group: 'apps', kind: 'DaemonSet' });
  private readonly history = new RevisionHistory(this.registry, this.service, MANAGER, HASH_LABEL);
  private readonly nodeName = this.options.nodeName ?? 'argosy';
  /** DaemonSet uid → failed pods replaced in a row, and when the last was. */
  private readonly failures = new Map<string, { count: number; lastMs: number }>();
  /** Back-offs and minReadySeconds: look again later. */
  private readonly wakeUps = new WakeUps((key) => this.enqueue(key));

  start(): void {
    this.followOwnersAndDependents(DAEMONSETS, [
      { resource: 'pods', index: this.pods },
      { resource: REVISIONS, index: this.revisions },
    ]);
    // The node's labels and taints decide where daemons run.
    this.follow('nodes', (e) => {
      if (e.key === this.nodeName) this.enqueueAllOwners();
    });
    this.enqueueAllOwners();
  }

  override stop(): void {
    this.wakeUps.stop();
    super.stop();
  }

  protected override forgetOwner(uid: string): void {
    this.failures.delete(uid);
  }

  private podScope(namespace: string | undefined) {
    return systemScope(this.registry.lookup('', 'v1', 'pods')!, namespace, MANAGER);
  }

  // ------------------------------------------------------------------ sync

  protected async sync(key: string): Promise<void> {
    const stored = this.store.get(DAEMONSETS, key);
    if (!stored) return;
    const ds = stored.obj as DaemonSet;
    if (ds.metadata.deletionTimestamp) return;
    await this.wakeUps.retryIfStale(key, () => this.syncDaemonSet(ds, key));
  }

  private async syncDaemonSet(ds: DaemonSet, key: string): Promise<void> {
    const spec = dsSpec(ds);
    const { revision, collisionCount } = await this.history.ensureUpdateRevision(ds, this.ownedRevisions(ds), spec.template, ds.status?.collisionCount ?? 0);
    const hash = revision.metadata.labels?.[HASH_LABEL] ?? '';
    const node = this.store.get('nodes', this.nodeName)?.obj;
    const shouldRun = nodeShouldRun(ds, node, this.nodeName);
    const owned = [...this.pods.owned(ds.metadata.uid).values()];

    // Pods bound elsewhere (a node that is not ours, or none) have no place here.
    const elsewhere = owned.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName !== this.nodeName && !p.metadata.deletionTimestamp);
    const onNode = owned.filter((p) => (p.spec as { nodeName?: string } | undefined)?.nodeName === this.nodeName);
    const toDelete = new Set<KubeObject>(elsewhere);
    let create = false;
    if (shouldRun) create = this.manageRunning(ds, key, onNode, hash, toDelete);
    else for (const pod of onNode) if (!pod.metadata.deletionTimestamp) toDelete.add(pod);

    if (shouldRun && spec.updateStrategy?.type !== 'OnDelete') {
      const rolled = this.rollingUpdate(ds, onNode.filter((p) => !toDelete.has(p)), hash);
      for (const pod of rolled.remove) toDelete.add(pod);
      create = create || rolled.surge;
    }
    for (const pod of toDelete) await this.deletePod(ds, pod);
    if (create) await this.createPod(ds, hash, templateGeneration(ds, revision));

    await this.writeStatus(ds, shouldRun, hash, collisionCount);
    await this.truncateHistory(ds, revision);
    this.requeueForAvailability(ds, key);
  }

  private ownedRevisions(ds: DaemonSet): Revision[] {
    return [...this.revisions.owned(ds.metadata.uid).values()] as Revision[];
  }

  /**
   * The manage loop on a node that should run the daemon: replaces finished pods, keeps one running
   * pod (two while surging), and says whether a pod must be created.
   */
  private manageRunning(ds: DaemonSet, key: string, onNode: KubeObject[], hash: string, toDelete: Set<KubeObject>): boolean {
    if (onNode.length === 0) return true;
    const running: KubeObject[] = [];
    for (const pod of onNode) {
      if (pod.metadata.deletionTimestamp) continue;
      const phase = podPhase(pod);
      if (phase === 'Failed') {
        const wait = this.failedPodBackoff(ds);
        if (wait > 0) {
          this.wakeUps.at(key, wait);
          continue;
        }
        this.recorder.record(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${this.nodeName}, will try to kill it`);
        toDelete.add(pod);
      } else if (phase === 'Succeeded') {
        this.recorder.record(ds, 'Normal', 'SucceededDaemonPod', `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${this.nodeName}, will try to delete it`);
        toDelete.add(pod);
      } else {
        running.push(pod);
      }
    }
    running.sort(byAge);
    const surge = rollingBudget(ds, 1).maxSurge > 0 && dsSpec(ds).updateStrategy?.type !== 'OnDelete';
    if (!surge) {
      for (const extra of running.slice(1)) toDelete.add(extra);
      return false;
    }
    // Surging: keep the oldest new pod and the oldest old one; the old goes once the new is available.
    let oldestNew: KubeObject | undefined;
    let oldestOld: KubeObject | undefined;
    for (const pod of running) {
      const isNew = pod.metadata.labels?.[HASH_LABEL] === hash;
      if (isNew && !oldestNew) oldestNew = pod;
      else if (!isNew && !oldestOld) oldestOld = pod;
      else toDelete.add(pod);
    }
    if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, dsSpec(ds).minReadySeconds ?? 0))) toDelete.add(oldestOld);
    return false;
  }

  /** rollingUpdate for the one node: pods to retire now, and whether to surge a new pod beside the old one. */
  private rollingUpdate(ds: DaemonSet, onNode: KubeObject[], hash: string): { remove: KubeObject[]; surge: boolean } {
    // Without surge maxUnavailable is at least 1, and one node is all there is: the old pod may always go.
    const { maxSurge } = rollingBudget(ds, 1);
    const minReady = dsSpec(ds).minReadySeconds ?? 0;
    const { newPod, oldPod, ok } = updatedPodsOnNode(onNode, hash);
    if (!ok || !oldPod) return { remove: [], surge: false };
    if (maxSurge === 0) {
      // The manage loop brings the new pod once the old one is gone.
      return newPod ? { remove: [], surge: false } : { remove: [oldPod], surge: false };
    }
    if (!newPod) return { remove: [], surge: true };
    return isPodAvailable(newPod, minReady) ? { remove: [oldPod], surge: false } : { remove: [], surge: false };
  }

  private failedPodBackoff(ds: DaemonSet): number {
    const rec = this.failures.get(ds.metadata.uid!);
    const now = Date.now();
    if (rec) {
      const delay = Math.min(FAILED_POD_BACKOFF.maxMs, FAILED_POD_BACKOFF.baseMs * 2 ** (rec.count - 1));
      if (now < rec.lastMs + delay) return rec.lastMs + delay - now;
    }
    this.failures.set(ds.metadata.uid!, { count: (rec?.count ?? 0) + 1, lastMs: now });
    return 0;
  }

  private async createPod(ds: DaemonSet, hash: string, generation: string): Promise<void> {
    const template = (isMap(dsSpec(ds).template) ? dsSpec(ds).template : {}) as JsonMap;
    try {
      const { object } = await this.service.create(this.podScope(ds.metadata.namespace), newDaemonPod(ds, template, hash, generation, this.nodeName));
      this.recorder.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${object.metadata.name}`);
    } catch (err) {
      this.recorder.record(ds, 'Warning', 'FailedCreate', `Error creating: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  private async deletePod(ds: DaemonSet, pod: KubeObject): Promise<void> {
    try {
      await this.service.delete(this.podScope(pod.metadata.namespace), pod.metadata.name!, { preconditions: { uid: pod.metadata.uid! } });
      this.recorder.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async writeStatus(ds: DaemonSet, shouldRun: boolean, hash: string, collisionCount: number): Promise<void> {
    const fresh = this.store.get(DAEMONSETS, namespacedKey(ds))?.obj as DaemonSet | undefined;
    if (!fresh || fresh.metadata.uid !== ds.metadata.uid) return;
    // Terminal pods on their way out no longer count as scheduled.
    const onNode = [...this.pods.owned(ds.metadata.uid).values()].filter((p) => {
      const phase = podPhase(p);
      const gone = !!p.metadata.deletionTimestamp && (phase === 'Succeeded' || phase === 'Failed');
      return (p.spec as { nodeName?: string } | undefined)?.nodeName === this.nodeName && !gone;
    });
    if (onNode.some(isPodReady)) this.failures.delete(ds.metadata.uid!);
    const status: DaemonSetStatus = {
      ...(isMap(fresh.status) ? fresh.status : {}),
      ...daemonStatus(ds, shouldRun, onNode, hash),
      observedGeneration: ds.metadata.generation,
      collisionCount,
    };
    for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'] as const) if (!status[k]) delete status[k];
    const type = this.registry.lookup('apps', 'v1', 'daemonsets')!;
    await this.service.update(systemScope(type, ds.metadata.namespace, MANAGER), ds.metadata.name!, { ...fresh, metadata: { ...fresh.metadata }, status }, 'status');
  }

  /** Keeps revisionHistoryLimit revisions beyond the current one and those pods still run. */
  private async truncateHistory(ds: DaemonSet, current: Revision): Promise<void> {
    const revisions = this.ownedRevisions(ds);
    const live = new Set([current.metadata.name!]);
    const hashes = new Set([...this.pods.owned(ds.metadata.uid).values()].map((p) => p.metadata.labels?.[HASH_LABEL]));
    for (const r of revisions) if (hashes.has(r.metadata.labels?.[HASH_LABEL])) live.add(r.metadata.name!);
    for (const rev of revisionsToPrune(revisions, live, dsSpec(ds).revisionHistoryLimit ?? 10)) await this.history.delete(rev);
  }

  /** With minReadySeconds, a ready pod becomes available later, with no event to say so: look again then. */
  private requeueForAvailability(ds: DaemonSet, key: string): void {
    const due = msUntilNextAvailable(this.pods.owned(ds.metadata.uid).values(), dsSpec(ds).minReadySeconds ?? 0);
    if (due !== undefined) this.wakeUps.at(key, due + 50);
  }
}

/** The `pod-template-generation` label: the DaemonSet's template generation annotation, else the revision number. */
function templateGeneration(ds: DaemonSet, revision: Revision): string {
  return ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? String(revisionNumber(revision));
}
