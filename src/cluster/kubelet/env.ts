/**
 * A container's environment as the kubelet builds it (kubelet_pods.go makeEnvironmentVariables):
 * `envFrom` first, then `env` in order with `$(VAR)` expansion over what is defined so far and the
 * service variables, then the service variables not already set. Values come from ConfigMaps,
 * Secrets, the downward API (fieldRef, resourceFieldRef); a missing non-optional ConfigMap, Secret
 * or key is a ConfigError, which the kubelet reports as `CreateContainerConfigError` and retries.
 */
import { parseQuantity } from '../builtin/validate-pod.js';
import type { KubeObject } from '../objects.js';
import type { ContainerSpec, EnvVar, ObjectFieldSelector, PodSpec, ResourceFieldSelector } from './types.js';

/** Raised for configuration the container cannot start without (Kubernetes: CreateContainerConfigError). */
export class ConfigError extends Error {}

export interface ConfigMapData {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface SecretData {
  /** base64, as stored. */
  data?: Record<string, string>;
}

/** Reads ConfigMaps and Secrets (from the store; tests pass maps). */
export interface ConfigLookup {
  configMap(namespace: string, name: string): ConfigMapData | undefined;
  secret(namespace: string, name: string): SecretData | undefined;
}

/** What `resourceFieldRef` falls back to when a container sets no limit (the node's allocatable). */
export interface NodeAllocatable {
  cpu: number;
  memory: number;
  ephemeralStorage: number;
}

export interface PodFieldValues {
  podIP: string;
  hostIP: string;
  nodeName: string;
}

export interface EnvContext extends PodFieldValues {
  pod: KubeObject;
  lookup: ConfigLookup;
  node: NodeAllocatable;
  /** `<SVC>_SERVICE_HOST`, ... (already filtered by enableServiceLinks). */
  serviceEnv: Record<string, string>;
}

export interface ResolvedEnv {
  /** In definition order; a later definition of a name replaces the earlier one. */
  env: Map<string, string>;
  /** Things worth an event but not fatal (e.g. skipped envFrom keys). */
  warnings: string[];
}

const OPERATOR = '$';

/**
 * Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion): `$$` is a literal `$`,
 * `$(NAME)` is replaced when `lookup` knows NAME and left as written otherwise.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined): string {
  if (!input.includes(OPERATOR)) return input;
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== OPERATOR || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === OPERATOR) {
      out += OPERATOR;
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close < 0) {
        out += '$(';
      } else {
        const name = rest.slice(1, close);
        const value = lookup(name);
        out += value ?? `$(${name})`;
        advance = close + 1;
      }
    } else {
      out += OPERATOR + rest[0];
    }
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function decodeSecret(value: string): string {
  return Buffer.from(value, 'base64').toString('utf8');
}

/** The value of a downward-API field path (podFieldSelectorRuntimeValue + ExtractFieldPathAsString). */
export function fieldRefValue(pod: KubeObject, ref: ObjectFieldSelector, values: PodFieldValues): string {
  const path = ref.fieldPath;
  const meta = pod.metadata;
  const spec = (pod.spec ?? {}) as PodSpec;
  const subscript = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (subscript) {
    const map = subscript[1] === 'labels' ? meta.labels : meta.annotations;
    return map?.[subscript[2]] ?? '';
  }
  switch (path) {
    case 'metadata.name':
      return meta.name ?? '';
    case 'metadata.namespace':
      return meta.namespace ?? '';
    case 'metadata.uid':
      return meta.uid ?? '';
    case 'metadata.labels':
      return formatMap(meta.labels);
    case 'metadata.annotations':
      return formatMap(meta.annotations);
    case 'spec.nodeName':
      return spec.nodeName ?? values.nodeName;
    case 'spec.serviceAccountName':
      return spec.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return values.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return values.podIP;
    default:
      throw new ConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** `key="value"` lines, sorted, as the downward API renders a whole map. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/**
 * `resourceFieldRef` (ExtractContainerResourceValue): the container's limit or request divided by
 * the divisor and rounded up; an unset limit is the node's allocatable, as the kubelet does it.
 */
export function resourceFieldValue(spec: PodSpec, ref: ResourceFieldSelector, defaultContainer: string | undefined, node: NodeAllocatable): string {
  const name = ref.containerName || defaultContainer;
  const container = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].find((c) => c.name === name);
  if (!container) throw new ConfigError(`container ${JSON.stringify(name ?? '')} not found in pod spec for resourceFieldRef ${ref.resource}`);
  const dot = ref.resource.indexOf('.');
  const kind = dot > 0 ? ref.resource.slice(0, dot) : 'limits';
  const resource = dot > 0 ? ref.resource.slice(dot + 1) : ref.resource;
  if ((kind !== 'limits' && kind !== 'requests') || !['cpu', 'memory', 'ephemeral-storage'].includes(resource)) {
    throw new ConfigError(`unsupported container resource : ${ref.resource}`);
  }
  const set = container.resources?.[kind]?.[resource];
  let value = set === undefined ? undefined : parseQuantity(set);
  if (value === undefined) {
    const allocatable = resource === 'cpu' ? node.cpu : resource === 'memory' ? node.memory : node.ephemeralStorage;
    value = kind === 'limits' ? allocatable : 0;
  }
  const divisor = ref.divisor === undefined || ref.divisor === '' ? 1 : parseQuantity(ref.divisor);
  if (divisor === undefined || divisor <= 0) throw new ConfigError(`invalid divisor ${JSON.stringify(ref.divisor)} for resourceFieldRef ${ref.resource}`);
  // Quantities are decimal; round away float noise before taking the ceiling (e.g. 0.1/0.001).
  const ratio = Math.round((value / divisor) * 1e6) / 1e6;
  return String(Math.ceil(ratio));
}

function configMapValue(lookup: ConfigLookup, namespace: string, name: string, key: string, optional: boolean): string | undefined {
  const cm = lookup.configMap(namespace, name);
  if (!cm) {
    if (optional) return undefined;
    throw new ConfigError(`configmap ${JSON.stringify(name)} not found`);
  }
  if (cm.data && key in cm.data) return cm.data[key];
  if (cm.binaryData && key in cm.binaryData) return decodeSecret(cm.binaryData[key]);
  if (optional) return undefined;
  throw new ConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
}

function secretValue(lookup: ConfigLookup, namespace: string, name: string, key: string, optional: boolean): string | undefined {
  const secret = lookup.secret(namespace, name);
  if (!secret) {
    if (optional) return undefined;
    throw new ConfigError(`secret ${JSON.stringify(name)} not found`);
  }
  if (secret.data && key in secret.data) return decodeSecret(secret.data[key]);
  if (optional) return undefined;
  throw new ConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
}

function envFromEntries(container: ContainerSpec, ctx: EnvContext, env: Map<string, string>, warnings: string[]): void {
  const namespace = ctx.pod.metadata.namespace ?? 'default';
  for (const source of container.envFrom ?? []) {
    const prefix = source.prefix ?? '';
    let entries: [string, string][] = [];
    let what = '';
    if (source.configMapRef) {
      const name = source.configMapRef.name ?? '';
      what = `configMap ${namespace}/${name}`;
      const cm = ctx.lookup.configMap(namespace, name);
      if (!cm) {
        if (source.configMapRef.optional) continue;
        throw new ConfigError(`configmap ${JSON.stringify(name)} not found`);
      }
      entries = Object.entries(cm.data ?? {});
    } else if (source.secretRef) {
      const name = source.secretRef.name ?? '';
      what = `secret ${namespace}/${name}`;
      const secret = ctx.lookup.secret(namespace, name);
      if (!secret) {
        if (source.secretRef.optional) continue;
        throw new ConfigError(`secret ${JSON.stringify(name)} not found`);
      }
      entries = Object.entries(secret.data ?? {}).map(([k, v]) => [k, decodeSecret(v)]);
    }
    const invalid: string[] = [];
    for (const [key, value] of entries) {
      const name = prefix + key;
      if (name === '' || name.includes('=') || /[^\x20-\x7e]/.test(name)) {
        invalid.push(key);
        continue;
      }
      env.set(name, value);
    }
    if (invalid.length > 0) {
      warnings.push(`Keys [${invalid.sort().join(', ')}] from the EnvFrom ${what} were skipped since they are invalid environment variable names.`);
    }
  }
}

function envVarValue(v: EnvVar, container: ContainerSpec, ctx: EnvContext, env: Map<string, string>): string | undefined {
  const namespace = ctx.pod.metadata.namespace ?? 'default';
  if (v.value !== undefined && v.value !== '') {
    return expandVars(v.value, (name) => env.get(name) ?? ctx.serviceEnv[name]);
  }
  const from = v.valueFrom;
  if (!from) return v.value ?? '';
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    return configMapValue(ctx.lookup, namespace, ref.name ?? '', ref.key, ref.optional === true);
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    return secretValue(ctx.lookup, namespace, ref.name ?? '', ref.key, ref.optional === true);
  }
  if (from.fieldRef) return fieldRefValue(ctx.pod, from.fieldRef, ctx);
  if (from.resourceFieldRef) return resourceFieldValue((ctx.pod.spec ?? {}) as PodSpec, from.resourceFieldRef, container.name, ctx.node);
  return '';
}

/** The container's environment, without the image's defaults (the caller layers those underneath). */
export function resolveContainerEnv(container: ContainerSpec, ctx: EnvContext): ResolvedEnv {
  const env = new Map<string, string>();
  const warnings: string[] = [];
  envFromEntries(container, ctx, env, warnings);
  for (const v of container.env ?? []) {
    const value = envVarValue(v, container, ctx, env);
    // An optional reference that is absent defines nothing (Kubernetes skips the variable).
    if (value !== undefined) env.set(v.name, value);
  }
  for (const [k, v] of Object.entries(ctx.serviceEnv)) if (!env.has(k)) env.set(k, v);
  return { env, warnings };
}

/** `command` and `args` with `$(VAR)` expanded against the container's final environment. */
export function expandCommand(argv: string[], env: Map<string, string>): string[] {
  return argv.map((a) => expandVars(a, (name) => env.get(name)));
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
}

interface ServiceShape {
  metadata: { name?: string };
  spec?: { clusterIP?: string; ports?: ServicePort[] };
}

/** Docker-link style variables for Services (pkg/kubelet/envvars FromServices). */
export function serviceEnvVars(services: ServiceShape[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of services) {
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) continue;
    const prefix = (svc.metadata.name ?? '').toUpperCase().replace(/-/g, '_');
    out[`${prefix}_SERVICE_HOST`] = ip;
    out[`${prefix}_SERVICE_PORT`] = String(ports[0].port);
    for (const p of ports) if (p.name) out[`${prefix}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
    const first = ports[0];
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    const host = ip.includes(':') ? `[${ip}]` : ip;
    out[`${prefix}_PORT`] = `${proto}://${host}:${first.port}`;
    for (const p of ports) {
      const pp = (p.protocol ?? 'TCP').toLowerCase();
      const base = `${prefix}_PORT_${p.port}_${pp.toUpperCase()}`;
      out[base] = `${pp}://${host}:${p.port}`;
      out[`${base}_PROTO`] = pp;
      out[`${base}_PORT`] = String(p.port);
      out[`${base}_ADDR`] = ip;
    }
  }
  return out;
}
