/**
 * The verbs of the Kubernetes API over the object store: get, list, create, update, patch, delete
 * and deletecollection, for main resources and their status and scale subresources. The HTTP layer
 * and the API server's own controllers (namespace lifecycle, garbage collection, CRD status) all go
 * through here, so every write gets the same validation, concurrency control and watch events.
 *
 * Each write reads the current object, computes the new one and stores it in one synchronous
 * stretch (no await in between), which makes the resourceVersion check and the write atomic.
 */
import { randomUUID } from 'node:crypto';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { recordUpdate } from '../apply/track-update.js';
import { serverSideApply } from '../apply/server-side-apply.js';
import { builtinZeroValue } from '../apply/zero-value.js';
import { generateJobSelector, prepareForCreate } from '../builtin/defaults.js';
import { clone } from '../builtin/util.js';
import { ApiError, alreadyExists, badRequest, conflict, fieldError, invalid, notFound } from '../errors.js';
import { apiVersionOf, groupResource, type KubeObject, type ResourceType } from '../objects.js';
import { applyMergePatch } from '../patch/json-merge.js';
import { applyStrategicMergePatch } from '../patch/strategic-merge.js';
import { objectKey, type ObjectStore, type StoredObject } from '../store/object-store.js';
import { readScale, writeScale } from './scale.js';
import {
  applyDefaults,
  hasStatusSubresource,
  initialStatus,
  jsonEquivalent,
  patchMetaFor,
  pruneFields,
  pruneStatusFields,
  specChanged,
  tracksGeneration,
  validateObject,
  validateStatusUpdate,
} from './type-strategy.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
}

export type FieldValidation = 'Ignore' | 'Warn' | 'Strict';

/** What one request is about and how it asked to be handled. */
export interface RequestScope {
  type: ResourceType;
  namespace?: string;
  user: UserInfo;
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Collects `Warning:` messages for the response. */
  warn?: (message: string) => void;
  /** Request-specific admission, run on the final object of every write (e.g. RBAC escalation checks). */
  admit?: (obj: KubeObject) => void;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/**
 * Server-side admission that fills in fields before validation, the way kube-apiserver's REST
 * storage allocates a Service's clusterIP and nodePorts. Runs on every create and update (also in
 * dry run: a plugin must not reserve anything it cannot recompute from the store).
 */
export interface AdmissionPlugin {
  admit(type: ResourceType, obj: KubeObject, old: KubeObject | undefined): void;
}

export interface WriteResult {
  object: KubeObject;
  /** The object's JSON text when it is exactly what was stored (saves serializing it again). */
  json?: string;
  /** 201 for a create, 202 for a delete that is still pending, 200 otherwise. */
  code: number;
}

const FINALIZER_ORPHAN = 'orphan';
const FINALIZER_FOREGROUND = 'foregroundDeletion';

let cachedSecond = -1;
let cachedTimestamp = '';

/** RFC 3339 to the second, as Kubernetes stores timestamps (computed once per second: it is on every write). */
export function now(): string {
  const ms = Date.now();
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedTimestamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return cachedTimestamp;
}

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  return s;
}

function qualified(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export class ResourceService {
  readonly admission: AdmissionPlugin[] = [];

  constructor(readonly store: ObjectStore) {}

  /** The object in the version the request named. */
  present(type: ResourceType, stored: StoredObject): { obj: KubeObject; json: string } {
    const apiVersion = apiVersionOf(type);
    if (stored.obj.apiVersion === apiVersion) return { obj: stored.obj, json: stored.json };
    const obj = { ...stored.obj, apiVersion };
    return { obj, json: JSON.stringify(obj) };
  }

  private presented(type: ResourceType, stored: StoredObject): { object: KubeObject; json: string } {
    const { obj, json } = this.present(type, stored);
    return { object: obj, json };
  }

  getStored(type: ResourceType, namespace: string | undefined, name: string): StoredObject {
    const stored = this.store.get(groupResource(type), objectKey(type.namespaced ? namespace : undefined, name));
    if (!stored) throw notFound(qualified(type), name, type.group, type.plural);
    return stored;
  }

  get(scope: RequestScope, name: string, subresource?: string): KubeObject {
    const stored = this.getStored(scope.type, scope.namespace, name);
    if (subresource === 'scale') return readScale(scope.type, stored.obj);
    return this.present(scope.type, stored).obj;
  }

  // ---------------------------------------------------------------- create

  async create(scope: RequestScope, body: unknown, subresource?: string, name?: string): Promise<WriteResult> {
    const { type } = scope;
    if (subresource === 'binding' && name !== undefined && !type.custom && type.group === '' && type.plural === 'pods') return this.bind(scope, name, body);
    if (subresource) throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: create ${type.plural}/${subresource}`);
    const obj = this.decodeObject(type, body, scope.namespace);
    if (!obj.metadata.name) {
      if (!obj.metadata.generateName) throw invalid(type.kind, '', [fieldError.required('metadata.name', 'name or generateName is required')], type.group);
    }
    return this.createObject(scope, obj, (o) => recordUpdate({
      old: undefined,
      updated: o,
      manager: scope.fieldManager ?? 'unknown',
      meta: patchMetaFor(type),
      apiVersion: apiVersionOf(type),
      now: now(),
      ignoreStatus: hasStatusSubresource(type),
      // Built-in Go types start with some structs present; Kubernetes does not record those as added.
      ...(type.custom ? {} : { zeroValue: builtinZeroValue }),
    }));
  }

  private async createObject(scope: RequestScope, obj: KubeObject, track: (o: KubeObject) => KubeObject): Promise<WriteResult> {
    const { type } = scope;
    this.assertNamespaceWritable(type, obj.metadata.namespace);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randomSuffix();
    const meta = obj.metadata;
    meta.uid = randomUUID();
    meta.creationTimestamp = now();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (tracksGeneration(type)) meta.generation = 1;
    else delete meta.generation;
    if (hasStatusSubresource(type)) delete obj.status;
    const status = initialStatus(type, obj);
    if (status !== undefined) obj.status = status;
    let created = obj;
    if (!type.custom) {
      // prepareForCreate returns a private copy: from here on the object is the service's own.
      created = prepareForCreate(type, created);
      if (type.group === 'batch' && type.kind === 'Job') created = generateJobSelector(created, meta.uid);
    }

    let prepared = this.prepare(scope, created, undefined, { owned: !type.custom });
    prepared = track(prepared);
    const key = objectKey(prepared.metadata.namespace, prepared.metadata.name!);
    const resource = groupResource(type);
    if (this.store.get(resource, key)) throw alreadyExists(qualified(type), prepared.metadata.name!, type.group, type.plural);
    if (scope.dryRun) return { object: prepared, code: 201 };
    const { stored, durable } = this.store.create(resource, prepared);
    await durable;
    return { ...this.presented(type, stored), code: 201 };
  }

  /** `POST pods/NAME/binding`: the scheduler's one way to set `spec.nodeName` (Kubernetes forbids it in a pod update). */
  async bind(scope: RequestScope, name: string, body: unknown): Promise<WriteResult> {
    const binding = body as { target?: { kind?: string; name?: unknown } } | null;
    const node = binding?.target?.name;
    if (typeof node !== 'string' || node === '') throw invalid('Binding', name, [fieldError.required('target.name')]);
    const current = this.getStored(scope.type, scope.namespace, name);
    const pod = current.obj;
    if (pod.metadata.deletionTimestamp) throw conflict('pods', name, 'pod is being deleted, cannot be assigned to a host');
    if ((pod.spec as { nodeName?: string } | undefined)?.nodeName) {
      throw conflict('pods', name, `pod ${name} is already assigned to node ${JSON.stringify((pod.spec as { nodeName: string }).nodeName)}`);
    }
    const next = clone(pod);
    (next.spec as { nodeName?: string }).nodeName = node;
    const conditions = ((next.status as { conditions?: { type: string }[] } | undefined)?.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    next.status = { ...(next.status as object), conditions: [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now() }] };
    if (scope.dryRun) return { object: next, code: 201 };
    const { stored, durable } = this.store.update(groupResource(scope.type), next);
    await durable;
    const meta = stored.obj.metadata;
    return { object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201, details: { name: meta.name, kind: 'pods' } } as unknown as KubeObject, code: 201 };
  }

  // ---------------------------------------------------------------- update

  async update(scope: RequestScope, name: string, body: unknown, subresource?: string): Promise<WriteResult> {
    const { type } = scope;
    const current = this.getStored(type, scope.namespace, name);
    if (subresource === 'scale') return this.updateScale(scope, current, body);
    const obj = this.decodeObject(type, body, scope.namespace);
    if (obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    const rv = obj.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.obj.metadata.resourceVersion) throw this.staleConflict(type, name);
    // A PUT without managedFields keeps the existing owners (and this write is tracked on top).
    if (obj.metadata.managedFields === undefined && current.obj.metadata.managedFields) obj.metadata.managedFields = clone(current.obj.metadata.managedFields);
    return this.replace(scope, current, obj, subresource, 'track');
  }

  /**
   * Turns the client's desired object into the stored one: system metadata and (for the main
   * resource) status are kept from the current object; for the status subresource only status changes
   * (and, for pods, labels and annotations).
   */
  private async replace(
    scope: RequestScope,
    current: StoredObject,
    desired: KubeObject,
    subresource: string | undefined,
    managedFields: KubeObject['metadata']['managedFields'] | 'track',
  ): Promise<WriteResult> {
    const { type } = scope;
    const old = current.obj;
    let next: KubeObject;
    // Whether `next` is a private copy sharing nothing with the caller or the store (then defaults
    // are filled in place rather than on yet another copy).
    let owned = false;
    if (subresource === 'status') {
      if (!hasStatusSubresource(type)) throw notFound(qualified(type), `${old.metadata.name}/status`, type.group);
      next = clone(old);
      if (desired.status === undefined) delete next.status;
      else next.status = clone(desired.status);
      if (statusWriteKeepsLabels(type)) {
        // As Kubernetes' podStatusStrategy: a pods/status write may change labels and annotations
        // (the kubelet records its own annotations with its status); the rest stays as stored.
        const meta: KubeObject['metadata'] = isPlainObject(desired.metadata) ? desired.metadata : {};
        for (const key of ['labels', 'annotations'] as const) {
          const value = meta[key];
          if (value === undefined || value === null) delete next.metadata[key];
          else next.metadata[key] = clone(value);
        }
      }
      owned = true;
    } else if (subresource === 'finalize' && !type.custom && type.kind === 'Namespace') {
      // The namespace controller's way to clear `spec.finalizers` once the namespace is empty.
      next = clone(old);
      const finalizers = (desired.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
      next.spec = { ...(next.spec as object), finalizers: clone(finalizers) };
      owned = true;
    } else if (subresource) {
      throw notFound(qualified(type), `${old.metadata.name}/${subresource}`, type.group);
    } else {
      next = desired;
      if (hasStatusSubresource(type)) {
        if (old.status === undefined) delete next.status;
        else next.status = clone(old.status);
      }
      if (!type.custom && type.kind === 'Namespace') {
        // Only the finalize subresource may change a namespace's finalizers.
        const finalizers = (old.spec as { finalizers?: string[] } | undefined)?.finalizers;
        next.spec = { ...(isPlainObject(next.spec) ? next.spec : {}), ...(finalizers ? { finalizers: [...finalizers] } : {}) };
      }
    }
    const meta = next.metadata;
    const oldMeta = old.metadata;
    meta.name = oldMeta.name;
    meta.namespace = oldMeta.namespace;
    meta.uid = oldMeta.uid;
    meta.creationTimestamp = oldMeta.creationTimestamp;
    meta.resourceVersion = oldMeta.resourceVersion;
    delete meta.selfLink;
    if (oldMeta.deletionTimestamp) {
      meta.deletionTimestamp = oldMeta.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      const added = (meta.finalizers ?? []).filter((f) => !(oldMeta.finalizers ?? []).includes(f));
      if (added.length > 0) {
        throw invalid(type.kind, oldMeta.name!, [fieldError.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`)], type.group);
      }
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (tracksGeneration(type)) meta.generation = oldMeta.generation ?? 1;
    else delete meta.generation;

    let prepared = this.prepare(scope, next, old, { owned, statusOnly: subresource === 'status' });
    if (tracksGeneration(type) && specChanged(old, prepared)) prepared.metadata.generation = (oldMeta.generation ?? 0) + 1;
    if (managedFields === 'track') {
      prepared = recordUpdate({
        old,
        updated: prepared,
        manager: scope.fieldManager ?? 'unknown',
        meta: patchMetaFor(type),
        apiVersion: apiVersionOf(type),
        now: now(),
        ignoreStatus: hasStatusSubresource(type) && subresource !== 'status',
        ...(subresource ? { subresource } : {}),
      });
    } else if (managedFields !== undefined) {
      prepared.metadata.managedFields = managedFields;
    }

    // A no-op write changes nothing, not even the resourceVersion, and sends no watch event.
    if (sameExceptVolatile(prepared, old)) {
      return { object: this.present(type, current).obj, code: 200 };
    }
    if (scope.dryRun) return { object: prepared, code: 200 };
    // Re-check after the synchronous computation: nothing can have changed, but keep the invariant explicit.
    const resource = groupResource(type);
    const key = objectKey(oldMeta.namespace, oldMeta.name!);
    if (this.store.get(resource, key) !== current) throw this.staleConflict(type, oldMeta.name!);
    // Like Kubernetes' shouldDeleteDuringUpdate: finalizers gone AND no grace period left (a pod being
    // shut down by its kubelet keeps getting status updates until the kubelet deletes it with grace 0).
    if (
      prepared.metadata.deletionTimestamp &&
      (prepared.metadata.finalizers ?? []).length === 0 &&
      !hasSpecFinalizers(prepared) &&
      (oldMeta.deletionGracePeriodSeconds ?? 0) === 0
    ) {
      const { stored, durable } = this.store.remove(resource, key);
      await durable;
      return { object: this.present(type, stored).obj, code: 200 };
    }
    const { stored, durable } = this.store.update(resource, prepared);
    await durable;
    return { ...this.presented(type, stored), code: 200 };
  }

  // ---------------------------------------------------------------- patch

  async patch(scope: RequestScope, name: string, patchType: PatchType, body: unknown, subresource?: string, force = false): Promise<WriteResult> {
    const { type } = scope;
    const resource = groupResource(type);
    const current = this.store.get(resource, objectKey(type.namespaced ? scope.namespace : undefined, name));
    if (patchType === 'apply') return this.apply(scope, name, current, body, subresource, force);
    if (!current) throw notFound(qualified(type), name, type.group, type.plural);
    if (subresource === 'scale') {
      const scale = readScale(type, current.obj);
      return this.updateScale(scope, current, this.patchDocument(scope, scale, patchType, body, true));
    }
    // Every patch engine copies its input (none mutates it), so the stored object can be the base.
    const patched = this.patchDocument(scope, this.present(type, current).obj, patchType, body, false);
    if (!isPlainObject(patched)) throw invalid(type.kind, name, [fieldError.typeInvalid('', patched, 'the patched object must be an object')], type.group);
    if (patched.metadata !== undefined && !isPlainObject(patched.metadata)) {
      throw invalid(type.kind, name, [fieldError.typeInvalid('metadata', patched.metadata, 'must be an object')], type.group);
    }
    if (patched.metadata?.name !== undefined && patched.metadata.name !== name) {
      throw badRequest(`the name of the object (${patched.metadata.name}) does not match the name on the URL (${name})`);
    }
    patched.metadata = patched.metadata ?? {};
    const rv = patched.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.obj.metadata.resourceVersion) throw this.staleConflict(type, name);
    this.checkTypeMeta(type, patched);
    return this.replace(scope, current, patched, subresource, 'track');
  }

  private patchDocument<T extends object>(scope: RequestScope, base: T, patchType: PatchType, body: unknown, isScale: boolean): T & KubeObject {
    const { type } = scope;
    try {
      if (patchType === 'json') {
        if (!Array.isArray(body)) throw badRequest('a JSON patch must be a list of operations, e.g. [{"op":"replace","path":"/spec/replicas","value":3}]');
        // Patched in place on our own copy (fast-json-patch's copy is a slower JSON round trip).
        return jsonPatch.applyPatch(clone(base), body as Operation[], true, true).newDocument as T & KubeObject;
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the patch must be a JSON object');
      if (patchType === 'merge') return applyMergePatch(base as never, body as never) as unknown as T & KubeObject;
      if (type.custom && !isScale) {
        throw new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      }
      return applyStrategicMergePatch(base as never, body as never, isScale ? { list: () => undefined } : patchMetaFor(type)) as unknown as T & KubeObject;
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: the patch could not be applied: ${message}`, undefined, { cause: err });
    }
  }

  private async apply(scope: RequestScope, name: string, current: StoredObject | undefined, body: unknown, subresource: string | undefined, force: boolean): Promise<WriteResult> {
    const { type } = scope;
    if (!scope.fieldManager) throw badRequest('PATCH, application/apply-patch+yaml requests must supply a fieldManager query parameter (e.g. ?fieldManager=kubectl)');
    const applied = this.decodeObject(type, body, scope.namespace);
    if (applied.metadata.name !== name) {
      throw badRequest(`the name of the object (${applied.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    }
    if (subresource && subresource !== 'status') throw notFound(qualified(type), `${name}/${subresource}`, type.group);
    const ignoreStatus = hasStatusSubresource(type) && subresource !== 'status';
    const merged = serverSideApply({
      live: current ? clone(this.present(type, current).obj) : undefined,
      applied,
      manager: scope.fieldManager,
      force,
      meta: patchMetaFor(type),
      apiVersion: apiVersionOf(type),
      now: now(),
      ignoreStatus,
      ...(subresource ? { subresource } : {}),
    });
    if (!current) {
      if (subresource) throw notFound(qualified(type), name, type.group, type.plural);
      const managed = merged.metadata.managedFields;
      return this.createObject(scope, merged, (o) => ({ ...o, metadata: { ...o.metadata, managedFields: managed } }));
    }
    const rv = applied.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.obj.metadata.resourceVersion) throw this.staleConflict(type, name);
    return this.replace(scope, current, merged, subresource, merged.metadata.managedFields ?? []);
  }

  private async updateScale(scope: RequestScope, current: StoredObject, body: unknown): Promise<WriteResult> {
    const { type } = scope;
    if (!type.subresources.scale) throw notFound(qualified(type), `${current.obj.metadata.name}/scale`, type.group);
    const scale = body as KubeObject;
    const rv = scale?.metadata?.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.obj.metadata.resourceVersion) throw this.staleConflict(type, current.obj.metadata.name!);
    const next = writeScale(type, clone(current.obj), scale);
    const result = await this.replace(scope, current, next, undefined, 'track');
    return { object: readScale(type, result.object), code: 200 };
  }

  // ---------------------------------------------------------------- delete

  async delete(scope: RequestScope, name: string, options: DeleteOptions = {}): Promise<WriteResult> {
    const { type } = scope;
    const current = this.getStored(type, scope.namespace, name);
    const meta = current.obj.metadata;
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== meta.uid) {
      throw conflict(qualified(type), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`, type.group);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
      throw conflict(qualified(type), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`, type.group);
    }
    const policy = options.propagationPolicy ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Background' : 'Background');
    const finalizers = new Set(meta.finalizers ?? []);
    if (policy === 'Orphan') {
      finalizers.add(FINALIZER_ORPHAN);
      finalizers.delete(FINALIZER_FOREGROUND);
    } else if (policy === 'Foreground') {
      finalizers.add(FINALIZER_FOREGROUND);
      finalizers.delete(FINALIZER_ORPHAN);
    } else if (!meta.deletionTimestamp) {
      finalizers.delete(FINALIZER_ORPHAN);
      finalizers.delete(FINALIZER_FOREGROUND);
    }
    const graceful = this.gracePeriodFor(type, current.obj, options.gracePeriodSeconds);
    const resource = groupResource(type);
    const key = objectKey(meta.namespace, name);

    if (finalizers.size === 0 && !hasSpecFinalizers(current.obj) && graceful === 0) {
      if (scope.dryRun) return { object: this.present(type, current).obj, code: 200 };
      const { stored, durable } = this.store.remove(resource, key);
      await durable;
      return { object: this.present(type, stored).obj, code: 200 };
    }
    // Deletion is pending: finalizers (or a pod's grace period) must run first.
    const next = clone(current.obj);
    next.metadata.finalizers = [...finalizers];
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    if (!next.metadata.deletionTimestamp) {
      next.metadata.deletionTimestamp = new Date(Date.now() + graceful * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      next.metadata.deletionGracePeriodSeconds = graceful;
      if (type.group === '' && type.kind === 'Namespace') next.status = { ...(next.status as object), phase: 'Terminating' };
    } else if (graceful < (next.metadata.deletionGracePeriodSeconds ?? 0)) {
      next.metadata.deletionGracePeriodSeconds = graceful;
    }
    if (jsonEquivalent(next, current.obj)) return { object: this.present(type, current).obj, code: 202 };
    if (scope.dryRun) return { object: next, code: 202 };
    const { stored, durable } = this.store.update(resource, next);
    await durable;
    return { object: this.present(type, stored).obj, code: 202 };
  }

  /** Pods bound to a node terminate gracefully (the kubelet finishes them); everything else goes at once. */
  private gracePeriodFor(type: ResourceType, obj: KubeObject, requested: number | undefined): number {
    if (type.custom || type.group !== '' || type.kind !== 'Pod') return 0;
    const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number } | undefined;
    const phase = (obj.status as { phase?: string } | undefined)?.phase;
    if (!spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
    return Math.max(0, requested ?? spec.terminationGracePeriodSeconds ?? 30);
  }

  // ---------------------------------------------------------------- helpers

  /** Checks an incoming object's apiVersion, kind and namespace against the request, and normalizes metadata. */
  decodeObject(type: ResourceType, body: unknown, namespace: string | undefined): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest(`the request body must be a ${type.kind} object`);
    const obj = body as KubeObject;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
      throw invalid(type.kind, '', [fieldError.typeInvalid('metadata', obj.metadata, 'must be an object')], type.group);
    }
    const shapeCauses = metadataShapeCauses(obj.metadata);
    if (shapeCauses.length > 0) throw invalid(type.kind, typeof obj.metadata.name === 'string' ? obj.metadata.name : '', shapeCauses, type.group);
    this.checkTypeMeta(type, obj);
    if (type.namespaced) {
      const ns = obj.metadata.namespace;
      if (ns && namespace && ns !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (!namespace && !ns) throw badRequest(`a namespace is required to create a ${type.kind}`);
      obj.metadata.namespace = ns || namespace;
    } else {
      delete obj.metadata.namespace;
    }
    return obj;
  }

  private checkTypeMeta(type: ResourceType, obj: KubeObject): void {
    const expected = apiVersionOf(type);
    if (obj.kind !== undefined && obj.kind !== type.kind && !(obj.kind === '' && obj.apiVersion === '')) {
      throw badRequest(`the kind of the provided object (${String(obj.kind)}) does not match the resource ${qualified(type)} (kind ${type.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== expected) {
      // Any served version of the same group is acceptable; the object is stored at the request's version.
      const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
      if (group !== type.group) {
        throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
      }
    }
    obj.apiVersion = expected;
    obj.kind = type.kind;
  }

  /**
   * Defaults, prunes unknown fields (reporting them per fieldValidation) and validates.
   * `owned`: `obj` is a private copy sharing nothing (defaults may fill it in place).
   * `statusOnly`: a status subresource write, where only `status` is new (everything else was
   * copied from the stored object), so only status is pruned and spec is not validated again.
   */
  private prepare(scope: RequestScope, obj: KubeObject, old: KubeObject | undefined, options: { owned?: boolean; statusOnly?: boolean } = {}): KubeObject {
    const { type } = scope;
    const shapeCauses = metadataShapeCauses(obj.metadata);
    if (shapeCauses.length > 0) throw invalid(type.kind, typeof obj.metadata.name === 'string' ? obj.metadata.name : '', shapeCauses, type.group);
    const statusOnly = options.statusOnly === true && old !== undefined;
    const pruned = statusOnly ? pruneStatusFields(type, obj) : pruneFields(type, obj);
    if (pruned.pruned.length > 0) {
      const messages = pruned.pruned.map((p) => `unknown field "${p}"`);
      if (scope.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${messages.join(', ')}`);
      if (scope.fieldValidation === 'Warn') for (const m of messages) scope.warn?.(m);
    }
    // Custom objects come out of schema pruning as a fresh copy.
    const owned = options.owned === true || pruned.obj !== obj;
    const defaulted = applyDefaults(type, pruned.obj, { inPlace: owned });
    for (const plugin of this.admission) plugin.admit(type, defaulted, old);
    const causes = statusOnly ? validateStatusUpdate(type, defaulted, old) : validateObject(type, defaulted, old);
    if (causes.length > 0) throw invalid(type.kind, defaulted.metadata.name ?? defaulted.metadata.generateName ?? '', causes, type.group);
    scope.admit?.(defaulted);
    return defaulted;
  }

  private assertNamespaceWritable(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced || !namespace) return;
    const ns = this.store.get('namespaces', namespace);
    if (!ns) throw notFound('namespaces', namespace, '', 'namespaces');
    if (ns.obj.metadata.deletionTimestamp) {
      throw new ApiError(403, 'Forbidden', `${type.plural}${type.group ? '.' + type.group : ''} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  private staleConflict(type: ResourceType, name: string): ApiError {
    return conflict(qualified(type), name, 'the object has been modified; please apply your changes to the latest version and try again', type.group);
  }
}

/** Core/v1 pods: their status subresource also writes labels and annotations (podStatusStrategy). */
function statusWriteKeepsLabels(type: ResourceType): boolean {
  return !type.custom && type.group === '' && type.kind === 'Pod';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON types of the metadata fields every controller iterates over. Checked before anything
 * else touches them: a stored `ownerReferences: {}` would break every reader of the object.
 */
function metadataShapeCauses(meta: Record<string, unknown>): ReturnType<typeof fieldError.typeInvalid>[] {
  const causes: ReturnType<typeof fieldError.typeInvalid>[] = [];
  for (const key of ['name', 'generateName', 'namespace', 'resourceVersion', 'uid'] as const) {
    if (meta[key] !== undefined && meta[key] !== null && typeof meta[key] !== 'string') causes.push(fieldError.typeInvalid(`metadata.${key}`, meta[key], 'must be a string'));
  }
  for (const key of ['labels', 'annotations'] as const) {
    const v = meta[key];
    if (v === undefined || v === null) continue;
    if (!isPlainObject(v)) causes.push(fieldError.typeInvalid(`metadata.${key}`, v, 'must be a map of string keys to string values'));
    else for (const [k, val] of Object.entries(v)) if (typeof val !== 'string') causes.push(fieldError.typeInvalid(`metadata.${key}[${k}]`, val, 'must be a string'));
  }
  const finalizers = meta.finalizers;
  if (finalizers !== undefined && finalizers !== null && (!Array.isArray(finalizers) || finalizers.some((f) => typeof f !== 'string'))) {
    causes.push(fieldError.typeInvalid('metadata.finalizers', finalizers, 'must be a list of strings'));
  }
  for (const key of ['ownerReferences', 'managedFields'] as const) {
    const v = meta[key];
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((e) => !isPlainObject(e)))) causes.push(fieldError.typeInvalid(`metadata.${key}`, v, 'must be a list of objects'));
  }
  return causes;
}

/** Namespaces also wait on `spec.finalizers` (the namespace controller's `kubernetes` finalizer). */
function hasSpecFinalizers(obj: KubeObject): boolean {
  if (obj.apiVersion !== 'v1' || obj.kind !== 'Namespace') return false;
  const f = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers;
  return Array.isArray(f) && f.length > 0;
}

/**
 * True when two versions of an object are the same but for managedFields times (which every
 * tracked write moves): such a write is a no-op. Compares structurally, as canonical JSON would,
 * without building a copy of either object.
 */
function sameExceptVolatile(a: KubeObject, b: KubeObject): boolean {
  const { metadata: am, ...aRest } = a;
  const { metadata: bm, ...bRest } = b;
  if (!jsonEquivalent(aRest, bRest)) return false;
  const { managedFields: af, ...amRest } = am;
  const { managedFields: bf, ...bmRest } = bm;
  if (!jsonEquivalent(amRest, bmRest)) return false;
  return jsonEquivalent(withoutTimes(af), withoutTimes(bf));
}

/** managedFields without their times; absent reads as empty, as it is stored. */
function withoutTimes(entries: KubeObject['metadata']['managedFields']): unknown[] {
  return (entries ?? []).map(({ time: _t, ...rest }) => rest);
}
