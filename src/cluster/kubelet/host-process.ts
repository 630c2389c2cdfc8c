/**
 * One container run as a host process (started by a ProcessSpawner, its own process group, output
 * in its log, exit reported as Kubernetes reports it: 128 + signal for a signalled process).
 * Stopping is graceful first: SIGTERM goes to the container's main process — inside a sandbox that
 * is the command under bwrap, because bwrap itself would die at once and take the sandbox with it —
 * and SIGKILL to everything after the grace period.
 */
import fsp from 'node:fs/promises';
import type { LogHandle, ProcessSpawner, SpawnerRequest } from './process-spawner.js';

export interface ProcessExit {
  exitCode: number;
  /** Set when the process could not be started at all. */
  startError?: string;
}

async function readChildren(pid: number): Promise<number[]> {
  const text = await fsp.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.split(' ').filter(Boolean).map(Number);
}

async function comm(pid: number): Promise<string> {
  return (await fsp.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
}

/** Every process below `root` (by parent pid), found by one scan of /proc. */
export async function descendants(root: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  for (const entry of await fsp.readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fsp.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name may hold spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(rest[1]);
    if (!ppid) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift()!) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

export class HostProcess {
  readonly exited: Promise<ProcessExit>;
  readonly log: LogHandle;
  private readonly pid: Promise<number | undefined>;
  private done = false;

  constructor(
    spawner: ProcessSpawner,
    request: SpawnerRequest,
    /** True when argv runs bwrap (possibly via nsenter): the main process is then below it. */
    private readonly sandboxed: boolean,
  ) {
    const spawned = spawner.spawn(request);
    this.pid = spawned.pid;
    this.log = spawned.log;
    this.exited = spawned.exited.then((exit) => {
      this.done = true;
      return exit;
    });
  }

  get running(): boolean {
    return !this.done;
  }

  /**
   * The host pid of the container's main process: below bwrap (and bwrap's PID-namespace init)
   * in a sandbox, the spawned process itself otherwise.
   */
  async mainPid(): Promise<number | undefined> {
    const root = await this.pid;
    if (root === undefined || !this.sandboxed) return root;
    // Right after the start bwrap may still be setting up and not have forked the command yet.
    for (let attempt = 0; attempt < 50 && !this.done; attempt++) {
      let pid: number | undefined = root;
      for (let depth = 0; depth < 3 && pid !== undefined; depth++) {
        if ((await comm(pid)) !== 'bwrap') return pid;
        pid = (await readChildren(pid))[0];
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  }

  /** Asks the container to stop (SIGTERM to its main process, or its whole group without a sandbox). */
  async terminate(): Promise<void> {
    const pid = await this.pid;
    if (this.done || pid === undefined) return;
    if (!this.sandboxed) {
      signal(-pid, 'SIGTERM');
      return;
    }
    const main = await this.mainPid();
    signal(main ?? pid, 'SIGTERM');
  }

  /** Kills the run and everything it started. */
  async kill(): Promise<void> {
    const pid = await this.pid;
    if (this.done || pid === undefined) return;
    // Without a PID namespace, a process that left the group would survive the group kill.
    const below = this.sandboxed ? [] : await descendants(pid);
    signal(-pid, 'SIGKILL');
    signal(pid, 'SIGKILL');
    for (const p of below) signal(p, 'SIGKILL');
  }

  /** SIGTERM, then SIGKILL once `graceMs` has passed; resolves when the process has exited. */
  async stop(graceMs: number): Promise<ProcessExit> {
    await this.terminate();
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => void this.kill().then(resolve, resolve), Math.max(0, graceMs));
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    return this.exited;
  }
}
