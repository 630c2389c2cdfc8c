/** Starts the embedded cluster inside the test process (real HTTP on a free port, temp data dir). */
import fs from 'node:fs';
import { pino } from 'pino';
import { startCluster, type ClusterOptions, type RunningCluster } from '../../src/cluster/cluster.js';
import { ApiClient } from './api-client.js';
import { tempDir } from './cluster-process.js';

export interface TestCluster {
  cluster: RunningCluster;
  api: ApiClient;
  dataDir: string;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

export async function startTestCluster(options: Partial<ClusterOptions> = {}): Promise<TestCluster> {
  const dataDir = options.dataDir ?? tempDir('api');
  const cluster = await startCluster({ port: 0, logger: pino({ level: 'silent' }), ...options, dataDir });
  return {
    cluster,
    api: new ApiClient(cluster.url, cluster.adminToken, cluster.caPem),
    dataDir,
    dispose: async () => {
      await cluster.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function eventually<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
