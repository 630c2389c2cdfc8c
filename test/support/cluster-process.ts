/**
 * Runs `argosy cluster start` as a real child process on a free port with its own temp data dir,
 * for tests that need process-level behaviour (signals, restarts, SIGKILL) or real kubectl.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ClusterProcess {
  url: string;
  dataDir: string;
  kubeconfig: string;
  token: string;
  /** PEM of the cluster CA, for clients that must trust its serving certificate. */
  ca: string;
  child: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `argosy-${prefix}-`));
}

/** Starts the cluster and resolves once it prints its URL. Reuse `dataDir` to restart on the same state. */
export async function startClusterProcess(dataDir = tempDir('cluster'), extraEnv: Record<string, string> = {}): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/cli/run.ts'), 'cluster', 'start', '--data-dir', dataDir, '--port', '0'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ARGOSY_LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cluster did not start within 30s:\n${out}`)), 30_000);
    const check = (): void => {
      const m = /Kubernetes API serving at (\S+)\nkubeconfig: /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`cluster exited with ${code} before starting:\n${out}`));
    });
  });
  const kubeconfig = path.join(dataDir, 'kubeconfig');
  const token = fs.readFileSync(path.join(dataDir, 'tokens.csv'), 'utf8').split(',')[0];
  return {
    url,
    dataDir,
    kubeconfig,
    token,
    ca: fs.readFileSync(path.join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    child,
    output: () => out,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
