/**
 * Persistent volumes for a one-node cluster, like k3s's local-path provisioner plus the parts of
 * kube-controller-manager's PV binder and pvc-protection controller it needs:
 * - a default StorageClass `standard` (provisioner `argosy.io/local-path`) when there is none;
 * - a Pending claim of that class (or of no class, taking the default) gets a PV — a directory
 *   `volumesDir/<pv-name>` mounted by hostPath — and the two are bound both ways;
 * - a claim may also bind an Available PV that fits (static provisioning) or the one it names;
 * - a PV whose claim is gone is Released, and with reclaim policy Delete it is deleted together with
 *   its directory (only ever a directory this provisioner made, under `volumesDir`);
 * - claims carry the `kubernetes.io/pvc-protection` finalizer, released once no running pod uses them.
 * A claim asking for a class that does not exist stays Pending with a ProvisioningFailed event.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { isMap } from '../builtin/util.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';
import type { EventRecorder } from './event-recorder.js';
import { systemScope } from './system-scope.js';
import { StoreController } from './store-controller.js';
import { podPhase } from './workload-kit.js';

export const LOCAL_PATH_PROVISIONER = 'argosy.io/local-path';
export const DEFAULT_STORAGE_CLASS = 'standard';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
const CLASSES = 'storage.k8s.io/storageclasses';
const CLAIMS = 'persistentvolumeclaims';
const VOLUMES = 'persistentvolumes';
const MANAGER = 'persistentvolume-binder-controller';

export interface VolumeProvisionerOptions {
  /** Where provisioned volumes' directories live. */
  volumesDir: string;
}

interface ClaimSpec {
  storageClassName?: string | null;
  volumeName?: string;
  accessModes?: string[];
  volumeMode?: string;
  selector?: unknown;
  resources?: { requests?: { storage?: string } };
}

interface VolumeSpec {
  storageClassName?: string;
  accessModes?: string[];
  capacity?: { storage?: string };
  claimRef?: { namespace?: string; name?: string; uid?: string };
  persistentVolumeReclaimPolicy?: string;
  hostPath?: { path?: string };
  volumeMode?: string;
}

export class VolumeProvisioner extends StoreController {
  private readonly volumesDir: string;

  constructor(
    store: ObjectStore,
    registry: ResourceRegistry,
    service: ResourceService,
    onError: (key: string, err: unknown) => void,
    private readonly recorder: EventRecorder,
    options: VolumeProvisionerOptions,
  ) {
    super(store, registry, service, onError);
    this.volumesDir = path.resolve(options.volumesDir);
  }

  start(): void {
    this.queue.add('default-storage-class', () => this.ensureDefaultClass());
    this.follow(CLAIMS, (e) => this.onClaim(e));
    this.follow(VOLUMES, (e) => this.onVolume(e));
    this.follow(CLASSES, (e) => {
      // A class that appears (or becomes the default) may be what waiting claims asked for.
      if (e.type !== 'DELETED') for (const { obj } of this.store.list(CLAIMS)) if (!isBound(obj)) this.enqueueClaim(keyOf(obj));
    });
    this.follow('pods', (e) => this.onPod(e));
    for (const { obj } of this.store.list(CLAIMS)) this.enqueueClaim(keyOf(obj));
    for (const { obj } of this.store.list(VOLUMES)) this.enqueueVolume(obj.metadata.name!);
  }

  private onClaim(e: StoreEvent): void {
    if (e.type === 'DELETED') {
      // Its volume is released now.
      const spec = e.object.obj.spec as ClaimSpec | undefined;
      if (spec?.volumeName) this.enqueueVolume(spec.volumeName);
      this.enqueueVolume(`pvc-${e.object.obj.metadata.uid}`);
      return;
    }
    this.enqueueClaim(e.key);
  }

  private onVolume(e: StoreEvent): void {
    if (e.type === 'DELETED') return;
    this.enqueueVolume(e.key);
    const ref = (e.object.obj.spec as VolumeSpec | undefined)?.claimRef;
    if (ref?.namespace && ref.name) this.enqueueClaim(`${ref.namespace}/${ref.name}`);
  }

  /** A pod that stops using a claim being deleted lets the claim go. */
  private onPod(e: StoreEvent): void {
    const namespace = e.object.obj.metadata.namespace;
    for (const name of claimsUsedBy(e.object.obj)) {
      const key = `${namespace}/${name}`;
      if (this.store.get(CLAIMS, key)?.obj.metadata.deletionTimestamp) this.enqueueClaim(key);
    }
  }

  private enqueueClaim(key: string): void {
    this.queue.add(`claim|${key}`, () => this.syncClaim(key));
  }

  private enqueueVolume(name: string): void {
    this.queue.add(`volume|${name}`, () => this.syncVolume(name));
  }

  private scope(resource: 'persistentvolumeclaims' | 'persistentvolumes' | 'storageclasses', namespace?: string) {
    const type = resource === 'storageclasses' ? this.registry.lookup('storage.k8s.io', 'v1', resource)! : this.registry.lookup('', 'v1', resource)!;
    return systemScope(type, namespace, MANAGER);
  }

  private async ensureDefaultClass(): Promise<void> {
    if (this.store.list(CLASSES).length > 0) return;
    try {
      await this.service.create(this.scope('storageclasses'), {
        apiVersion: 'storage.k8s.io/v1',
        kind: 'StorageClass',
        metadata: { name: DEFAULT_STORAGE_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
        provisioner: LOCAL_PATH_PROVISIONER,
        reclaimPolicy: 'Delete',
        volumeBindingMode: 'Immediate',
      });
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }

  // ------------------------------------------------------------------ claims

  private async syncClaim(key: string): Promise<void> {
    const claim = this.store.get(CLAIMS, key)?.obj;
    if (!claim) return;
    if (claim.metadata.deletionTimestamp) {
      await this.releaseProtection(claim);
      return;
    }
    if (!(claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER)) {
      await this.patchClaim(claim, { metadata: { finalizers: [...(claim.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER], resourceVersion: claim.metadata.resourceVersion } });
      return; // the update's watch event brings the claim back here
    }
    if (isBound(claim)) return;
    const spec = (claim.spec ?? {}) as ClaimSpec;
    if (spec.volumeName) {
      const named = this.store.get(VOLUMES, spec.volumeName)?.obj;
      if (named) await this.bind(claim, named, false);
      return;
    }
    const className = this.classOf(claim);
    const match = this.findAvailableVolume(claim, className ?? '');
    if (match) {
      await this.bind(claim, match, false);
      return;
    }
    if (className === undefined || className === '') {
      this.recorder.record(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    await this.provision(claim, className);
  }

  /** The class a claim asks for: its own, the beta annotation, or the default class. Undefined: no class and no default. */
  private classOf(claim: KubeObject): string | undefined {
    const spec = (claim.spec ?? {}) as ClaimSpec;
    if (typeof spec.storageClassName === 'string') return spec.storageClassName;
    const beta = claim.metadata.annotations?.[BETA_CLASS_ANNOTATION];
    if (beta !== undefined) return beta;
    const defaults = this.store
      .list(CLASSES)
      .map((s) => s.obj)
      .filter((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
      .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    return defaults[0]?.metadata.name;
  }

  /** The smallest Available, unclaimed PV of the class that has the claim's access modes and size. */
  private findAvailableVolume(claim: KubeObject, className: string): KubeObject | undefined {
    const spec = (claim.spec ?? {}) as ClaimSpec;
    if (spec.selector) return undefined;
    const wanted = parseQuantity(spec.resources?.requests?.storage);
    let best: { pv: KubeObject; size: number } | undefined;
    for (const { obj: pv } of this.store.list(VOLUMES)) {
      const pvSpec = (pv.spec ?? {}) as VolumeSpec;
      if (pvSpec.claimRef || pv.metadata.deletionTimestamp || (pvSpec.storageClassName ?? '') !== className) continue;
      if ((pvSpec.volumeMode ?? 'Filesystem') !== (spec.volumeMode ?? 'Filesystem')) continue;
      if (!(spec.accessModes ?? []).every((m) => (pvSpec.accessModes ?? []).includes(m))) continue;
      const size = parseQuantity(pvSpec.capacity?.storage);
      if (size < wanted) continue;
      if (!best || size < best.size) best = { pv, size };
    }
    return best?.pv;
  }

  private async provision(claim: KubeObject, className: string): Promise<void> {
    const storageClass = this.store.get(CLASSES, className)?.obj;
    if (!storageClass) {
      this.recorder.record(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const provisioner = typeof storageClass.provisioner === 'string' ? storageClass.provisioner : '';
    if (provisioner !== LOCAL_PATH_PROVISIONER) {
      this.recorder.record(
        claim,
        'Normal',
        'ExternalProvisioning',
        `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
      );
      return;
    }
    const spec = (claim.spec ?? {}) as ClaimSpec;
    const refusal = spec.selector
      ? 'claim.Spec.Selector is not supported'
      : (spec.volumeMode ?? 'Filesystem') !== 'Filesystem'
        ? `volumeMode ${spec.volumeMode} is not supported by ${LOCAL_PATH_PROVISIONER}: only Filesystem`
        : undefined;
    if (refusal) {
      this.recorder.record(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${refusal}`);
      return;
    }
    const pvName = `pvc-${claim.metadata.uid}`;
    let pv = this.store.get(VOLUMES, pvName)?.obj;
    if (!pv) {
      this.recorder.record(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claim.metadata.namespace}/${claim.metadata.name}"`);
      const dir = path.join(this.volumesDir, pvName);
      await fs.promises.mkdir(dir, { recursive: true });
      // Containers may run as any user: the volume is theirs to write, as local-path makes it.
      await fs.promises.chmod(dir, 0o777);
      const created = await this.service.create(this.scope(VOLUMES), {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: pvName, annotations: { [PROVISIONED_BY]: LOCAL_PATH_PROVISIONER } },
        spec: {
          capacity: { storage: spec.resources?.requests?.storage ?? '0' },
          accessModes: spec.accessModes ?? ['ReadWriteOnce'],
          hostPath: { path: dir, type: 'DirectoryOrCreate' },
          persistentVolumeReclaimPolicy: typeof storageClass.reclaimPolicy === 'string' ? storageClass.reclaimPolicy : 'Delete',
          storageClassName: className,
          volumeMode: 'Filesystem',
          ...(Array.isArray(storageClass.mountOptions) ? { mountOptions: storageClass.mountOptions } : {}),
          claimRef: claimRef(claim),
        },
      });
      pv = created.object;
      this.recorder.record(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    }
    await this.bind(claim, pv, true);
  }

  /** Binds a claim and a volume both ways: the PV's claimRef and phase, the claim's volumeName, annotations, phase, capacity. */
  private async bind(claim: KubeObject, pv: KubeObject, provisioned: boolean): Promise<void> {
    const pvSpec = (pv.spec ?? {}) as VolumeSpec;
    const ref = pvSpec.claimRef;
    if (ref?.uid && ref.uid !== claim.metadata.uid) {
      this.recorder.record(claim, 'Warning', 'FailedBinding', `volume "${pv.metadata.name}" already bound to a different claim.`);
      return;
    }
    const volumes = this.scope(VOLUMES);
    let volume = pv;
    if (!ref?.uid) {
      const next = structuredClone(pv);
      (next.spec as VolumeSpec).claimRef = claimRef(claim);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [BOUND_BY_CONTROLLER]: 'yes' };
      volume = (await this.service.update(volumes, pv.metadata.name!, next)).object;
    }
    if ((volume.status as { phase?: string } | undefined)?.phase !== 'Bound') {
      volume = (await this.service.update(volumes, volume.metadata.name!, { ...volume, metadata: { ...volume.metadata }, status: { phase: 'Bound' } }, 'status')).object;
    }
    const claims = this.scope(CLAIMS, claim.metadata.namespace);
    const fresh = this.store.get(CLAIMS, keyOf(claim))?.obj;
    if (!fresh || fresh.metadata.uid !== claim.metadata.uid) return;
    const next = structuredClone(fresh);
    (next.spec as ClaimSpec).volumeName = volume.metadata.name;
    const annotations: Record<string, string> = { ...(next.metadata.annotations ?? {}), [BIND_COMPLETED]: 'yes', [BOUND_BY_CONTROLLER]: 'yes' };
    if (provisioned) {
      annotations[STORAGE_PROVISIONER] = LOCAL_PATH_PROVISIONER;
      annotations[BETA_STORAGE_PROVISIONER] = LOCAL_PATH_PROVISIONER;
    }
    next.metadata.annotations = annotations;
    const updated = (await this.service.update(claims, fresh.metadata.name!, next)).object;
    const volumeSpec = (volume.spec ?? {}) as VolumeSpec;
    await this.service.update(
      claims,
      fresh.metadata.name!,
      { ...updated, metadata: { ...updated.metadata }, status: { phase: 'Bound', accessModes: volumeSpec.accessModes ?? [], capacity: volumeSpec.capacity ?? {} } },
      'status',
    );
  }

  /** pvc-protection: a claim being deleted goes once no pod that has not finished uses it. */
  private async releaseProtection(claim: KubeObject): Promise<void> {
    if (!(claim.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER)) return;
    const inUse = this.store.list('pods', claim.metadata.namespace).some(({ obj }) => {
      const phase = podPhase(obj);
      return phase !== 'Succeeded' && phase !== 'Failed' && claimsUsedBy(obj).includes(claim.metadata.name!);
    });
    if (inUse) return;
    const finalizers = (claim.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER);
    await this.patchClaim(claim, { metadata: { finalizers: finalizers.length > 0 ? finalizers : null, resourceVersion: claim.metadata.resourceVersion } });
  }

  private async patchClaim(claim: KubeObject, patch: unknown): Promise<void> {
    try {
      await this.service.patch(this.scope(CLAIMS, claim.metadata.namespace), claim.metadata.name!, 'merge', patch);
    } catch (err) {
      // Changed meanwhile: its watch event queues the claim again.
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
    }
  }

  // ------------------------------------------------------------------ volumes

  private async syncVolume(name: string): Promise<void> {
    const pv = this.store.get(VOLUMES, name)?.obj;
    if (!pv || pv.metadata.deletionTimestamp) return;
    const spec = (pv.spec ?? {}) as VolumeSpec;
    const phase = (pv.status as { phase?: string } | undefined)?.phase;
    const ref = spec.claimRef;
    if (!ref?.name) {
      if (phase !== 'Available') await this.setVolumePhase(pv, 'Available');
      return;
    }
    const claim = this.store.get(CLAIMS, `${ref.namespace}/${ref.name}`)?.obj;
    if (claim && (!ref.uid || ref.uid === claim.metadata.uid)) return;
    // The claim is gone: the volume is released, and reclaimed as its policy says.
    if (spec.persistentVolumeReclaimPolicy === 'Delete' && pv.metadata.annotations?.[PROVISIONED_BY] === LOCAL_PATH_PROVISIONER) {
      await this.deleteVolume(pv);
      return;
    }
    if (phase !== 'Released') await this.setVolumePhase(pv, 'Released');
  }

  private async deleteVolume(pv: KubeObject): Promise<void> {
    const dir = (pv.spec as VolumeSpec).hostPath?.path;
    if (dir && isInside(this.volumesDir, dir)) await fs.promises.rm(dir, { recursive: true, force: true });
    try {
      await this.service.delete(this.scope(VOLUMES), pv.metadata.name!, { preconditions: { uid: pv.metadata.uid! } });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }

  private async setVolumePhase(pv: KubeObject, phase: string): Promise<void> {
    try {
      await this.service.update(this.scope(VOLUMES), pv.metadata.name!, { ...pv, metadata: { ...pv.metadata }, status: { ...(isMap(pv.status) ? pv.status : {}), phase } }, 'status');
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 409 || err.code === 404))) throw err;
    }
  }
}

function isBound(claim: KubeObject): boolean {
  return (claim.status as { phase?: string } | undefined)?.phase === 'Bound' && !!(claim.spec as ClaimSpec | undefined)?.volumeName;
}

function claimRef(claim: KubeObject): Record<string, string | undefined> {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion,
  };
}

/** The claim names a pod's volumes refer to. */
export function claimsUsedBy(pod: KubeObject): string[] {
  const volumes = (pod.spec as { volumes?: { persistentVolumeClaim?: { claimName?: string } }[] } | undefined)?.volumes;
  if (!Array.isArray(volumes)) return [];
  return volumes.map((v) => v?.persistentVolumeClaim?.claimName).filter((n): n is string => typeof n === 'string');
}

const SUFFIXES: Record<string, number> = {
  '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource.Quantity in bytes (0 when absent or unreadable). */
export function parseQuantity(q: string | undefined): number {
  const m = /^([0-9.]+)(?:e([0-9]+))?([a-zA-Z]*)$/.exec(q ?? '');
  if (!m || !(m[3] in SUFFIXES)) return 0;
  return Number(m[1]) * (m[2] ? 10 ** Number(m[2]) : 1) * SUFFIXES[m[3]];
}

function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, path.resolve(candidate));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function keyOf(obj: KubeObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name!;
}
