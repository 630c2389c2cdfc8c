/**
 * `pods/log` for pods of this node: picks the run to read as the kubelet does
 * (validateContainerLogStatus: the running container, else the last terminated one; `previous` is
 * `lastState.terminated`), with Kubernetes' error messages, and streams its log file.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import type { PodLogOptions, PodLogSource } from '../api/pod-log.js';
import { badRequest } from '../errors.js';
import type { KubeObject } from '../objects.js';
import { containerLogPath, legacyContainerLogPath, readContainerLog, timestampSecondsAgo, type LogHandle } from './container-log.js';
import { containerIdOf } from './container-runtime.js';
import type { ContainerStatus, PodStatus } from './types.js';

export interface LogLocator {
  podsDir: string;
  /** The kubelet's current view of a pod's container statuses (undefined: use the stored status). */
  statusesOf(uid: string): ContainerStatus[] | undefined;
  liveLog(containerID: string): LogHandle | undefined;
}

/** The container ID whose log answers the request, or the 400 Kubernetes gives. */
export function logContainerId(statuses: ContainerStatus[], container: string, podName: string, previous: boolean): string {
  const s = statuses.find((x) => x.name === container);
  if (!s) throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is not available`);
  const last = s.lastState?.terminated;
  const { running, terminated, waiting } = s.state ?? {};
  if (previous) {
    if (!last?.containerID) throw badRequest(`previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} not found`);
    return last.containerID;
  }
  if (running && s.containerID) return s.containerID;
  if (terminated) {
    const id = terminated.containerID || last?.containerID;
    if (!id) throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is terminated`);
    return id;
  }
  if (last) {
    if (!last.containerID) throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is terminated`);
    return last.containerID;
  }
  if (waiting) throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start: ${waiting.reason}`);
  throw badRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start - no logs yet`);
}

/** Waits until the response can take more (or is gone), leaving no listener behind. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

export class KubeletLogSource implements PodLogSource {
  constructor(private readonly locator: LogLocator) {}

  private statuses(pod: KubeObject): ContainerStatus[] {
    const live = this.locator.statusesOf(pod.metadata.uid ?? '');
    if (live) return live;
    const status = (pod.status ?? {}) as PodStatus;
    return [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  }

  /**
   * Throws the 400 Kubernetes answers (container waiting, no previous run, ...). Meant to be called
   * before the response status is sent; `stream` checks again.
   */
  check(pod: KubeObject, options: PodLogOptions): void {
    logContainerId(this.statuses(pod), options.container, pod.metadata.name ?? '', options.previous);
  }

  async stream(pod: KubeObject, options: PodLogOptions, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const fullId = logContainerId(this.statuses(pod), options.container, pod.metadata.name ?? '', options.previous);
    const id = containerIdOf(fullId)!;
    const podDir = path.join(this.locator.podsDir, pod.metadata.uid ?? '');
    let file = containerLogPath(podDir, options.container, id);
    if (!this.locator.liveLog(fullId) && !(await exists(file))) {
      const legacy = legacyContainerLogPath(podDir, options.container, id);
      if (await exists(legacy)) file = legacy;
    }
    const writer = this.locator.liveLog(fullId);
    const sink = async (text: string): Promise<void> => {
      if (signal.aborted || res.destroyed) return;
      if (!res.write(text)) await drained(res);
    };
    await readContainerLog(
      file,
      {
        follow: options.follow,
        timestamps: options.timestamps,
        ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
        ...(options.limitBytes !== undefined ? { limitBytes: options.limitBytes } : {}),
        ...(options.sinceSeconds !== undefined ? { since: timestampSecondsAgo(options.sinceSeconds) } : {}),
      },
      sink,
      writer,
      signal,
    );
  }
}

function exists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}
