/**
 * The files the kubelet writes for a pod's sandbox: its hostname and its managed `/etc/hosts`
 * (kubelet_pods.go), with the pod's address, FQDN when it has a subdomain, and hostAliases.
 */
import os from 'node:os';
import type { KubeObject } from '../objects.js';
import type { PodSpec } from './types.js';

function podSpec(pod: KubeObject): PodSpec {
  return (pod.spec ?? { containers: [] }) as PodSpec;
}

/** The pod's hostname: the node's with hostNetwork, else spec.hostname or its name cut to a DNS label (as the kubelet does). */
export function podHostname(pod: KubeObject): string {
  const spec = podSpec(pod);
  if (spec.hostNetwork) return os.hostname();
  if (spec.hostname) return spec.hostname;
  return (pod.metadata.name ?? '').slice(0, 63).replace(/[-.]+$/, '');
}

/** The kubelet's managed /etc/hosts (kubelet_pods.go managedHostsFileContent). */
export function hostsFileContent(pod: KubeObject, podIP: string, clusterDomain = 'cluster.local'): string {
  const spec = podSpec(pod);
  const hostname = podHostname(pod);
  let out =
    '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  if (spec.subdomain) out += `${podIP}\t${hostname}.${spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}\t${hostname}\n`;
  else out += `${podIP}\t${hostname}\n`;
  out += hostAliasesContent(spec);
  return out;
}

export function hostAliasesContent(spec: PodSpec): string {
  if (!spec.hostAliases?.length) return '';
  let out = '\n# Entries added by HostAliases.\n';
  for (const a of spec.hostAliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  return out;
}

