/**
 * Records core/v1 Events about objects, as client-go's EventRecorder does for kube-controller-manager
 * and the kubelet: repeated events (same object, reason and message) bump `count` and
 * `lastTimestamp` of one Event instead of creating many. Recording never fails the caller.
 */
import { randomBytes } from 'node:crypto';
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import { now } from '../api/resource-service.js';
import type { KubeObject } from '../objects.js';
import { systemScope } from './system-scope.js';

export interface EventSource {
  component: string;
  host?: string;
}

interface Recorded {
  name: string;
  namespace: string;
  count: number;
}

const DEDUP_LIMIT = 4096;

export class EventRecorder {
  private readonly recent = new Map<string, Recorded>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly service: ResourceService,
    private readonly source: EventSource,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Fire and forget: events are advisory, so a failure is reported to onError and nothing else. */
  record(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.write(involved, type, reason, message).catch(this.onError);
  }

  private async write(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    const eventType = this.registry.lookup('', 'v1', 'events')!;
    const namespace = involved.metadata.namespace ?? 'default';
    const dedupKey = `${involved.metadata.uid ?? ''}|${type}|${reason}|${message}`;
    const timestamp = now();
    const seen = this.recent.get(dedupKey);
    if (seen) {
      seen.count++;
      try {
        await this.service.patch(systemScope(eventType, seen.namespace, this.source.component), seen.name, 'merge', { count: seen.count, lastTimestamp: timestamp });
        return;
      } catch {
        // The event was deleted (or expired): create a new one below.
        this.recent.delete(dedupKey);
      }
    }
    const name = `${involved.metadata.name ?? 'unknown'}.${randomBytes(8).toString('hex')}`;
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: involved.apiVersion,
        kind: involved.kind,
        name: involved.metadata.name,
        namespace: involved.metadata.namespace,
        uid: involved.metadata.uid,
        resourceVersion: involved.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: this.source,
      reportingComponent: this.source.component,
      reportingInstance: this.source.host ?? '',
      firstTimestamp: timestamp,
      lastTimestamp: timestamp,
      count: 1,
    };
    await this.service.create(systemScope(eventType, namespace, this.source.component), event);
    if (this.recent.size >= DEDUP_LIMIT) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(dedupKey, { name, namespace, count: 1 });
  }
}
