/**
 * The local kubelet: runs the pods bound to this node as sandboxed host processes (see README.md).
 * It follows pods with `spec.nodeName` = this node through the store's committed watch, keeps one
 * PodWorker per pod, and writes only through the ResourceService (status subresource, the
 * container-modes annotation, the final delete), exactly as a kubelet talks to kube-apiserver.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ResourceRegistry } from '../api/resource-registry.js';
import type { ResourceService } from '../api/resource-service.js';
import type { EventRecorder } from '../controllers/event-recorder.js';
import { systemScope } from '../controllers/system-scope.js';
import { ApiError } from '../errors.js';
import type { KubeObject } from '../objects.js';
import type { PodNetwork } from '../network/pod-network.js';
import type { ObjectStore, StoreEvent } from '../store/object-store.js';
import { RestartBackOff } from './backoff.js';
import { serviceEnvVars, type ConfigMapData, type NodeAllocatable, type SecretData } from './env.js';
import { DEFAULT_IMAGE_PROFILE, NODE_ALIAS_TARGET, type ImageProfile, type ImageRule } from './image-profile.js';
import { KubeletLogSource } from './log-source.js';
import { PodWorker, type KubeletContext } from './pod-worker.js';
import { HelperSpawner, InlineSpawner, probeOwnMountNamespace, type LogHandle, type ProcessSpawner } from './process-spawner.js';
import { probeBubblewrap } from './sandbox.js';
import { KUBELET_MANAGER, Semaphore, StatusWriter } from './status-writer.js';
import type { ContainerStatus, PodSpec } from './types.js';
import type { StorageLookup } from './volumes.js';

export { loadImageProfile, parseImageProfile, DEFAULT_IMAGE_PROFILE, type ImageProfile } from './image-profile.js';
export { CONTAINER_MODES_ANNOTATION } from './pod-worker.js';

export interface KubeletOptions {
  store: ObjectStore;
  registry: ResourceRegistry;
  service: ResourceService;
  nodeName: string;
  /** The kubelet's root: `pods/<uid>/` (`volumes/`, `hosts`, `hostname`, `<container>_<id>.log`) and `images/` (command aliases). */
  dataDir: string;
  network: PodNetwork;
  log: Logger;
  recorder: EventRecorder;
  /** Which images run on the host (default: DEFAULT_IMAGE_PROFILE). */
  imageProfile?: ImageProfile;
  /** First crash-loop back-off (default 10 s, doubling up to 300 s). */
  crashLoopBackOffBaseMs?: number;
  /** How long a simulated container takes to become Ready when it has no readinessProbe (default 500 ms). */
  simulatedReadyDelayMs?: number;
  /** How long status changes are gathered before one write (default 50 ms). */
  statusCoalesceMs?: number;
  /** Pod setups (volumes + sandbox) in progress at once (default 16). */
  maxConcurrentSetups?: number;
  /** 'auto' (default): bubblewrap when it works here; 'none': plain process groups. */
  sandbox?: 'auto' | 'none';
}

const MAX_BACKOFF_MS = 300_000;
/** How long stop() lets containers handle SIGTERM before SIGKILL. */
const SHUTDOWN_GRACE_MS = 2000;

export class Kubelet {
  readonly logSource: KubeletLogSource;
  private mode: 'bubblewrap' | 'none' = 'none';
  private readonly log: Logger;
  private readonly podsDir: string;
  private readonly workers = new Map<string, PodWorker>();
  private readonly uidByKey = new Map<string, string>();
  private readonly unwatch: (() => void)[] = [];
  private readonly statusWriter: StatusWriter;
  private readonly ctx: KubeletContext;
  private readonly aliasDirs = new Map<string, Promise<string | undefined>>();
  private readonly liveLogs = new Map<string, LogHandle>();
  private readonly hostFiles = new Map<string, Promise<string>>();
  private readonly resolvFiles = new Map<string, Promise<string>>();
  private running = false;

  constructor(private readonly o: KubeletOptions) {
    this.log = o.log.child({ component: 'kubelet' });
    this.podsDir = path.join(o.dataDir, 'pods');
    this.statusWriter = new StatusWriter(o.store, o.registry, o.service, this.log, o.statusCoalesceMs ?? 50);
    const lookup: StorageLookup = {
      configMap: (ns, name) => o.store.get('configmaps', `${ns}/${name}`)?.obj as ConfigMapData | undefined,
      secret: (ns, name) => o.store.get('secrets', `${ns}/${name}`)?.obj as SecretData | undefined,
      persistentVolumeClaim: (ns, name) => o.store.get('persistentvolumeclaims', `${ns}/${name}`)?.obj,
      persistentVolume: (name) => o.store.get('persistentvolumes', name)?.obj,
    };
    const node: NodeAllocatable = { cpu: os.cpus().length, memory: os.totalmem(), ephemeralStorage: 100 * 2 ** 30 };
    const base = o.crashLoopBackOffBaseMs ?? 10_000;
    this.ctx = {
      nodeName: o.nodeName,
      network: o.network,
      log: this.log,
      recorder: o.recorder,
      profile: o.imageProfile ?? DEFAULT_IMAGE_PROFILE,
      sandboxed: false,
      podsDir: this.podsDir,
      lookup,
      node,
      backoff: new RestartBackOff(base, Math.max(base, MAX_BACKOFF_MS)),
      simulatedReadyDelayMs: o.simulatedReadyDelayMs ?? 500,
      setupSlots: new Semaphore(o.maxConcurrentSetups ?? 16),
      statusWriter: this.statusWriter,
      aliasDir: (rule) => this.aliasDir(rule),
      serviceEnv: (pod) => this.serviceEnv(pod),
      resolvConfFile: (content) => this.resolvConfFile(content),
      hostEtcHosts: () => this.hostFile('/etc/hosts'),
      deletePod: (pod) => this.deletePod(pod),
      liveLogs: this.liveLogs,
      spawner: new InlineSpawner(),
      forget: (uid) => this.forget(uid),
    };
    this.logSource = new KubeletLogSource({
      podsDir: this.podsDir,
      statusesOf: (uid) => {
        const w = this.workers.get(uid);
        if (!w) return undefined;
        const { init, regular } = w.containerStatuses();
        return [...init, ...regular] as ContainerStatus[];
      },
      liveLog: (id) => this.liveLogs.get(id),
    });
  }

  /** How containers are isolated: bubblewrap namespaces, or (where unavailable) plain process groups. */
  get sandboxing(): 'bubblewrap' | 'none' {
    return this.mode;
  }

  /** The container runtime as the Node object shows it. */
  get runtimeName(): string {
    return this.mode === 'bubblewrap' ? 'argosy-bubblewrap' : 'argosy-process';
  }

  async start(): Promise<void> {
    if (this.running) return;
    const [problem, ownMounts] = this.o.sandbox === 'none' ? [undefined, false] : await Promise.all([probeBubblewrap(), probeOwnMountNamespace()]);
    this.mode = problem || this.o.sandbox === 'none' ? 'none' : 'bubblewrap';
    this.ctx.sandboxed = this.mode === 'bubblewrap';
    if (problem) {
      this.log.warn({ problem }, 'bubblewrap is unavailable: containers run as plain process groups on the host (no namespaces, volumes not mounted at their mountPath)');
    }
    await fsp.mkdir(this.podsDir, { recursive: true, mode: 0o700 });
    // Only sandboxes gain from the spawner's own mount namespace (see process-spawner.ts).
    this.ctx.spawner = this.startSpawner(this.mode === 'bubblewrap' && ownMounts);
    this.statusWriter.start();
    this.running = true;
    this.follow('pods', (e) => this.onPodEvent(e));
    this.follow('configmaps', (e) => this.onDependencyEvent('configmap', e));
    this.follow('secrets', (e) => this.onDependencyEvent('secret', e));
    this.follow('persistentvolumeclaims', (e) => this.onDependencyEvent('pvc', e));
    this.follow('persistentvolumes', () => {
      for (const w of this.workers.values()) if ([...w.dependencies()].some((d) => d.startsWith('pvc/'))) w.dependencyChanged();
    });
    for (const { obj } of this.o.store.list('pods')) if (this.isOurs(obj)) this.admit(obj);
    await this.removeOrphans();
  }

  /** Stops every container (SIGTERM, then SIGKILL after a short grace) and every watch; pods stay as they are in the API. */
  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unwatch.splice(0)) u();
    this.statusWriter.stop();
    const workers = [...this.workers.values()];
    this.workers.clear();
    this.uidByKey.clear();
    await Promise.all(workers.map((w) => w.shutdown(SHUTDOWN_GRACE_MS)));
    // Only now: the spawner is the sandboxes' parent, and they die with it.
    await this.ctx.spawner.close();
  }

  private startSpawner(ownMountNamespace: boolean): ProcessSpawner {
    try {
      return new HelperSpawner((err) => this.log.error({ err }, "the kubelet's process spawner failed"), ownMountNamespace);
    } catch (err) {
      this.log.warn({ err }, 'no helper process for starting containers; starting them from the API server process');
      return new InlineSpawner();
    }
  }

  /** Resolves once pending status writes are done (tests). */
  settled(): Promise<void> {
    return this.statusWriter.settled();
  }

  private follow(resource: string, listener: (e: StoreEvent) => void): void {
    const { backlog, stop } = this.o.store.watch(resource, this.o.store.resourceVersion, listener);
    this.unwatch.push(stop);
    for (const e of backlog) listener(e);
  }

  private isOurs(pod: KubeObject): boolean {
    return (pod.spec as PodSpec | undefined)?.nodeName === this.o.nodeName;
  }

  private onPodEvent(e: StoreEvent): void {
    if (!this.running) return;
    const pod = e.object.obj;
    const uid = pod.metadata.uid ?? '';
    if (e.type === 'DELETED' || !this.isOurs(pod)) {
      this.workers.get(uid)?.remove();
      return;
    }
    const previous = this.uidByKey.get(e.key);
    if (previous && previous !== uid) this.workers.get(previous)?.remove();
    this.admit(pod);
  }

  private admit(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    let worker = this.workers.get(uid);
    if (!worker) {
      worker = new PodWorker(this.ctx, pod);
      this.workers.set(uid, worker);
      this.uidByKey.set(worker.key, uid);
    }
    worker.update(pod);
  }

  private forget(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    this.workers.delete(uid);
    if (this.uidByKey.get(w.key) === uid) this.uidByKey.delete(w.key);
  }

  private onDependencyEvent(kind: 'configmap' | 'secret' | 'pvc', e: StoreEvent): void {
    if (!this.running) return;
    const meta = e.object.obj.metadata;
    const dep = `${kind}/${meta.name}`;
    for (const w of this.workers.values()) {
      if (w.namespace === meta.namespace && w.dependencies().has(dep)) w.dependencyChanged();
    }
  }

  /** Pod directories (and sandboxes) left by pods deleted while the kubelet was down. */
  private async removeOrphans(): Promise<void> {
    const entries = await fsp.readdir(this.podsDir).catch(() => [] as string[]);
    for (const uid of entries) {
      if (this.workers.has(uid)) continue;
      await this.o.network.teardown(uid).catch((err: unknown) => this.log.warn({ err, uid }, 'releasing an orphaned pod network failed'));
      await fsp.rm(path.join(this.podsDir, uid), { recursive: true, force: true });
    }
  }

  private serviceEnv(pod: KubeObject): Record<string, string> {
    const ns = pod.metadata.namespace ?? 'default';
    const services: KubeObject[] = [];
    if ((pod.spec as PodSpec | undefined)?.enableServiceLinks !== false) {
      for (const s of this.o.store.list('services', ns)) if (!(ns === 'default' && s.obj.metadata.name === 'kubernetes')) services.push(s.obj);
    }
    // The API server's own Service is always announced (KUBERNETES_SERVICE_HOST/PORT).
    const master = this.o.store.get('services', 'default/kubernetes')?.obj;
    if (master) services.push(master);
    return serviceEnvVars(services as Parameters<typeof serviceEnvVars>[0]);
  }

  private hostFile(file: string): Promise<string> {
    let p = this.hostFiles.get(file);
    if (!p) {
      p = fsp.readFile(file, 'utf8').catch(() => '');
      this.hostFiles.set(file, p);
    }
    return p;
  }

  /** One file per distinct resolv.conf (the network's, or the host's when it gives none), shared by pods. */
  private resolvConfFile(content: string | undefined): Promise<string> {
    const key = content ?? '';
    let p = this.resolvFiles.get(key);
    if (!p) {
      p = (async () => {
        const text = content ?? (await this.hostFile('/etc/resolv.conf'));
        const file = path.join(this.o.dataDir, 'etc', `resolv-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.conf`);
        await fsp.mkdir(path.dirname(file), { recursive: true });
        await fsp.writeFile(file, text);
        return file;
      })();
      this.resolvFiles.set(key, p);
    }
    return p;
  }

  /** The image's command aliases as a directory of symlinks, made once per image rule. */
  private aliasDir(rule: ImageRule): Promise<string | undefined> {
    const entries = Object.entries(rule.aliases);
    if (entries.length === 0) return Promise.resolve(undefined);
    const id = createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
    let dir = this.aliasDirs.get(id);
    if (!dir) {
      dir = this.makeAliasDir(path.join(this.o.dataDir, 'images', id, 'bin'), entries, rule.env.PATH ?? '');
      this.aliasDirs.set(id, dir);
    }
    return dir;
  }

  private async makeAliasDir(dir: string, entries: [string, string][], imagePath: string): Promise<string> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
    for (const [name, target] of entries) {
      const resolved = await resolveAliasTarget(target, imagePath);
      const link = path.join(dir, name);
      await fsp.rm(link, { force: true });
      if (resolved) await fsp.symlink(resolved, link);
      else this.log.warn({ alias: name, target }, 'image profile alias target not found on this host; the alias is left out');
    }
    return dir;
  }

  private podScope(pod: KubeObject): ReturnType<typeof systemScope> {
    return systemScope(this.o.registry.lookup('', 'v1', 'pods')!, pod.metadata.namespace, KUBELET_MANAGER);
  }

  /** Finishes a graceful deletion (grace 0, for this very pod only). */
  private async deletePod(pod: KubeObject): Promise<void> {
    try {
      await this.o.service.delete(this.podScope(pod), pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid! } });
    } catch (err) {
      // Gone already, or replaced by a new pod of the same name: either way this one is done.
      if (err instanceof ApiError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }
}

/** An alias target on this host: the image's PATH first (what the container would find), then the kubelet's. */
async function resolveAliasTarget(target: string, imagePath: string): Promise<string | undefined> {
  if (target === NODE_ALIAS_TARGET) return process.execPath;
  const dirs = [...imagePath.split(':'), ...(process.env.PATH ?? '').split(':')].filter(Boolean);
  const candidates = path.isAbsolute(target) ? [target] : dirs.map((d) => path.join(d, target));
  for (const c of candidates) {
    const ok = await fsp.access(c, fsConstants.X_OK).then(() => true, () => false);
    if (ok) return fsp.realpath(c).catch(() => c);
  }
  return undefined;
}
