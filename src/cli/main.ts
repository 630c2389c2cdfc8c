/**
 * The `argosy` command. Today: the embedded cluster (`argosy cluster start`) and `argosy up`,
 * which for now starts that cluster and tells the user how to reach it with kubectl.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError } from '@commander-js/extra-typings';
import { runClusterInForeground } from './cluster-command.js';

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535 (0 picks a free one)');
  return n;
}

export function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'argosy');
}

export function buildProgram(): Command {
  const program = new Command('argosy').description('Argosy: GitOps delivery, progressive rollouts, workflows and events, with an embedded Kubernetes-compatible cluster').version('0.1.0');

  const cluster = program.command('cluster').description('the embedded Kubernetes-compatible control plane');
  cluster
    .command('start')
    .description('serve the Kubernetes API on 127.0.0.1 in the foreground; data persists in --data-dir')
    .requiredOption('--data-dir <dir>', 'where objects, the token file and the kubeconfig live')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 6443)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .action(async (opts) => {
      await runClusterInForeground({ dataDir: opts.dataDir, port: opts.port, host: opts.host, banner: 'cluster' });
    });

  program
    .command('up')
    .description('start Argosy locally: the embedded cluster (controllers, API server and UI join it as they land)')
    .option('--data-dir <dir>', 'where state lives; survives restarts', defaultDataDir())
    .option('--port <n>', 'Kubernetes API port (0 picks a free one)', parsePort, 6443)
    .action(async (opts) => {
      await runClusterInForeground({ dataDir: opts.dataDir, port: opts.port, host: '127.0.0.1', banner: 'up' });
    });

  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
