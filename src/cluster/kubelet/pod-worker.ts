/**
 * One pod on this node, from binding to deletion, as the kubelet's pod worker drives it:
 * volumes and sandbox, init containers in order (sidecars start and keep running), then the
 * containers; restarts by restartPolicy with crash-loop back-off; probes; activeDeadlineSeconds;
 * graceful termination and the final delete. Every step is level-triggered from the worker's
 * state, one sync at a time (`kick()`), and every state change ends in a coalesced status write.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { now } from '../api/resource-service.js';
import type { EventRecorder } from '../controllers/event-recorder.js';
import type { KubeObject } from '../objects.js';
import type { PodNetwork, PodSandbox } from '../network/pod-network.js';
import { goDuration, type RestartBackOff } from './backoff.js';
import { containerLogPath, ContainerLogWriter } from './container-log.js';
import { execInContainer } from './container-exec.js';
import { startContainerProbes } from './container-probes.js';
import { CreateContainerError, prepareLaunch, type Launch } from './container-launch.js';
import { ContainerRuntime, newContainerId, RUNTIME_SCHEME, type ContainerMode, type ContainerRun, type StopReason } from './container-runtime.js';
import { ConfigError, resolveContainerEnv, type NodeAllocatable } from './env.js';
import { HostProcess } from './host-process.js';
import { matchImage, type ImageProfile, type ImageRule } from './image-profile.js';
import { pathForSpawner, type LogHandle, type ProcessSpawner } from './process-spawner.js';
import { adoptContainers } from './pod-adoption.js';
import { hostAliasesContent, hostsFileContent, podHostname } from './pod-files.js';
import { computePodStatus, isSidecar, podPhase, type PodPhase } from './pod-status.js';
import type { SandboxSpec } from './sandbox.js';
import type { Semaphore, StatusSource, StatusWriter } from './status-writer.js';
import { podDescription, type PodSpec, type PodStatus } from './types.js';
import { PodVolumes, VolumeError, volumeDependencies, type MountedVolume, type StorageLookup } from './volumes.js';

export const CONTAINER_MODES_ANNOTATION = 'argosy.io/container-modes';
const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';

/** What a pod worker needs from its kubelet. */
export interface KubeletContext {
  nodeName: string;
  network: PodNetwork;
  log: Logger;
  recorder: EventRecorder;
  profile: ImageProfile;
  sandboxed: boolean;
  podsDir: string;
  lookup: StorageLookup;
  node: NodeAllocatable;
  backoff: RestartBackOff;
  simulatedReadyDelayMs: number;
  setupSlots: Semaphore;
  statusWriter: StatusWriter;
  aliasDir(rule: ImageRule): Promise<string | undefined>;
  serviceEnv(pod: KubeObject): Record<string, string>;
  /** A file with this resolv.conf content (shared by every pod with the same), or the host's. */
  resolvConfFile(content: string | undefined): Promise<string>;
  hostEtcHosts(): Promise<string>;
  deletePod(pod: KubeObject): Promise<void>;
  liveLogs: Map<string, LogHandle>;
  spawner: ProcessSpawner;
  forget(uid: string): void;
}

type ForcedPhase = { phase: PodPhase; reason?: string; message?: string };

function podSpec(pod: KubeObject): PodSpec {
  return (pod.spec ?? { containers: [] }) as PodSpec;
}

export class PodWorker implements StatusSource {
  readonly uid: string;
  readonly key: string;
  private pod: KubeObject;
  private readonly init: ContainerRuntime[];
  private readonly regular: ContainerRuntime[];
  private readonly podDir: string;
  private readonly podVolumes: PodVolumes;
  private sandbox: PodSandbox | undefined;
  private sandboxProblem: { reason: string; message: string } | undefined;
  private volumes: Map<string, MountedVolume> | undefined;
  private etcFiles: SandboxSpec['etcFiles'] | undefined;
  private etcContents: { path: string; content: string }[] = [];
  private startTime: string;
  /** The pod has reached Succeeded or Failed: nothing runs or restarts any more. */
  private terminal = false;
  /** Winding down (completion, deadline, deletion): nothing restarts. */
  private completing = false;
  private forcedPhase: ForcedPhase | undefined;
  private killing: Promise<void> | undefined;
  private removeRequested = false;
  private removed = false;
  private syncing = false;
  private dirty = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private deadlineTimer: NodeJS.Timeout | undefined;
  private modesRecorded = false;
  /** The container-modes annotation still to be written (with the next status write). */
  private pendingModes: string | undefined;
  private networkReleased = false;
  private readonly probeExecs = new Set<{ kill(): void }>();

  constructor(
    private readonly ctx: KubeletContext,
    pod: KubeObject,
  ) {
    this.pod = pod;
    this.uid = pod.metadata.uid!;
    this.key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.podDir = path.join(ctx.podsDir, this.uid);
    const spec = podSpec(pod);
    this.init = (spec.initContainers ?? []).map((c) => new ContainerRuntime(c.name, isSidecar(c) ? 'sidecar' : 'init', c));
    this.regular = spec.containers.map((c) => new ContainerRuntime(c.name, 'regular', c));
    this.startTime = now();
    this.podVolumes = new PodVolumes({
      pod,
      podDir: this.podDir,
      lookup: ctx.lookup,
      node: ctx.node,
      podIP: '',
      hostIP: ctx.network.nodeIP,
      nodeName: ctx.nodeName,
    });
    const existing = (pod.status ?? {}) as PodStatus;
    if (existing.startTime) this.startTime = existing.startTime;
    if (existing.phase === 'Succeeded' || existing.phase === 'Failed') {
      // Finished before: nothing runs again; the worker only keeps the logs until deletion.
      this.terminal = true;
      this.completing = true;
      this.networkReleased = true;
    } else {
      adoptContainers([...this.init, ...this.regular], existing, (c) => this.modeOf(c));
    }
  }

  get namespace(): string {
    return this.pod.metadata.namespace ?? 'default';
  }

  /** ConfigMaps, Secrets and claims (`configmap/NAME`, ...) whose changes concern this pod. */
  dependencies(): Set<string> {
    const deps = volumeDependencies(this.pod);
    for (const c of [...this.init, ...this.regular]) {
      for (const e of c.spec.envFrom ?? []) {
        if (e.configMapRef?.name) deps.add(`configmap/${e.configMapRef.name}`);
        if (e.secretRef?.name) deps.add(`secret/${e.secretRef.name}`);
      }
      for (const e of c.spec.env ?? []) {
        if (e.valueFrom?.configMapKeyRef?.name) deps.add(`configmap/${e.valueFrom.configMapKeyRef.name}`);
        if (e.valueFrom?.secretKeyRef?.name) deps.add(`secret/${e.valueFrom.secretKeyRef.name}`);
      }
    }
    return deps;
  }

  /** Containers' statuses as the kubelet sees them now (fresher than the stored pod between writes). */
  containerStatuses(): { init: ReturnType<ContainerRuntime['status']>[]; regular: ReturnType<ContainerRuntime['status']>[] } {
    const initialized = this.initDone();
    return {
      init: this.init.map((c) => c.status('PodInitializing')),
      regular: this.regular.map((c) => c.status(initialized ? 'ContainerCreating' : 'PodInitializing')),
    };
  }

  update(pod: KubeObject): void {
    const metadataChanged = JSON.stringify([pod.metadata.labels, pod.metadata.annotations]) !== JSON.stringify([this.pod.metadata.labels, this.pod.metadata.annotations]);
    this.pod = pod;
    this.podVolumes.setContext({ pod });
    // Downward API volumes show labels and annotations: keep them current, as the kubelet does.
    if (metadataChanged && this.volumes) void this.podVolumes.refresh();
    const spec = podSpec(pod);
    for (const c of this.init) c.spec = spec.initContainers?.find((s) => s.name === c.name) ?? c.spec;
    for (const c of this.regular) c.spec = spec.containers.find((s) => s.name === c.name) ?? c.spec;
    this.armDeadline();
    this.kick();
  }

  /** A ConfigMap, Secret or claim the pod uses changed: retry what waited on it, refresh volumes. */
  dependencyChanged(): void {
    for (const c of [...this.init, ...this.regular]) c.retryAtMs = undefined;
    if (this.volumes) void this.podVolumes.refresh();
    this.kick();
  }

  /** The pod is gone from the API (or replaced): kill everything now and clean up. */
  remove(): void {
    this.removeRequested = true;
    for (const c of [...this.init, ...this.regular]) void c.run?.process?.kill();
    this.kick();
  }

  /** Kubelet shutdown: stop every process (SIGTERM, SIGKILL after `graceMs`), write nothing. */
  async shutdown(graceMs: number): Promise<void> {
    this.removed = true;
    this.clearTimers();
    for (const p of this.probeExecs) p.kill();
    await Promise.all([...this.init, ...this.regular].map((c) => (c.run ? this.stopRun(c, c.run, graceMs, 'pod') : undefined)));
  }

  kick(): void {
    if (this.removed) return;
    if (this.syncing) {
      this.dirty = true;
      return;
    }
    this.syncing = true;
    void this.loop();
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.dirty = false;
        try {
          await this.syncOnce();
        } catch (err) {
          this.ctx.log.warn({ err, pod: this.key }, 'pod sync failed; retrying');
          this.after(1000);
        }
      } while (this.dirty && !this.removed);
    } finally {
      this.syncing = false;
    }
  }

  private after(ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.kick();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private get spec(): PodSpec {
    return podSpec(this.pod);
  }

  private get policy(): 'Always' | 'OnFailure' | 'Never' {
    return this.spec.restartPolicy ?? 'Always';
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.ctx.recorder.record(this.pod, type, reason, message);
  }

  private requestStatus(): void {
    if (!this.removed && !this.removeRequested && !this.killing) this.ctx.statusWriter.request(this);
  }

  // ------------------------------------------------------------------ sync

  private async syncOnce(): Promise<void> {
    if (this.removeRequested) return this.removeNow();
    if (this.pod.metadata.deletionTimestamp) return this.terminate();
    if (this.terminal || this.completing) return;
    if (this.deadlineExceeded()) return this.failDeadline();
    this.recordModes();
    if (!this.volumes || !this.sandbox) {
      const ready = await this.ctx.setupSlots.run(() => this.setUpPod());
      this.requestStatus();
      if (!ready) return;
    }
    await this.advance();
    await this.checkCompletion();
    this.requestStatus();
  }

  /** Volumes first (as the kubelet mounts them before creating the sandbox), then the sandbox. */
  private async setUpPod(): Promise<boolean> {
    if (!this.volumes) {
      try {
        this.volumes = await this.podVolumes.setUp();
        this.sandboxProblem = undefined;
      } catch (err) {
        if (!(err instanceof VolumeError)) throw err;
        const message = `MountVolume.SetUp failed for volume ${JSON.stringify(err.volume)} : ${err.message}`;
        this.sandboxProblem = { reason: 'FailedMount', message };
        this.event('Warning', 'FailedMount', message);
        this.after(Math.min(this.ctx.backoff.baseMs, 5000));
        return false;
      }
    }
    if (!this.sandbox) {
      try {
        const spec = this.spec;
        const sandbox = spec.hostNetwork
          ? { ip: this.ctx.network.nodeIP }
          : await this.ctx.network.setup({ uid: this.uid, namespace: this.namespace, name: this.pod.metadata.name!, hostname: podHostname(this.pod) });
        await this.prepareEtcFiles(sandbox);
        this.sandbox = sandbox;
        // Volumes were set up before the pod had an address (as in Kubernetes): fill in status.podIP.
        this.podVolumes.setContext({ podIP: sandbox.ip });
        await this.podVolumes.refresh();
        this.sandboxProblem = undefined;
        this.armDeadline();
      } catch (err) {
        const message = `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`;
        this.sandboxProblem = { reason: 'FailedCreatePodSandBox', message };
        this.event('Warning', 'FailedCreatePodSandBox', message);
        this.after(Math.min(this.ctx.backoff.baseMs, 5000));
        return false;
      }
    }
    return true;
  }

  /**
   * The pod's /etc files. They are written by the process spawner just before a container starts
   * (SpawnerRequest.files), so a pod costs the API server's thread no file I/O of its own.
   */
  private async prepareEtcFiles(sandbox: PodSandbox): Promise<void> {
    // Straight in the pod directory (no etc/ of their own): every new inode costs kernel time.
    const dir = this.podDir;
    const spec = this.spec;
    const hosts = spec.hostNetwork ? (await this.ctx.hostEtcHosts()) + hostAliasesContent(spec) : hostsFileContent(this.pod, sandbox.ip);
    this.etcFiles = { hosts: path.join(dir, 'hosts'), hostname: path.join(dir, 'hostname'), resolvConf: await this.ctx.resolvConfFile(sandbox.resolvConf) };
    this.etcContents = [
      { path: this.etcFiles.hosts, content: hosts },
      { path: this.etcFiles.hostname, content: `${podHostname(this.pod)}\n` },
    ];
  }

  private initDone(): boolean {
    return this.init.every((c) => (c.kind === 'sidecar' ? c.started : c.lastExit?.exitCode === 0));
  }

  /** A container whose image was changed in the pod spec is restarted with the new one (no back-off). */
  private replaceChanged(): void {
    for (const c of [...this.init, ...this.regular]) {
      const run = c.run;
      if (!run || run.stopReason || run.image === (c.spec.image ?? '')) continue;
      c.mode = undefined;
      c.rule = undefined;
      this.modesRecorded = false;
      this.event('Normal', 'Killing', `Container ${c.name} definition changed, will be restarted`);
      void this.stopRun(c, run, this.gracePeriodMs(), 'replaced');
    }
  }

  /** Starts what should run now: init containers one at a time, then every container. */
  private async advance(): Promise<void> {
    this.replaceChanged();
    // Once the containers have started, a restarting sidecar no longer holds anything back.
    const initialized = this.regular.some((c) => c.everStarted);
    for (const c of this.init) {
      if (c.kind === 'sidecar') {
        if (!c.run) await this.startContainer(c);
        // The next init container waits until the sidecar has started (startup probe passed).
        if (!initialized && (!c.run || !c.started)) return;
        continue;
      }
      if (initialized) continue;
      if (c.run) return;
      if (c.lastExit?.exitCode === 0) continue;
      if (c.lastExit && !this.shouldRestart(c)) return;
      await this.startContainer(c);
      // A simulated init container completes at once; anything else is waited for.
      if (!c.run && c.lastExit?.exitCode === 0) continue;
      return;
    }
    for (const c of this.regular) {
      if (c.run || c.permanent) continue;
      if (c.lastExit && !this.shouldRestart(c)) continue;
      await this.startContainer(c);
    }
  }

  private shouldRestart(c: ContainerRuntime): boolean {
    if (c.permanent || this.completing) return false;
    const exitCode = c.lastExit?.exitCode ?? 0;
    if (c.kind === 'sidecar') return true;
    if (c.kind === 'init') return exitCode !== 0 && this.policy !== 'Never';
    return this.policy === 'Always' || (this.policy === 'OnFailure' && exitCode !== 0);
  }

  /** Done when no container runs or will run again; sidecars are then stopped, last first. */
  private async checkCompletion(): Promise<void> {
    if (this.terminal || this.completing) return;
    const initFailed = this.init.some((c) => c.kind === 'init' && !c.run && c.lastExit !== undefined && c.lastExit.exitCode !== 0 && !this.shouldRestart(c));
    const regularDone = this.regular.every((c) => !c.run && c.lastExit !== undefined && !this.shouldRestart(c));
    if (!initFailed && !regularDone) return;
    this.completing = true;
    const grace = this.gracePeriodMs();
    for (const s of [...this.init].reverse()) if (s.run) await this.stopRun(s, s.run, grace, 'pod');
    this.finish();
  }

  private finish(): void {
    this.terminal = true;
    clearTimeout(this.deadlineTimer);
    this.ctx.backoff.forget(`${this.uid}/`);
    this.requestStatus();
    void this.releaseNetwork();
  }

  /** A finished pod keeps its IP in its status but not its sandbox (Jobs leave many finished pods). */
  private async releaseNetwork(): Promise<void> {
    if (this.networkReleased || this.spec.hostNetwork) return;
    this.networkReleased = true;
    await this.ctx.network.teardown(this.uid).catch((err: unknown) => this.ctx.log.warn({ err, pod: this.key }, 'releasing the pod network failed'));
  }

  private gracePeriodMs(): number {
    return (this.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  // ------------------------------------------------------------------ deadline

  private armDeadline(): void {
    clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    const seconds = this.spec.activeDeadlineSeconds;
    if (seconds === undefined || this.terminal) return;
    const remaining = Date.parse(this.startTime) + seconds * 1000 - Date.now();
    this.deadlineTimer = setTimeout(() => this.kick(), Math.max(0, remaining) + 5);
  }

  private deadlineExceeded(): boolean {
    const seconds = this.spec.activeDeadlineSeconds;
    return seconds !== undefined && Date.now() >= Date.parse(this.startTime) + seconds * 1000;
  }

  private async failDeadline(): Promise<void> {
    this.event('Warning', 'DeadlineExceeded', DEADLINE_MESSAGE);
    this.completing = true;
    await this.stopAll(this.gracePeriodMs(), 'pod');
    this.forcedPhase = { phase: 'Failed', reason: 'DeadlineExceeded', message: DEADLINE_MESSAGE };
    this.finish();
  }

  // ------------------------------------------------------------------ termination

  /** Stops regular containers together, then sidecars last-first, within one grace period. */
  private async stopAll(graceMs: number, reason: StopReason): Promise<void> {
    const deadline = Date.now() + graceMs;
    await Promise.all([...this.regular, ...this.init.filter((c) => c.kind === 'init')].map((c) => (c.run ? this.stopRun(c, c.run, graceMs, reason) : undefined)));
    for (const s of [...this.init].reverse()) if (s.run) await this.stopRun(s, s.run, Math.max(0, deadline - Date.now()), reason);
  }

  private async terminate(): Promise<void> {
    if (!this.killing) {
      this.completing = true;
      this.clearTimers();
      const grace = (this.pod.metadata.deletionGracePeriodSeconds ?? this.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      for (const c of [...this.init, ...this.regular]) if (c.run) this.event('Normal', 'Killing', `Stopping container ${c.name}`);
      this.killing = this.stopAll(grace, 'pod');
    }
    await this.killing;
    if (this.removeRequested) return this.removeNow();
    try {
      await this.ctx.deletePod(this.pod);
    } catch (err) {
      this.ctx.log.warn({ err, pod: this.key }, 'finishing the pod deletion failed; retrying');
      this.after(1000);
      return;
    }
    await this.removeNow();
  }

  private async removeNow(): Promise<void> {
    if (this.removed) return;
    this.completing = true;
    this.clearTimers();
    for (const p of this.probeExecs) p.kill();
    await this.stopAll(Math.min(2000, this.gracePeriodMs()), 'pod');
    this.removed = true;
    this.ctx.backoff.forget(`${this.uid}/`);
    if (!this.spec.hostNetwork) {
      await this.ctx.network.teardown(this.uid).catch((err: unknown) => this.ctx.log.warn({ err, pod: this.key }, 'releasing the pod network failed'));
    }
    await fsp.rm(this.podDir, { recursive: true, force: true }).catch((err: unknown) => this.ctx.log.warn({ err, pod: this.key }, 'removing the pod directory failed'));
    this.ctx.forget(this.uid);
  }

  // ------------------------------------------------------------------ modes

  private modeOf(c: ContainerRuntime): ContainerMode {
    if (c.mode) return c.mode;
    c.rule = matchImage(this.ctx.profile, c.spec.image);
    if (c.rule) c.mode = 'host';
    // Long-running containers of unknown images are simulated; in a pod that restarts always, its
    // init containers are too (they "complete" at once) so that Deployments of any image come up.
    else if (c.kind === 'sidecar' || this.policy === 'Always') c.mode = 'simulated';
    else c.mode = 'none';
    return c.mode;
  }

  private recordModes(): void {
    if (this.modesRecorded) return;
    this.modesRecorded = true;
    const modes: Record<string, string> = {};
    for (const c of [...this.init, ...this.regular]) modes[c.name] = this.modeOf(c);
    const json = JSON.stringify(modes);
    if (this.pod.metadata.annotations?.[CONTAINER_MODES_ANNOTATION] === json) return;
    // Written with the pod's next status (syncOnce requests one after this), not by a write of its
    // own; requesting one here would start the coalescing window early and split the pod's writes.
    this.pendingModes = json;
  }

  pendingAnnotations(): Record<string, string> | undefined {
    return this.pendingModes === undefined ? undefined : { [CONTAINER_MODES_ANNOTATION]: this.pendingModes };
  }

  annotationsWritten(annotations: Record<string, string>): void {
    if (annotations[CONTAINER_MODES_ANNOTATION] === this.pendingModes) this.pendingModes = undefined;
  }

  // ------------------------------------------------------------------ starting containers

  private async startContainer(c: ContainerRuntime): Promise<void> {
    if (this.removed) return;
    const nowMs = Date.now();
    if (c.retryAtMs !== undefined && nowMs < c.retryAtMs) return;
    if (c.lastExit && !this.passBackOff(c, nowMs)) return;
    switch (this.modeOf(c)) {
      case 'none':
        return this.refuse(c);
      case 'simulated':
        return this.startSimulated(c);
      default:
        return this.startHost(c);
    }
  }

  /** CrashLoopBackOff: false while the container must wait (its status says so, a timer wakes us). */
  private passBackOff(c: ContainerRuntime, nowMs: number): boolean {
    const key = `${this.uid}/${c.name}`;
    if (c.skipBackOff) {
      c.skipBackOff = false;
      return true;
    }
    const wait = this.ctx.backoff.inBackOff(key, c.lastExit!.finishedAtMs, nowMs);
    if (!wait) {
      this.ctx.backoff.next(key, c.lastExit!.finishedAtMs);
      return true;
    }
    if (c.state?.terminated) c.lastState = { terminated: c.state.terminated };
    const message = `back-off ${goDuration(wait.delayMs)} restarting failed container=${c.name} pod=${podDescription(this.pod.metadata)}`;
    if (c.state?.waiting?.message !== message) {
      c.state = { waiting: { reason: 'CrashLoopBackOff', message } };
      this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podDescription(this.pod.metadata)}`);
    }
    this.after(wait.remainingMs);
    return false;
  }

  private refuse(c: ContainerRuntime): void {
    const image = c.spec.image ?? '';
    const message = `image ${JSON.stringify(image)} is not in the image profile (${this.ctx.profile.source}); only long-running containers of unknown images are simulated`;
    const t = now();
    c.permanent = true;
    c.everStarted = true;
    c.state = { terminated: { exitCode: 128, reason: 'ImageNotInProfile', message, finishedAt: t } };
    c.lastExit = { exitCode: 128, finishedAtMs: Date.now() };
    this.event('Warning', 'Failed', `Error: ${message}`);
  }

  /** Counts a restart and keeps the previous run as lastState. */
  private beginRun(c: ContainerRuntime): void {
    if (c.everStarted) {
      c.restartCount++;
      if (c.state?.terminated) c.lastState = { terminated: c.state.terminated };
    }
    c.everStarted = true;
    c.retryAtMs = undefined;
  }

  private newRun(c: ContainerRuntime, id: string, startedAt: string, log: LogHandle): ContainerRun {
    let markFinished!: () => void;
    const finished = new Promise<void>((resolve) => (markFinished = resolve));
    return { id, image: c.spec.image ?? '', startedAt, log, probes: [], finished, markFinished };
  }

  private logFile(c: ContainerRuntime, id: string): string {
    return containerLogPath(this.podDir, c.name, id);
  }

  private startSimulated(c: ContainerRuntime): void {
    const image = c.spec.image ?? '';
    const adopted = c.adoptedRunning;
    c.adoptedRunning = undefined;
    if (!adopted) {
      const what = c.kind === 'init' ? 'completes at once' : 'no process runs; probes are not executed';
      this.event('Normal', 'Simulated', `Container image ${JSON.stringify(image)} is not in the image profile: simulating container ${c.name} (${what})`);
    }
    c.imageID = `${RUNTIME_SCHEME}://simulated/${image}`;
    if (c.kind === 'init') {
      this.beginRun(c);
      const id = newContainerId();
      const t = now();
      c.containerID = `${RUNTIME_SCHEME}://${id}`;
      c.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: c.containerID } };
      c.lastExit = { exitCode: 0, finishedAtMs: Date.now() };
      return;
    }
    let id: string;
    let startedAt: string;
    if (adopted && c.containerID) {
      id = c.containerID.slice(`${RUNTIME_SCHEME}://`.length);
      startedAt = adopted.startedAt;
    } else {
      this.beginRun(c);
      id = newContainerId();
      startedAt = now();
      c.containerID = `${RUNTIME_SCHEME}://${id}`;
    }
    const log = new ContainerLogWriter(this.logFile(c, id));
    const run = this.newRun(c, id, startedAt, log);
    run.closeLog = () => log.close();
    c.run = run;
    c.state = { running: { startedAt } };
    c.started = true;
    this.ctx.liveLogs.set(c.containerID!, log);
    const probe = c.spec.readinessProbe;
    const delay = probe ? (probe.initialDelaySeconds ?? 0) * 1000 : this.ctx.simulatedReadyDelayMs;
    if (adopted?.ready || delay <= 0) c.ready = true;
    else {
      c.ready = false;
      run.readyTimer = setTimeout(() => {
        if (c.run !== run) return;
        c.ready = true;
        this.requestStatus();
      }, delay);
    }
  }

  private async startHost(c: ContainerRuntime): Promise<void> {
    const launch = await this.launchFor(c);
    if (!launch) return;
    this.beginRun(c);
    const id = newContainerId();
    const proc = new HostProcess(
      this.ctx.spawner,
      { id, argv: launch.argv, env: launch.env, ...(launch.cwd ? { cwd: launch.cwd } : {}), logFile: this.logFile(c, id), files: this.ctx.sandboxed ? this.etcContents : [] },
      this.ctx.sandboxed,
    );
    const run = this.newRun(c, id, now(), proc.log);
    run.process = proc;
    run.launch = launch;
    c.run = run;
    c.containerID = `${RUNTIME_SCHEME}://${id}`;
    c.imageID = `${RUNTIME_SCHEME}://host/${c.spec.image ?? ''}`;
    c.state = { running: { startedAt: run.startedAt } };
    c.started = !c.spec.startupProbe;
    c.ready = c.started && !c.spec.readinessProbe;
    this.ctx.liveLogs.set(c.containerID, proc.log);
    this.event('Normal', 'Started', `Started container ${c.name}`);
    this.startProbes(c, run);
    void proc.exited.then((exit) => this.onExit(c, run, exit.exitCode, exit.startError));
  }

  /** Environment, command and mounts; on a configuration or creation error the container waits and retries. */
  private async launchFor(c: ContainerRuntime): Promise<Launch | undefined> {
    const retryMs = Math.min(this.ctx.backoff.baseMs, 10_000);
    const wait = (reason: string, message: string): undefined => {
      if (c.state?.terminated) c.lastState = { terminated: c.state.terminated };
      c.state = { waiting: { reason, message } };
      c.retryAtMs = Date.now() + retryMs;
      this.event('Warning', 'Failed', `Error: ${message}`);
      this.after(retryMs);
      return undefined;
    };
    try {
      const resolved = resolveContainerEnv(c.spec, {
        pod: this.pod,
        lookup: this.ctx.lookup,
        node: this.ctx.node,
        serviceEnv: this.ctx.serviceEnv(this.pod),
        podIP: this.sandbox?.ip ?? '',
        hostIP: this.ctx.network.nodeIP,
        nodeName: this.ctx.nodeName,
      });
      for (const w of resolved.warnings) this.event('Warning', 'InvalidEnvironmentVariableNames', w);
      const spec = this.spec;
      return await prepareLaunch({
        container: c.spec,
        rule: c.rule!,
        env: resolved.env,
        hostname: podHostname(this.pod),
        volumes: this.volumes ?? new Map(),
        aliasDir: await this.ctx.aliasDir(c.rule!),
        sandbox: this.ctx.sandboxed
          ? {
              hostname: spec.hostNetwork ? undefined : podHostname(this.pod),
              unsharePid: !spec.hostPID,
              unshareIpc: !spec.hostIPC,
              netnsPath: spec.hostNetwork || !this.sandbox?.netnsPath ? undefined : pathForSpawner(this.ctx.spawner, this.sandbox.netnsPath),
              etcFiles: this.etcFiles!,
              wholeRoot: this.ctx.spawner.mountNamespace === 'own',
            }
          : undefined,
      });
    } catch (err) {
      if (err instanceof ConfigError) return wait('CreateContainerConfigError', err.message);
      if (err instanceof CreateContainerError) return wait('CreateContainerError', err.message);
      throw err;
    }
  }

  private async onExit(c: ContainerRuntime, run: ContainerRun, exitCode: number, startError: string | undefined): Promise<void> {
    const finishedAt = now();
    const finishedAtMs = Date.now();
    this.stopProbes(run);
    this.ctx.liveLogs.delete(`${RUNTIME_SCHEME}://${run.id}`);
    if (c.run === run) {
      c.run = undefined;
      const reason = startError !== undefined ? 'StartError' : exitCode === 0 ? 'Completed' : 'Error';
      c.state = {
        terminated: {
          exitCode,
          reason,
          ...(startError !== undefined ? { message: startError } : {}),
          startedAt: run.startedAt,
          finishedAt,
          containerID: `${RUNTIME_SCHEME}://${run.id}`,
        },
      };
      c.lastExit = { exitCode, finishedAtMs };
      c.ready = false;
      c.started = false;
      if (run.stopReason === 'replaced') c.skipBackOff = true;
    }
    run.markFinished();
    this.kick();
  }

  private stopProbes(run: ContainerRun): void {
    for (const p of run.probes) p.stop();
    clearTimeout(run.readyTimer);
  }

  /** Stops a run (SIGTERM, SIGKILL after the grace period) and waits until its exit is recorded. */
  private async stopRun(c: ContainerRuntime, run: ContainerRun, graceMs: number, reason: StopReason): Promise<void> {
    run.stopReason ??= reason;
    this.stopProbes(run);
    if (run.process) {
      await run.process.stop(graceMs);
      await run.finished;
      return;
    }
    // A simulated container has nothing to stop: it ends as a process would that exits on SIGTERM.
    if (c.run === run) {
      c.run = undefined;
      const t = now();
      c.state = { terminated: { exitCode: 0, reason: 'Completed', startedAt: run.startedAt, finishedAt: t, containerID: `${RUNTIME_SCHEME}://${run.id}` } };
      c.lastExit = { exitCode: 0, finishedAtMs: Date.now() };
      c.ready = false;
      c.started = false;
      if (run.stopReason === 'replaced') c.skipBackOff = true;
    }
    await run.closeLog?.();
    this.kick();
    this.ctx.liveLogs.delete(`${RUNTIME_SCHEME}://${run.id}`);
    run.markFinished();
  }

  // ------------------------------------------------------------------ probes

  private startProbes(c: ContainerRuntime, run: ContainerRun): void {
    startContainerProbes(c, run, {
      host: this.sandbox?.ip ?? '127.0.0.1',
      exec: (command, timeoutMs) =>
        run.process && run.launch
          ? execInContainer(run.process, run.launch, this.ctx.sandboxed, command, timeoutMs, this.probeExecs)
          : Promise.resolve({ exitCode: 1, output: 'container is not running', timedOut: false }),
      event: (type, reason, message) => this.event(type, reason, message),
      changed: () => this.requestStatus(),
      restart: (which, probe) => {
        if (c.run !== run || run.stopReason) return;
        this.event('Normal', 'Killing', `Container ${c.name} failed ${which} probe, will be restarted`);
        const grace = (probe.terminationGracePeriodSeconds ?? this.spec.terminationGracePeriodSeconds ?? 30) * 1000;
        void this.stopRun(c, run, grace, which);
      },
    });
  }

  // ------------------------------------------------------------------ status

  buildStatus(existing: PodStatus): PodStatus | undefined {
    if (this.removed || this.removeRequested || this.killing) return undefined;
    const { init, regular } = this.containerStatuses();
    const spec = this.spec;
    let forced = this.forcedPhase;
    if (!forced && this.terminal) {
      const phase = podPhase(spec, init, regular, true);
      if (phase !== 'Succeeded' && phase !== 'Failed') forced = { phase: 'Failed' };
    }
    return computePodStatus({
      spec,
      existing,
      initStatuses: init,
      statuses: regular,
      sandboxReady: this.sandbox !== undefined && this.volumes !== undefined,
      sandboxProblem: this.sandboxProblem,
      podIsTerminal: this.terminal,
      forcedPhase: forced,
      podIP: this.sandbox?.ip ?? existing.podIP,
      hostIP: this.ctx.network.nodeIP,
      startTime: this.startTime,
      now: now(),
      readinessGates: ((spec as { readinessGates?: { conditionType: string }[] }).readinessGates ?? []).map((g) => g.conditionType),
    });
  }
}
