/**
 * What the kubelet knows about one container of a pod: how it runs (host process, simulated, or
 * not at all), its current run, and the state, last state, restart count and readiness that make
 * up its ContainerStatus.
 */
import { randomBytes } from 'node:crypto';
import type { Launch } from './container-launch.js';
import type { HostProcess } from './host-process.js';
import type { ImageRule } from './image-profile.js';
import type { LogHandle } from './process-spawner.js';
import type { ProbeLoop } from './probes.js';
import type { ContainerSpec, ContainerState, ContainerStatus } from './types.js';

export type ContainerKind = 'init' | 'sidecar' | 'regular';
/** `none`: an image the profile does not know in a container that must run to completion. */
export type ContainerMode = 'host' | 'simulated' | 'none';

/** Why the kubelet stopped a run itself (it then words the exit and the restart accordingly). */
export type StopReason = 'liveness' | 'startup' | 'replaced' | 'pod';

export interface ContainerRun {
  /** The container ID without the runtime prefix; also the log file's name. */
  id: string;
  image: string;
  startedAt: string;
  process?: HostProcess;
  launch?: Launch;
  log: LogHandle;
  /** Ends the log of a run without a process (a simulated container). */
  closeLog?: () => Promise<void>;
  probes: ProbeLoop[];
  readyTimer?: NodeJS.Timeout;
  stopReason?: StopReason;
  /** Resolves once the exit has been recorded. */
  finished: Promise<void>;
  markFinished: () => void;
}

export const RUNTIME_SCHEME = 'argosy';

export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

export function containerIdOf(full: string | undefined): string | undefined {
  if (!full) return undefined;
  const i = full.indexOf('://');
  return i >= 0 ? full.slice(i + 3) : full;
}

export class ContainerRuntime {
  mode: ContainerMode | undefined;
  rule: ImageRule | undefined;
  restartCount = 0;
  /** Undefined until something happens to it: the status then shows the default waiting reason. */
  state: ContainerState | undefined;
  lastState: ContainerState = {};
  ready = false;
  started = false;
  containerID: string | undefined;
  imageID = '';
  run: ContainerRun | undefined;
  lastExit: { exitCode: number; finishedAtMs: number } | undefined;
  /** A run has been created at least once (a further one is a restart). */
  everStarted = false;
  /** Failed for good (image not in the profile): never retried. */
  permanent = false;
  /** Waiting to retry a configuration or creation error until then. */
  retryAtMs: number | undefined;
  /** Adopted after a kubelet restart: a simulated container that was running keeps its run. */
  adoptedRunning: { startedAt: string; ready: boolean } | undefined;
  /** The next start skips the crash-loop back-off (the container was replaced on purpose). */
  skipBackOff = false;

  constructor(
    readonly name: string,
    readonly kind: ContainerKind,
    public spec: ContainerSpec,
  ) {}

  status(defaultWaitingReason: string): ContainerStatus {
    const s: ContainerStatus = {
      name: this.name,
      state: this.state ?? { waiting: { reason: defaultWaitingReason } },
      lastState: this.lastState,
      ready: this.ready,
      restartCount: this.restartCount,
      image: this.spec.image ?? '',
      imageID: this.imageID,
      ...(this.containerID ? { containerID: this.containerID } : {}),
      started: this.started,
    };
    return s;
  }
}
