/**
 * Which resources are served at which group/version: the built-in table plus the types each
 * established CRD contributes. Discovery, OpenAPI and request routing all read from here.
 */
import type { ResourceType } from '../objects.js';

export interface GroupVersions {
  group: string;
  versions: string[];
  preferredVersion: string;
}

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first, others last by name. */
export function compareVersions(a: string, b: string): number {
  const pa = parseKubeVersion(a);
  const pb = parseKubeVersion(b);
  if (pa && pb) {
    if (pa.level !== pb.level) return pb.level - pa.level;
    if (pa.major !== pb.major) return pb.major - pa.major;
    return pb.minor - pa.minor;
  }
  if (pa) return -1;
  if (pb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseKubeVersion(v: string): { major: number; level: number; minor: number } | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return undefined;
  const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return { major: Number(m[1]), level, minor: m[3] === undefined ? 0 : Number(m[3]) };
}

export class ResourceRegistry {
  private readonly builtinGroupOrder: string[] = [];
  private readonly crdTypes = new Map<string, ResourceType[]>();
  private byPath = new Map<string, ResourceType>();
  private listeners = new Set<() => void>();
  private generation = 0;

  constructor(private readonly builtins: readonly ResourceType[]) {
    for (const t of builtins) if (!this.builtinGroupOrder.includes(t.group)) this.builtinGroupOrder.push(t.group);
    this.rebuild();
  }

  /** Bumps whenever the served set changes; discovery and OpenAPI caches key on it. */
  get version(): number {
    return this.generation;
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  /** Any served version of a group/resource (its storage identity). */
  lookupAnyVersion(group: string, plural: string): ResourceType | undefined {
    for (const t of this.all()) if (t.group === group && t.plural === plural) return t;
    return undefined;
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    for (const t of this.all()) if (t.group === group && t.version === version && t.kind === kind) return t;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byPath.values()];
  }

  /** Groups in discovery order: built-in groups as Kubernetes lists them, then CRD groups by name. */
  groups(): GroupVersions[] {
    const versions = new Map<string, Set<string>>();
    for (const t of this.all()) {
      let s = versions.get(t.group);
      if (!s) versions.set(t.group, (s = new Set()));
      s.add(t.version);
    }
    const names = [...versions.keys()].sort((a, b) => {
      const ia = this.builtinGroupOrder.indexOf(a);
      const ib = this.builtinGroupOrder.indexOf(b);
      if (ia >= 0 && ib >= 0) return ia - ib;
      if (ia >= 0) return -1;
      if (ib >= 0) return 1;
      return a < b ? -1 : a > b ? 1 : 0;
    });
    return names.map((group) => {
      const vs = [...versions.get(group)!].sort(compareVersions);
      return { group, versions: vs, preferredVersion: this.preferredVersion(group, vs) };
    });
  }

  typesIn(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  /** Serves (or replaces) the types of one CRD, keyed by the CRD's name. */
  setCrd(crdName: string, types: ResourceType[]): void {
    this.crdTypes.set(crdName, types);
    this.rebuild();
  }

  removeCrd(crdName: string): void {
    if (this.crdTypes.delete(crdName)) this.rebuild();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private preferredVersion(group: string, sorted: string[]): string {
    // Built-in groups prefer the first version in the table (e.g. autoscaling/v2), like kube-apiserver.
    const first = this.builtins.find((t) => t.group === group);
    return first ? first.version : sorted[0];
  }

  private rebuild(): void {
    const next = new Map<string, ResourceType>();
    for (const t of this.builtins) next.set(`${t.group}/${t.version}/${t.plural}`, t);
    for (const types of this.crdTypes.values()) {
      // A CRD may not shadow a built-in resource.
      for (const t of types) if (!next.has(`${t.group}/${t.version}/${t.plural}`)) next.set(`${t.group}/${t.version}/${t.plural}`, t);
    }
    this.byPath = next;
    this.generation++;
    for (const l of this.listeners) l();
  }
}
