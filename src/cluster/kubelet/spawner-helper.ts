/**
 * The kubelet's helper process that starts container processes (see process-spawner.ts for why):
 * it spawns each one detached with piped output, writes that output into the run's CRI log, and
 * reports over its IPC channel: `spawned` (pid), `append` (at most every 50 ms while output flows,
 * for `logs -f`), `exit` (once the log is complete). When the kubelet goes away — however it goes,
 * even SIGKILLed — the channel closes and the helper kills every process group it started and
 * exits; sandboxes die with it anyway (`--die-with-parent`).
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ContainerLogWriter } from './container-log.js';
import type { SpawnerReply, SpawnerRequest } from './process-spawner.js';

const APPEND_NOTICE_MS = 50;
/** Process groups started and not yet exited (killed if the kubelet disappears). */
const live = new Set<number>();

async function writeFiles(files: { path: string; content: string }[]): Promise<void> {
  const dirs = new Set(files.map((f) => path.dirname(f.path)));
  for (const dir of dirs) await fsp.mkdir(dir, { recursive: true });
  await Promise.all(files.map((f) => fsp.writeFile(f.path, f.content)));
}

export function startProcess(req: SpawnerRequest, report: (reply: SpawnerReply) => void): void {
  if (!req.files?.length) return launch(req, report);
  writeFiles(req.files).then(
    () => launch(req, report),
    (err: unknown) => report({ op: 'exit', id: req.id, exitCode: 128, startError: `writing the pod's files failed: ${err instanceof Error ? err.message : String(err)}` }),
  );
}

function launch(req: SpawnerRequest, report: (reply: SpawnerReply) => void): void {
  const log = new ContainerLogWriter(req.logFile);
  let noticePending = false;
  log.onAppend(() => {
    if (noticePending) return;
    noticePending = true;
    setTimeout(() => {
      noticePending = false;
      report({ op: 'append', id: req.id });
    }, APPEND_NOTICE_MS);
  });
  let finished = false;
  const finish = (exitCode: number, startError?: string): void => {
    if (finished) return;
    finished = true;
    void log.close().then(() => report({ op: 'exit', id: req.id, exitCode, ...(startError !== undefined ? { startError } : {}) }));
  };
  let child;
  try {
    const [file, ...args] = req.argv;
    child = spawn(file, args, { env: req.env, cwd: req.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    finish(128, err instanceof Error ? err.message : String(err));
    return;
  }
  log.attach(child.stdout!, 'stdout');
  log.attach(child.stderr!, 'stderr');
  const pid = child.pid;
  if (pid !== undefined) {
    live.add(pid);
    report({ op: 'spawned', id: req.id, pid });
  }
  child.once('error', (err) => finish(128, err.message));
  child.once('exit', (code, signal) => {
    if (pid !== undefined) {
      live.delete(pid);
      // A container ends with its main process: whatever it left running in its group goes too
      // (in a sandbox the PID namespace has already seen to that).
      killGroup(pid);
    }
    finish(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 9) : 0));
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function killAll(): void {
  for (const pid of live) killGroup(pid);
}

// Run as the helper process (forked with an IPC channel), not when imported.
if (process.send && process.env.ARGOSY_KUBELET_SPAWNER === '1') {
  // A failed send means the kubelet is gone: 'disconnect' follows and cleans up.
  process.on('message', (req: SpawnerRequest) => startProcess(req, (reply) => process.send!(reply, undefined, {}, () => {})));
  process.on('disconnect', () => {
    killAll();
    process.exit(0);
  });
  // Terminal signals go to the kubelet, which stops containers gracefully and then closes the channel.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => {});
}
