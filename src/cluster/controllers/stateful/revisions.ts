/**
 * ControllerRevisions, the history StatefulSets and DaemonSets keep of their pod templates
 * (k8s.io/kubernetes/pkg/controller/history): one revision per distinct template, named
 * `<owner>-<hash>`, numbered in the order templates were used. A template that returns (a
 * `kubectl rollout undo`) reuses its old revision, renumbered as the newest — which is what makes
 * `kubectl rollout history` and `undo` read the same as on a real cluster.
 */
import type { ResourceRegistry } from '../../api/resource-registry.js';
import type { ResourceService } from '../../api/resource-service.js';
import { canonicalJson } from '../../api/type-strategy.js';
import { clone, isMap, type JsonMap } from '../../builtin/util.js';
import { ApiError } from '../../errors.js';
import type { KubeObject } from '../../objects.js';
import { systemScope } from '../system-scope.js';
import { computeHash, newControllerRef } from '../workload-kit.js';

/** The label history.NewControllerRevision puts on every revision. */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

export interface Revision extends KubeObject {
  data?: unknown;
  revision?: number;
}

/**
 * What a revision stores: a strategic merge patch that puts the template back whole
 * (`kubectl rollout undo` applies exactly this to the owner).
 */
export function revisionData(template: unknown): JsonMap {
  const t = isMap(template) ? clone(template) : {};
  return { spec: { template: { ...t, $patch: 'replace' } } };
}

/** The pod template a revision recorded (without the patch directive). */
export function templateOfRevision(rev: Revision): JsonMap | undefined {
  const t = isMap(rev.data) && isMap(rev.data.spec) ? rev.data.spec.template : undefined;
  if (!isMap(t)) return undefined;
  const { $patch: _directive, ...template } = t;
  return template;
}

export function revisionNumber(rev: Revision): number {
  return typeof rev.revision === 'number' ? rev.revision : 0;
}

/** Oldest first, as history.SortControllerRevisions orders them. */
export function sortRevisions<T extends Revision>(revisions: Iterable<T>): T[] {
  return [...revisions].sort(
    (a, b) =>
      revisionNumber(a) - revisionNumber(b) ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

export function equalRevisionData(a: Revision, b: Revision): boolean {
  return canonicalJson(a.data ?? null) === canonicalJson(b.data ?? null);
}

export function revisionHash(data: unknown, collisionCount: number): string {
  return computeHash(data, collisionCount);
}

/** A new (not yet stored) revision of `owner`. */
export function newRevision(owner: KubeObject, data: JsonMap, revision: number, collisionCount: number, labels: Record<string, string>, hashLabel: string): Revision {
  const hash = revisionHash(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...labels, [hashLabel]: hash },
      ownerReferences: [newControllerRef(owner)],
    },
    data,
    revision,
  };
}

/**
 * Revisions beyond `limit` that nothing uses any more, oldest first (history truncation keeps the
 * live ones — current, update, and any a pod still runs — whatever the limit).
 */
export function revisionsToPrune(revisions: Revision[], live: ReadonlySet<string>, limit: number): Revision[] {
  const dead = sortRevisions(revisions).filter((r) => !live.has(r.metadata.name!));
  const excess = dead.length - Math.max(0, limit);
  return excess > 0 ? dead.slice(0, excess) : [];
}

export interface UpdateRevisionResult {
  revision: Revision;
  collisionCount: number;
}

/** The writes of revision history, done through the API like every controller write. */
export class RevisionHistory {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly service: ResourceService,
    private readonly manager: string,
    private readonly hashLabel: string,
  ) {}

  private scope(namespace: string | undefined) {
    return systemScope(this.registry.lookup('apps', 'v1', 'controllerrevisions')!, namespace, this.manager);
  }

  /**
   * The revision for the owner's current template: the newest revision when it already matches,
   * an older equal one renumbered as the newest (a rollback), or a newly created one.
   */
  async ensureUpdateRevision(
    owner: KubeObject,
    existing: Revision[],
    template: unknown,
    collisionCount: number,
  ): Promise<UpdateRevisionResult> {
    const sorted = sortRevisions(existing);
    const data = revisionData(template);
    const probe = { metadata: {}, data } as Revision;
    const equal = sorted.filter((r) => equalRevisionData(r, probe));
    const newest = sorted[sorted.length - 1];
    const nextNumber = newest ? revisionNumber(newest) + 1 : 1;
    if (equal.length > 0) {
      const match = equal[equal.length - 1];
      if (match === newest) return { revision: match, collisionCount };
      const renumbered = { ...clone(match), revision: nextNumber };
      const { object } = await this.service.update(this.scope(match.metadata.namespace), match.metadata.name!, renumbered);
      return { revision: object as Revision, collisionCount };
    }
    const labels = labelsOf(template);
    let count = collisionCount;
    for (let attempt = 0; attempt < 10; attempt++) {
      const rev = newRevision(owner, data, nextNumber, count, labels, this.hashLabel);
      try {
        const { object } = await this.service.create(this.scope(owner.metadata.namespace), rev);
        return { revision: object as Revision, collisionCount: count };
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 409)) throw err;
        const found = this.service.store.get('apps/controllerrevisions', `${owner.metadata.namespace}/${rev.metadata.name}`)?.obj as Revision | undefined;
        if (found && equalRevisionData(found, rev)) return { revision: found, collisionCount: count };
        // Same name, different template: perturb the hash, as Kubernetes does with collisionCount.
        count++;
      }
    }
    throw new Error(`could not find a free ControllerRevision name for ${owner.metadata.namespace}/${owner.metadata.name}`);
  }

  async delete(rev: Revision): Promise<void> {
    try {
      await this.service.delete(this.scope(rev.metadata.namespace), rev.metadata.name!, { preconditions: { uid: rev.metadata.uid! } });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
    }
  }
}

function labelsOf(template: unknown): Record<string, string> {
  const meta = isMap(template) && isMap(template.metadata) ? template.metadata : undefined;
  const labels = meta && isMap(meta.labels) ? meta.labels : {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (typeof v === 'string') out[k] = v;
  return out;
}
