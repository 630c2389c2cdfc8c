import fs from 'node:fs';
import { stringify } from 'yaml';

/** Writes a kubeconfig for the embedded cluster (context `argosy`, trusting its CA), readable only by its owner. */
export function writeKubeconfig(file: string, server: string, token: string, caPem: string): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'argosy', cluster: { server, 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
    users: [{ name: 'argosy-admin', user: { token } }],
    contexts: [{ name: 'argosy', context: { cluster: 'argosy', user: 'argosy-admin', namespace: 'default' } }],
    'current-context': 'argosy',
    preferences: {},
  };
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, stringify(config), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
