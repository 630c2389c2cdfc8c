/**
 * ControllerRefManager.Claim*, shared by the ReplicaSet controller (claiming pods) and the
 * Deployment controller (claiming ReplicaSets): a controller keeps what it controls and still
 * selects, releases what it controls but no longer selects, and adopts orphans it selects — never
 * while it is being deleted, and never something already being deleted. Also who must look again
 * when a dependent changes.
 */
import type { ResourceService } from '../../api/resource-service.js';
import { ApiError } from '../../errors.js';
import type { KubeObject, OwnerReference, ResourceType } from '../../objects.js';
import { selectorMatches, type Selector } from '../../builtin/selectors.js';
import type { StoreEvent } from '../../store/object-store.js';
import { systemScope } from '../system-scope.js';
import { controllerRefOf, newControllerRef } from '../workload-kit.js';

export interface ClaimRequest {
  owner: KubeObject;
  selector: Selector;
  /** Objects the owner controls plus the orphans of its namespace. */
  candidates: Iterable<KubeObject>;
  /** The dependents' type (pods, replicasets). */
  type: ResourceType;
  service: ResourceService;
  fieldManager: string;
  /** Reads the owner as stored now: right before the first adoption it must still exist (same uid) and not be being deleted. */
  current: () => KubeObject | undefined;
}

export interface ClaimResult {
  claimed: KubeObject[];
  /** A write lost a race (409): the caller should look again soon. */
  retry: boolean;
}

function refsOf(obj: KubeObject): OwnerReference[] {
  return Array.isArray(obj.metadata.ownerReferences) ? obj.metadata.ownerReferences : [];
}

function stillAdopting(owner: KubeObject, fresh: KubeObject | undefined): boolean {
  return fresh !== undefined && fresh.metadata.uid === owner.metadata.uid && !fresh.metadata.deletionTimestamp;
}

export async function claim(req: ClaimRequest): Promise<ClaimResult> {
  const { owner, selector } = req;
  const ownerUid = owner.metadata.uid!;
  const ownerDeleting = Boolean(owner.metadata.deletionTimestamp);
  const scope = systemScope(req.type, owner.metadata.namespace, req.fieldManager);
  const claimed: KubeObject[] = [];
  let retry = false;
  let adoptionChecked: boolean | undefined;

  const write = async (obj: KubeObject, ownerReferences: OwnerReference[] | null): Promise<KubeObject | undefined> => {
    try {
      const result = await req.service.patch(scope, obj.metadata.name!, 'merge', { metadata: { ownerReferences, resourceVersion: obj.metadata.resourceVersion } });
      return result.object;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return undefined;
      if (err instanceof ApiError && err.code === 409) {
        retry = true;
        return undefined;
      }
      throw err;
    }
  };

  for (const obj of req.candidates) {
    const ref = controllerRefOf(obj);
    const matches = selectorMatches(selector, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      // Keeping what we own needs no write, so it is allowed even while the owner is being deleted.
      if (matches) claimed.push(obj);
      else if (!ownerDeleting) {
        const rest = refsOf(obj).filter((r) => r.uid !== ownerUid);
        await write(obj, rest.length > 0 ? rest : null);
      }
      continue;
    }
    if (ownerDeleting || !matches || obj.metadata.deletionTimestamp) continue;
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    adoptionChecked ??= stillAdopting(owner, req.current());
    if (!adoptionChecked) continue;
    const adopted = await write(obj, [...refsOf(obj), newControllerRef(owner)]);
    if (adopted) claimed.push(adopted);
  }
  return { claimed, retry };
}

/**
 * Who must look again after a dependent changed (kube-controller-manager's add/update/delete
 * handlers for pods and ReplicaSets): its former and its current controller, by uid; and an orphan
 * that is new, or whose labels or controller changed, goes to every owner selecting it, which may
 * adopt it.
 */
export function affectedOwners(e: StoreEvent): { ownerUids: string[]; orphan?: KubeObject } {
  const obj = e.object.obj;
  const prev = e.prev?.obj;
  const ref = controllerRefOf(obj);
  const prevRef = prev ? controllerRefOf(prev) : undefined;
  const ownerUids = prevRef && prevRef.uid !== ref?.uid ? [prevRef.uid] : [];
  if (ref) return { ownerUids: [...ownerUids, ref.uid] };
  if (e.type === 'DELETED') return { ownerUids };
  const labelsChanged = !prev || JSON.stringify(prev.metadata.labels ?? {}) !== JSON.stringify(obj.metadata.labels ?? {});
  return labelsChanged || prevRef ? { ownerUids, orphan: obj } : { ownerUids };
}
