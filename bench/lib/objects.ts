/** The objects the benchmarks write: ConfigMaps padded to a target JSON size, and their namespaces. */
import type { HttpClient } from './http-client.js';

/** A ConfigMap whose JSON text is `bytes` long (when `bytes` exceeds the bare object's size). */
export function configMapJson(namespace: string, name: string, bytes: number): string {
  const obj = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: 'argosy-bench', tier: 'config' } },
    data: { 'settings.yaml': '' },
  };
  const bare = JSON.stringify(obj).length;
  obj.data['settings.yaml'] = 'x'.repeat(Math.max(0, bytes - bare));
  return JSON.stringify(obj);
}

export function configMapName(i: number): string {
  return `cm-${String(i).padStart(7, '0')}`;
}

export async function createNamespace(client: HttpClient, name: string): Promise<void> {
  await client.ok('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
}
