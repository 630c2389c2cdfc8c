import { startCluster } from '../cluster/cluster.js';
import type { WorkloadOptions } from '../cluster/workloads.js';

export interface ForegroundOptions {
  dataDir: string;
  port: number;
  host: string;
  banner: 'cluster' | 'up';
  workloads: WorkloadOptions | false;
}

/** Runs the cluster until SIGINT/SIGTERM, then stops it cleanly (every acknowledged write is already on disk). */
export async function runClusterInForeground(opts: ForegroundOptions): Promise<void> {
  // Signals are caught from the start: the API serves (and says so) before the node is up, and a
  // stop requested in between must still be a clean one.
  let stopRequested: ((signal: string) => void) | undefined;
  let pendingSignal: string | undefined;
  const onSignal = (signal: string): void => {
    if (stopRequested) stopRequested(signal);
    else pendingSignal ??= signal;
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  let cluster;
  try {
    cluster = await startCluster({
      dataDir: opts.dataDir,
      port: opts.port,
      host: opts.host,
      workloads: opts.workloads,
      // Say so as soon as the API answers: starting the node (network, kubelet) takes a moment more.
      onServing: (url, kubeconfigPath) => process.stdout.write(`Kubernetes API serving at ${url}\nkubeconfig: ${kubeconfigPath}\n`),
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Error(`port ${opts.port} on ${opts.host} is in use; pick another with --port N (0 picks a free one)`);
    if (e.code === 'EACCES') throw new Error(`cannot use ${opts.dataDir}: permission denied`);
    throw err;
  }
  const out = process.stdout;
  const node = cluster.workloads;
  if (node) {
    const sandbox = node.kubelet.sandboxing === 'bubblewrap' ? 'sandboxed with bubblewrap' : 'NOT sandboxed (install bubblewrap for private /tmp and PID namespaces)';
    const net = node.network.mode === 'namespaced' ? `own network namespaces on ${node.network.podCIDR}` : 'the host network (run as root for per-pod network namespaces)';
    out.write(`node: pods run as host processes, ${sandbox}, in ${net}\n`);
  }
  if (opts.banner === 'up') {
    out.write(`\nTry it:\n  export KUBECONFIG=${cluster.kubeconfigPath}\n  kubectl get nodes\n  kubectl create deployment hello --image=busybox -- sh -c 'while true; do date; sleep 5; done'\n  kubectl logs -f deployment/hello\n\nPress Ctrl-C to stop. State persists in ${opts.dataDir}.\n`);
  }
  await new Promise<void>((resolve) => {
    stopRequested = (signal: string): void => {
      out.write(`received ${signal}, stopping\n`);
      cluster
        .close()
        .then(resolve)
        .catch((err: unknown) => {
          process.stderr.write(`error while stopping: ${String(err)}\n`);
          process.exitCode = 1;
          resolve();
        });
    };
    if (pendingSignal) stopRequested(pendingSignal);
  });
}
