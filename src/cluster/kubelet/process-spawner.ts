/**
 * Where container processes are started. Starting a process from Node blocks the calling thread
 * until the child has exec'd (libuv waits to learn whether exec failed), and the fork() before it
 * costs more the larger the process: several milliseconds per container in the API server's
 * process under load — from a worker thread even more. So containers are started by a small helper
 * process (HelperSpawner, see spawner-helper.ts) that also reads their output and writes their
 * logs; the API server's thread only sends a message per container and gets a few back.
 *
 * InlineSpawner does the same work in the calling process: the fallback where the helper cannot run.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { LogHandle } from './container-log.js';
import type { ProcessExit } from './host-process.js';
import { startProcess } from './spawner-helper.js';

export type { LogHandle } from './container-log.js';

export interface SpawnerRequest {
  id: string;
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  logFile: string;
  /** Written (directories created) before the process starts: the pod's /etc files. */
  files?: { path: string; content: string }[];
}

export type SpawnerReply =
  | { op: 'spawned'; id: string; pid: number }
  | { op: 'append'; id: string }
  | { op: 'exit'; id: string; exitCode: number; startError?: string };

export interface SpawnedProcess {
  /** Undefined when the process could not be started. */
  readonly pid: Promise<number | undefined>;
  /** Resolves once the process has exited and its output is all in the log. */
  readonly exited: Promise<ProcessExit>;
  readonly log: LogHandle;
}

export interface ProcessSpawner {
  /**
   * 'own': containers start in the spawner's own mount namespace, where the pod network's
   * namespace mounts (`/run/netns/*`) are not (see DROP_NETNS_MOUNTS); 'kubelet': in the kubelet's.
   */
  readonly mountNamespace: 'own' | 'kubelet';
  spawn(req: SpawnerRequest): SpawnedProcess;
  close(): Promise<void>;
}

/**
 * A path of the kubelet's mount namespace (e.g. a `/run/netns/NAME` bind mount) as a process in
 * the spawner's namespace reaches it: through the kubelet's root, `/proc/PID/root`, whose path
 * walk sees the kubelet's mounts.
 */
export function pathForSpawner(spawner: ProcessSpawner, kubeletPath: string): string {
  return spawner.mountNamespace === 'own' ? `/proc/${process.pid}/root${kubeletPath}` : kubeletPath;
}

/**
 * Why the helper gets a mount namespace of its own. Every sandbox starts as a copy of its
 * parent's mount table, and bubblewrap re-reads /proc/self/mountinfo for every bind it makes; the
 * pod network adds a bind mount per pod under /run/netns, so with 200 pods a sandbox cost three
 * times as much CPU (mostly the kernel formatting mountinfo). In a namespace of its own the
 * helper drops /run/netns (a sandbox reaches its pod's namespace through the kubelet's root, see
 * pathForSpawner), and /run stops receiving mounts (it is a private tmpfs in every sandbox
 * anyway); everything else still receives the host's new mounts (slave propagation), and nothing
 * done here propagates back.
 */
const UNSHARE = '/usr/bin/unshare';
const UNSHARE_ARGS = ['--mount', '--propagation', 'slave', '--'];
const DROP_NETNS_MOUNTS = 'umount -l /run/netns 2>/dev/null; mountpoint -q /run 2>/dev/null && mount --make-rprivate /run 2>/dev/null; exec "$@"';

/** Resolves to true when this process may give its helper a mount namespace of its own. */
export function probeOwnMountNamespace(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(UNSHARE, [...UNSHARE_ARGS, '/bin/sh', '-c', 'exit 0'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

/** The kubelet-side view of a log written elsewhere. */
class RemoteLog implements LogHandle {
  private readonly listeners = new Set<() => void>();
  private done = false;
  readonly ended: Promise<void>;
  private resolveEnded!: () => void;

  constructor() {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  get hasEnded(): boolean {
    return this.done;
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  appended(): void {
    for (const l of this.listeners) l();
  }

  end(): void {
    this.done = true;
    this.resolveEnded();
    this.appended();
  }
}

interface Pending {
  log: RemoteLog;
  resolvePid: (pid: number | undefined) => void;
  resolveExit: (exit: ProcessExit) => void;
}

class SpawnerCore {
  private readonly runs = new Map<string, Pending>();

  /** Told whether any run is in progress (a helper's channel keeps the process alive only then). */
  constructor(private readonly busy: (busy: boolean) => void = () => {}) {}

  track(id: string): SpawnedProcess {
    const log = new RemoteLog();
    let resolvePid!: (pid: number | undefined) => void;
    let resolveExit!: (exit: ProcessExit) => void;
    const pid = new Promise<number | undefined>((r) => (resolvePid = r));
    const exited = new Promise<ProcessExit>((r) => (resolveExit = r));
    this.runs.set(id, { log, resolvePid, resolveExit });
    if (this.runs.size === 1) this.busy(true);
    return { pid, exited, log };
  }

  handle(reply: SpawnerReply): void {
    const run = this.runs.get(reply.id);
    if (!run) return;
    if (reply.op === 'spawned') run.resolvePid(reply.pid);
    else if (reply.op === 'append') run.log.appended();
    else {
      this.runs.delete(reply.id);
      if (this.runs.size === 0) this.busy(false);
      run.resolvePid(undefined);
      run.log.end();
      run.resolveExit({ exitCode: reply.exitCode, ...(reply.startError !== undefined ? { startError: reply.startError } : {}) });
    }
  }

  /** Everything still tracked fails (the spawner is gone). */
  failAll(reason: string): void {
    for (const id of [...this.runs.keys()]) this.handle({ op: 'exit', id, exitCode: 128, startError: reason });
  }
}

export class HelperSpawner implements ProcessSpawner {
  // Containers running keep the kubelet's process alive, as child processes do; an idle helper does not.
  private readonly core = new SpawnerCore((busy) => {
    const channel = this.helper?.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (busy) channel?.ref?.();
    else channel?.unref?.();
  });
  private helper: ChildProcess | undefined;
  private closed = false;
  readonly mountNamespace: 'own' | 'kubelet';

  constructor(
    private readonly onError: (err: unknown) => void,
    /** Give the helper its own mount namespace (see DROP_NETNS_MOUNTS; probeOwnMountNamespace says whether it can). */
    ownMountNamespace = false,
  ) {
    this.mountNamespace = ownMountNamespace ? 'own' : 'kubelet';
    this.helper = this.startHelper();
  }

  private startHelper(): ChildProcess {
    const ts = import.meta.url.endsWith('.ts');
    const script = fileURLToPath(new URL(ts ? './spawner-helper.ts' : './spawner-helper.js', import.meta.url));
    // Running from TypeScript sources (tests, development) the helper needs tsx too.
    const nodeArgs = [...(ts ? ['--import', import.meta.resolve('tsx')] : []), script];
    const options = {
      env: { ...process.env, ARGOSY_KUBELET_SPAWNER: '1' },
      // Its own process group: a terminal's Ctrl-C is for the kubelet, which stops containers gracefully.
      detached: true,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[],
    };
    // unshare and sh exec in place: the helper keeps this pid and the IPC channel.
    const helper =
      this.mountNamespace === 'own'
        ? spawn(UNSHARE, [...UNSHARE_ARGS, '/bin/sh', '-c', DROP_NETNS_MOUNTS, 'sh', process.execPath, ...nodeArgs], options)
        : fork(script, [], { ...options, execArgv: nodeArgs.slice(0, -1) });
    helper.on('message', (reply: SpawnerReply) => this.core.handle(reply));
    helper.on('error', (err) => {
      // The helper could not be started or reached: nothing sent to it will be answered.
      if (this.helper === helper) this.helper = undefined;
      this.onError(err);
      this.core.failAll(`the kubelet's process spawner failed: ${err.message}`);
    });
    helper.on('exit', (code, signal) => {
      if (this.helper === helper) this.helper = undefined;
      if (!this.closed) this.onError(new Error(`the kubelet's process spawner exited (${signal ?? code})`));
      this.core.failAll("the kubelet's process spawner has stopped");
    });
    // When the kubelet's process ends, the channel closes and the helper follows.
    helper.unref();
    (helper.channel as { unref?: () => void } | undefined)?.unref?.();
    return helper;
  }

  spawn(req: SpawnerRequest): SpawnedProcess {
    const spawned = this.core.track(req.id);
    if (this.closed) {
      this.core.failAll('the kubelet is stopping');
      return spawned;
    }
    this.helper ??= this.startHelper();
    this.helper.send(req, (err) => {
      if (err) this.core.handle({ op: 'exit', id: req.id, exitCode: 128, startError: `the kubelet's process spawner is unreachable: ${err.message}` });
    });
    return spawned;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const helper = this.helper;
    if (!helper || helper.exitCode !== null || helper.signalCode !== null) return;
    const exited = once(helper, 'exit');
    helper.disconnect();
    const timer = setTimeout(() => helper.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** The same work in the calling process. */
export class InlineSpawner implements ProcessSpawner {
  private readonly core = new SpawnerCore();
  readonly mountNamespace = 'kubelet' as const;

  spawn(req: SpawnerRequest): SpawnedProcess {
    const spawned = this.core.track(req.id);
    startProcess(req, (reply) => this.core.handle(reply));
    return spawned;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
