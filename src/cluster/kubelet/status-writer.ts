/**
 * Pod status writes, coalesced like the kubelet's status manager: a pod whose state changes many
 * times in quick succession (sandbox ready, container started, exited) is written once with the
 * latest status, computed at write time. Each write reads the stored pod and updates its status
 * subresource in the same synchronous stretch, so it cannot conflict; a 409 or an error is simply
 * retried, and a pod that is gone (404) is dropped.
 */
import type { Logger } from 'pino';
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { systemScope } from '../controllers/system-scope.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { ObjectStore } from '../store/object-store.js';
import type { PodStatus } from './types.js';

export const KUBELET_MANAGER = 'kubelet';
/** Writes in flight at once: enough to keep the store busy, few enough not to starve everything else. */
const MAX_IN_FLIGHT = 32;

export interface StatusSource {
  readonly uid: string;
  /** `namespace/name`. */
  readonly key: string;
  /** The status to store, given the stored one; undefined to write nothing. */
  buildStatus(existing: PodStatus): PodStatus | undefined;
  /**
   * Annotations to record with the next status write (a pods/status write may change them, as in
   * Kubernetes), saving a write of their own; told once they are stored.
   */
  pendingAnnotations?(): Record<string, string> | undefined;
  annotationsWritten?(annotations: Record<string, string>): void;
}

export class StatusWriter {
  private readonly pending = new Map<string, StatusSource>();
  private readonly inFlight = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: ResourceRegistry,
    private readonly service: ResourceService,
    private readonly log: Logger,
    private readonly coalesceMs: number,
  ) {}

  request(source: StatusSource, delayMs = this.coalesceMs): void {
    if (this.stopped) return;
    this.pending.set(source.uid, source);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), delayMs);
  }

  start(): void {
    this.stopped = false;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.pending.clear();
  }

  /** Resolves when nothing is pending or being written (tests, shutdown). */
  settled(): Promise<void> {
    if (this.pending.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private flush(): void {
    this.timer = undefined;
    for (const [uid, source] of this.pending) {
      if (this.inFlight.size >= MAX_IN_FLIGHT) break;
      // One write per pod at a time; a change meanwhile is written after it.
      if (this.inFlight.has(uid)) continue;
      this.pending.delete(uid);
      this.inFlight.add(uid);
      void this.write(source).finally(() => {
        this.inFlight.delete(uid);
        if (this.pending.size > 0 && !this.timer && !this.stopped) this.timer = setTimeout(() => this.flush(), 0);
        this.checkIdle();
      });
    }
    if (this.pending.size > 0 && !this.timer && this.inFlight.size < MAX_IN_FLIGHT) this.timer = setTimeout(() => this.flush(), this.coalesceMs);
    this.checkIdle();
  }

  private checkIdle(): void {
    if (this.pending.size > 0 || this.inFlight.size > 0) return;
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }

  private async write(source: StatusSource): Promise<void> {
    const stored = this.store.get('pods', source.key);
    if (!stored || stored.obj.metadata.uid !== source.uid) return;
    const existing = (stored.obj.status ?? {}) as PodStatus;
    const next = source.buildStatus(existing);
    if (!next) return;
    const pod = stored.obj;
    const annotations = source.pendingAnnotations?.();
    const storedAnnotations = pod.metadata.annotations ?? {};
    const newAnnotations = annotations && Object.entries(annotations).some(([k, v]) => storedAnnotations[k] !== v);
    if (!newAnnotations && JSON.stringify(next) === JSON.stringify(existing)) {
      if (annotations) source.annotationsWritten?.(annotations);
      return;
    }
    const metadata = { ...pod.metadata };
    if (newAnnotations) metadata.annotations = { ...storedAnnotations, ...annotations };
    const body: KubeObject = { apiVersion: pod.apiVersion, kind: pod.kind, metadata, spec: pod.spec, status: next };
    const type = this.registry.lookup('', 'v1', 'pods')!;
    try {
      await this.service.update(systemScope(type, pod.metadata.namespace, KUBELET_MANAGER), pod.metadata.name!, body, 'status');
      if (annotations) source.annotationsWritten?.(annotations);
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return;
      if (!(err instanceof ApiError && err.code === 409)) this.log.warn({ err, pod: source.key }, 'writing pod status failed; retrying');
      this.request(source, 200);
    }
  }
}

/** Bounds how many of something run at once (sandbox setups). */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    // A released slot is handed straight to the next waiter, so the limit holds exactly.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
