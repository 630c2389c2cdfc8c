/**
 * The `argosy` command. Today: the embedded one-node cluster (`argosy cluster start`) and `argosy
 * up`, which for now starts that cluster and tells the user how to reach it with kubectl.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from '@commander-js/extra-typings';
import type { WorkloadOptions } from '../cluster/workloads.js';
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

/** Options shared by `cluster start` and `up` that shape the node: how pods are networked and which images run. */
const nodeOptions = {
  podNetwork: () => new Option('--pod-network <mode>', 'auto: a network namespace and IP per pod where the host allows (root); host: pods share the host network').choices(['auto', 'host'] as const).default('auto' as const),
  imageProfile: () => new Option('--image-profile <file>', 'YAML image profile: which images run their commands on the host (default: busybox/alpine/debian/ubuntu, python, node)'),
  nodeName: () => new Option('--node-name <name>', 'name of the one node').default('argosy'),
  noWorkloads: () => new Option('--no-workloads', 'serve the API only: no controllers, scheduler, kubelet or networking'),
};

export function buildProgram(): Command {
  const program = new Command('argosy').description('Argosy: GitOps delivery, progressive rollouts, workflows and events, with an embedded Kubernetes-compatible cluster').version('0.1.0');

  const cluster = program.command('cluster').description('the embedded Kubernetes-compatible control plane');
  cluster
    .command('start')
    .description('run a one-node cluster in the foreground: the Kubernetes API on 127.0.0.1, controllers, a local kubelet; data persists in --data-dir')
    .requiredOption('--data-dir <dir>', 'where objects, the token file and the kubeconfig live')
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, 6443)
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .addOption(nodeOptions.podNetwork())
    .addOption(nodeOptions.imageProfile())
    .addOption(nodeOptions.nodeName())
    .addOption(nodeOptions.noWorkloads())
    .action(async (opts) => {
      await runClusterInForeground({ dataDir: opts.dataDir, port: opts.port, host: opts.host, banner: 'cluster', workloads: workloadsFrom(opts) });
    });

  program
    .command('up')
    .description('start Argosy locally: the embedded one-node cluster with its kubelet (GitOps controllers, API server and UI join it as they land)')
    .option('--data-dir <dir>', 'where state lives; survives restarts', defaultDataDir())
    .option('--port <n>', 'Kubernetes API port (0 picks a free one)', parsePort, 6443)
    .addOption(nodeOptions.podNetwork())
    .addOption(nodeOptions.imageProfile())
    .addOption(nodeOptions.nodeName())
    .addOption(nodeOptions.noWorkloads())
    .action(async (opts) => {
      await runClusterInForeground({ dataDir: opts.dataDir, port: opts.port, host: '127.0.0.1', banner: 'up', workloads: workloadsFrom(opts) });
    });

  return program;
}

function workloadsFrom(opts: { workloads: boolean; podNetwork: 'auto' | 'host'; imageProfile?: string; nodeName: string }): WorkloadOptions | false {
  if (!opts.workloads) return false;
  return { podNetwork: opts.podNetwork, nodeName: opts.nodeName, ...(opts.imageProfile ? { imageProfilePath: path.resolve(opts.imageProfile) } : {}) };
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
