/**
 * Picking up a pod this node ran before the kubelet restarted, from its stored status. Its
 * processes died with the old kubelet: a container that was running is recorded as
 * ContainerStatusUnknown (exit 137, Kubernetes' reason and message) so that the pod's
 * restartPolicy decides what happens next; simulated containers had no process and keep running;
 * terminated ones (completed init containers included) stay as they were.
 */
import { now } from '../api/resource-service.js';
import type { ContainerMode, ContainerRuntime } from './container-runtime.js';
import type { PodStatus } from './types.js';

const CONTAINER_UNKNOWN_MESSAGE = 'The container could not be located when the pod was terminated';

export function adoptContainers(containers: ContainerRuntime[], existing: PodStatus, modeOf: (c: ContainerRuntime) => ContainerMode): void {
  const statuses = [...(existing.initContainerStatuses ?? []), ...(existing.containerStatuses ?? [])];
  for (const c of containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s?.state) continue;
    c.restartCount = s.restartCount ?? 0;
    c.lastState = s.lastState ?? {};
    c.containerID = s.containerID;
    c.imageID = s.imageID ?? '';
    const { running, terminated, waiting } = s.state;
    if (terminated) {
      c.state = s.state;
      c.everStarted = true;
      c.lastExit = { exitCode: terminated.exitCode, finishedAtMs: Date.parse(terminated.finishedAt) || Date.now() };
      c.permanent = terminated.reason === 'ImageNotInProfile';
    } else if (running) {
      c.everStarted = true;
      if (modeOf(c) === 'simulated' && c.kind !== 'init') {
        c.adoptedRunning = { startedAt: running.startedAt, ready: s.ready };
        continue;
      }
      c.state = {
        terminated: {
          exitCode: 137,
          reason: 'ContainerStatusUnknown',
          message: CONTAINER_UNKNOWN_MESSAGE,
          startedAt: running.startedAt,
          finishedAt: now(),
          ...(s.containerID ? { containerID: s.containerID } : {}),
        },
      };
      c.lastExit = { exitCode: 137, finishedAtMs: Date.now() };
    } else if (waiting && c.lastState.terminated) {
      // Waiting to restart (e.g. CrashLoopBackOff): the last run is what restarts from.
      c.everStarted = true;
      c.state = { terminated: c.lastState.terminated };
      c.lastExit = { exitCode: c.lastState.terminated.exitCode, finishedAtMs: Date.parse(c.lastState.terminated.finishedAt) || Date.now() };
    }
  }
}
