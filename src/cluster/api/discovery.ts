/**
 * API discovery documents: the legacy `/api`, `/apis`, `/apis/GROUP`, `/apis/GROUP/VERSION` lists,
 * and the aggregated `apidiscovery.k8s.io/v2` form that kubectl 1.26+ asks for first.
 */
import { createHash } from 'node:crypto';
import type { ResourceType } from '../objects.js';
import type { GroupVersions, ResourceRegistry } from './resource-registry.js';

function storageVersionHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.group}/${t.storageVersion}/${t.kind}`).digest('base64').slice(0, 11);
}

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

function subresourceVerbs(sub: string): string[] {
  if (sub === 'log') return ['get'];
  if (sub === 'binding' || sub === 'eviction' || sub === 'token') return ['create'];
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') return ['create', 'get'];
  if (sub === 'proxy') return ['create', 'delete', 'get', 'patch', 'update'];
  return ['get', 'patch', 'update'];
}

function subresourcesOf(t: ResourceType): { name: string; kind: string; group?: string; version?: string; verbs: string[] }[] {
  const out: { name: string; kind: string; group?: string; version?: string; verbs: string[] }[] = [];
  if (t.subresources.status) out.push({ name: 'status', kind: t.kind, verbs: ['get', 'patch', 'update'] });
  if (t.subresources.scale) out.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
  if (!t.custom && t.kind === 'Namespace') out.push({ name: 'finalize', kind: 'Namespace', verbs: ['update'] });
  for (const name of t.subresources.extra ?? []) {
    const kind = name === 'log' || name === 'exec' || name === 'attach' || name === 'portforward' || name === 'proxy' ? (name === 'log' ? 'Pod' : `${t.kind}${name === 'exec' ? 'ExecOptions' : name === 'attach' ? 'AttachOptions' : name === 'portforward' ? 'PortForwardOptions' : 'ProxyOptions'}`) : name === 'binding' ? 'Binding' : name === 'eviction' ? 'Eviction' : name === 'token' ? 'TokenRequest' : t.kind;
    out.push({ name, kind, verbs: subresourceVerbs(name) });
  }
  return out;
}

export function apiVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: GroupVersions): object {
  return {
    name: g.group,
    versions: g.versions.map((v) => ({ groupVersion: groupVersion(g.group, v), version: v })),
    preferredVersion: { groupVersion: groupVersion(g.group, g.preferredVersion), version: g.preferredVersion },
  };
}

export function apiGroupList(registry: ResourceRegistry): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: registry.groups().filter((g) => g.group !== '').map(apiGroup) };
}

export function apiGroupDoc(registry: ResourceRegistry, group: string): object | undefined {
  const g = registry.groups().find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) } : undefined;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): object | undefined {
  const types = registry.typesIn(group, version);
  if (types.length === 0) return undefined;
  const resources: object[] = [];
  for (const t of types) {
    const r: Record<string, unknown> = { name: t.plural, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs };
    if (t.shortNames.length) r.shortNames = t.shortNames;
    if (t.categories.length) r.categories = t.categories;
    if (t.verbs.length) r.storageVersionHash = storageVersionHash(t);
    resources.push(r);
    for (const s of subresourcesOf(t)) {
      const sr: Record<string, unknown> = { name: `${t.plural}/${s.name}`, singularName: '', namespaced: t.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) {
        sr.group = s.group;
        sr.version = s.version;
      }
      resources.push(sr);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

/** `/api` (core only) or `/apis` (every other group) in apidiscovery.k8s.io form. */
export function aggregatedDiscovery(registry: ResourceRegistry, core: boolean, version: 'v2' | 'v2beta1'): object {
  const items = registry
    .groups()
    .filter((g) => (core ? g.group === '' : g.group !== ''))
    .map((g) => ({
      metadata: { name: g.group, creationTimestamp: null },
      versions: g.versions.map((v) => ({
        version: v,
        freshness: 'Current',
        resources: registry.typesIn(g.group, v).map((t) => {
          const r: Record<string, unknown> = {
            resource: t.plural,
            responseKind: { group: t.group, version: t.version, kind: t.kind },
            scope: t.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: t.singular,
            verbs: t.verbs,
          };
          if (t.shortNames.length) r.shortNames = t.shortNames;
          if (t.categories.length) r.categories = t.categories;
          const subs = subresourcesOf(t).map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? t.group, version: s.version ?? t.version, kind: s.kind },
            verbs: s.verbs,
          }));
          if (subs.length) r.subresources = subs;
          return r;
        }),
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function aggregatedContentType(version: 'v2' | 'v2beta1'): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
