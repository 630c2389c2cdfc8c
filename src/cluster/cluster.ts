/**
 * The embedded control plane, assembled: durable store, resource registry (built-ins + CRDs), the
 * HTTP API with token authentication and RBAC, and the API server's own controllers. One call
 * starts it; `close()` stops it cleanly.
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createApiHandler, type SubresourceHandler } from './api/api-handler.js';
import { OpenApiCache } from './api/openapi-cache.js';
import { PodLogHandler } from './api/pod-log.js';
import { ResourceRegistry } from './api/resource-registry.js';
import { ResourceService } from './api/resource-service.js';
import { RbacAuthorizer } from './auth/rbac.js';
import { loadOrCreatePki } from './auth/pki.js';
import { TokenFile } from './auth/token-file.js';
import { BUILTIN_RESOURCE_TYPES } from './builtin/resource-table.js';
import { CrdController } from './controllers/crd-controller.js';
import { GarbageCollector } from './controllers/garbage-collector.js';
import { NamespaceController } from './controllers/namespace-controller.js';
import { systemScope } from './controllers/system-scope.js';
import { writeKubeconfig } from './kubeconfig.js';
import { ObjectStore } from './store/object-store.js';
import { startWorkloads, type RunningWorkloads, type WorkloadOptions } from './workloads.js';

export interface ClusterOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** Watch history kept for resumption; older resourceVersions get 410 Gone. */
  watchHistory?: number;
  bookmarkIntervalMs?: number;
  /** Watches without their own timeout end after this to twice this many seconds (default 1800). */
  minRequestTimeoutSeconds?: number;
  logger?: Logger;
  subresources?: SubresourceHandler[];
  /**
   * Workload controllers, scheduler, local kubelet, Services and pod networking. Off unless given:
   * API-only uses (and most API tests) need none of it.
   */
  workloads?: WorkloadOptions | false;
  /** Called once the API serves, before the node (workloads) has started. */
  onServing?: (url: string, kubeconfigPath: string) => void;
}

export interface RunningCluster {
  url: string;
  /** PEM of the CA that signed the serving certificate (also in the kubeconfig). */
  caPem: string;
  port: number;
  kubeconfigPath: string;
  adminToken: string;
  store: ObjectStore;
  /** Where `pods/log` reads from; the local kubelet sets its source here. */
  podLogs: PodLogHandler;
  /** The running node (network, kubelet) when workloads are enabled. */
  workloads: RunningWorkloads | undefined;
  close(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The store holds every Secret: owner-only, even for a data dir that already existed.
  fs.chmodSync(dataDir, 0o700);
  const log = options.logger ?? pino({ level: process.env.ARGOSY_LOG_LEVEL ?? 'info' });
  const host = options.host ?? '127.0.0.1';

  const store = ObjectStore.open(dataDir, {
    historySize: options.watchHistory ?? 20_000,
    onFatal: (err) => {
      log.fatal({ err }, 'the store could not persist a write; stopping so that memory and disk cannot diverge');
      process.exit(70);
    },
    onListenerError: (err, e) => log.error({ err, resource: e.resource, key: e.key, type: e.type }, 'a watcher failed to handle a change'),
  });
  const registry = new ResourceRegistry(BUILTIN_RESOURCE_TYPES);
  const service = new ResourceService(store);
  const { tokens, adminToken } = TokenFile.loadOrCreate(path.join(dataDir, 'tokens.csv'));
  const onError = (key: string, err: unknown): void => log.warn({ err, key }, 'controller work failed; retrying');
  const crds = new CrdController(store, registry, service, onError);
  crds.start();
  await ensureSystemNamespaces(registry, service, store);
  const namespaces = new NamespaceController(store, registry, service, onError);
  const gc = new GarbageCollector(store, registry, service, onError);
  namespaces.start();
  gc.start();

  const podLogs = new PodLogHandler(store);
  const subresources: SubresourceHandler[] = [...(options.subresources ?? []), podLogs];
  const stopControllers = (): void => {
    crds.stop();
    namespaces.stop();
    gc.stop();
  };
  let ready = false;
  let port = 0;
  const handler = createApiHandler({
    store,
    registry,
    service,
    tokens,
    authorizer: new RbacAuthorizer(store),
    openapi: new OpenApiCache(registry),
    watch: { bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5_000, maxBufferedBytes: 64 * 1024 * 1024, minRequestTimeoutSeconds: options.minRequestTimeoutSeconds ?? 1800 },
    serverAddress: () => `${host}:${port}`,
    subresources,
    isReady: () => ready,
    log,
  });
  const pki = await loadOrCreatePki(path.join(dataDir, 'pki'), [...new Set([host, '127.0.0.1', 'localhost', '::1'])]);
  const server = https.createServer({ cert: pki.certPem, key: pki.keyPem, keepAliveTimeout: 65_000, requestTimeout: 0 }, handler);
  server.headersTimeout = 60_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    stopControllers();
    await store.close();
    throw err;
  }
  port = (server.address() as AddressInfo).port;
  const url = `https://${host}:${port}`;
  const kubeconfigPath = path.join(dataDir, 'kubeconfig');
  writeKubeconfig(kubeconfigPath, url, adminToken, pki.caPem);
  // The API is ready as soon as it serves (as kube-apiserver's /readyz); the node joins it next.
  ready = true;
  options.onServing?.(url, kubeconfigPath);

  let workloads: RunningWorkloads | undefined;
  if (options.workloads) {
    try {
      workloads = await startWorkloads({ store, registry, service, dataDir, log, onError, podLogs, subresources }, options.workloads);
      await workloads.serve(host, port);
    } catch (err) {
      ready = false;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await workloads?.close();
      stopControllers();
      await store.close();
      throw err;
    }
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    caPem: pki.caPem,
    port,
    kubeconfigPath,
    adminToken,
    store,
    podLogs,
    workloads,
    close: () =>
      (closing ??= (async () => {
        ready = false;
        // Pods end before the API goes: the kubelet records their final state through it.
        await workloads?.close();
        stopControllers();
        server.closeIdleConnections();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Watches are long-lived: end them so close() does not wait for their timeouts.
        server.closeAllConnections();
        await closed;
        await store.close();
      })()),
  };
}

async function ensureSystemNamespaces(registry: ResourceRegistry, service: ResourceService, store: ObjectStore): Promise<void> {
  const type = registry.lookup('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    if (store.get('namespaces', name)) continue;
    await service.create(systemScope(type, undefined, 'kube-apiserver'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
}
