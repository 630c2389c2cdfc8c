/**
 * Runs a command inside a running container, for exec probes: in a sandbox, `nsenter` joins the
 * container main process's mount, UTS, IPC, network and PID namespaces and its root, so the
 * command sees exactly what the container sees; without a sandbox it is a plain child process
 * with the container's environment and working directory. Output is capped; on timeout the
 * command's process group is killed.
 */
import { spawn } from 'node:child_process';
import type { Launch } from './container-launch.js';
import type { HostProcess } from './host-process.js';

const MAX_OUTPUT = 10 * 1024;

export interface ExecResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

export async function execInContainer(
  proc: HostProcess,
  launch: Launch,
  sandboxed: boolean,
  command: string[],
  timeoutMs: number,
  /** Running execs, so that a pod being torn down can kill them. */
  active: Set<{ kill(): void }>,
): Promise<ExecResult> {
  if (command.length === 0) return { exitCode: 1, output: 'exec probe has no command', timedOut: false };
  let argv: string[];
  let cwd: string | undefined;
  if (sandboxed) {
    const pid = await proc.mainPid();
    if (pid === undefined || !proc.running) return { exitCode: 1, output: 'container is not running', timedOut: false };
    argv = ['/usr/bin/nsenter', '-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-r', `--wd=${launch.workingDir}`, '--', ...command];
  } else {
    argv = command;
    cwd = launch.cwd;
  }
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env: launch.env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const collect = (d: Buffer): void => {
      if (output.length < MAX_OUTPUT) output += d.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const handle = {
      kill: (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      },
    };
    active.add(handle);
    const timer = setTimeout(() => {
      timedOut = true;
      handle.kill();
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      active.delete(handle);
      resolve({ exitCode: 127, output: err.message, timedOut: false });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      active.delete(handle);
      resolve({ exitCode: code ?? (signal ? 137 : 1), output, timedOut });
    });
  });
}
