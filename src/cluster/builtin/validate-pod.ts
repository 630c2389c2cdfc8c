/**
 * PodSpec and PodTemplateSpec validation (pkg/apis/core/validation: ValidatePodSpec,
 * ValidatePodTemplateSpec, ValidatePodUpdate), for Pods and every template that embeds one. Covers
 * the checks users hit in practice; see the module report for what is left out.
 */
import { fieldError } from '../errors.js';
import type { FieldCause } from '../objects.js';
import { VOLUME_SOURCES } from './defaults.js';
import {
  inclusiveRangeError,
  isDNS1123Label,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  isConfigMapKey,
  isHTTPHeaderName,
  validateAnnotations,
  validateLabelName,
  validateLabels,
} from './names.js';
import {
  child,
  clone,
  getArray,
  getMap,
  getNumber,
  getString,
  index,
  isMap,
  isSet,
  type JsonMap,
  key,
  notFoundCause,
  semanticEqual,
} from './util.js';

const MAX_INT32 = 2147483647;
const NEGATIVE = 'must be greater than or equal to 0';
const FILE_MODE = 'must be a number between 0 and 0777 (octal), both inclusive';

function nonNegative(v: unknown, path: string): FieldCause[] {
  return typeof v === 'number' && v < 0 ? [fieldError.invalid(path, v, NEGATIVE)] : [];
}

function dnsLabel(value: string, path: string): FieldCause[] {
  return isDNS1123Label(value).map((m) => fieldError.invalid(path, value, m));
}

/** IntOrString port: a number must be a valid port, a string a valid port name. */
export function validatePortNumOrName(port: unknown, path: string): FieldCause[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldError.invalid(path, port, m));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((m) => fieldError.invalid(path, n, m));
}

// ---- paths inside volumes ----

function validateLocalDescendingPath(p: string, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (p.startsWith('/')) out.push(fieldError.invalid(path, p, 'must be a relative path'));
  out.push(...validatePathNoBacksteps(p, path));
  return out;
}

function validatePathNoBacksteps(p: string, path: string): FieldCause[] {
  return p.split('/').includes('..') ? [fieldError.invalid(path, p, "must not contain '..'")] : [];
}

function validateLocalNonReservedPath(p: string, path: string): FieldCause[] {
  const out = validateLocalDescendingPath(p, path);
  if (p.startsWith('..') && !p.startsWith('../')) out.push(fieldError.invalid(path, p, "must not start with '..'"));
  return out;
}

function validateMode(v: unknown, path: string): FieldCause[] {
  return typeof v === 'number' && (v > 0o777 || v < 0) ? [fieldError.invalid(path, v, FILE_MODE)] : [];
}

function validateKeyToPath(kp: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  if (!getString(kp, 'key')) out.push(fieldError.required(child(path, 'key')));
  const p = getString(kp, 'path');
  if (!p) out.push(fieldError.required(child(path, 'path')));
  out.push(...validateLocalNonReservedPath(p, child(path, 'path')));
  out.push(...validateMode(isMap(kp) ? kp.mode : undefined, child(path, 'mode')));
  return out;
}

// ---- volumes ----

/** The path segment Go uses when reporting a second source (two keep historical spellings). */
const FORBIDDEN_SOURCE_PATH: Record<string, string> = { cephfs: 'cephFS', downwardAPI: 'downwarAPI' };

function validateVolumeSourceFields(src: string, v: JsonMap, path: string): FieldCause[] {
  const s = getMap(v, src);
  const p = child(path, src);
  const out: FieldCause[] = [];
  switch (src) {
    case 'hostPath': {
      const hp = getString(s, 'path');
      if (!hp) return [fieldError.required(child(p, 'path'))];
      out.push(...validatePathNoBacksteps(hp, child(p, 'path')));
      const t = isMap(s) ? s.type : undefined;
      const types = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
      if (typeof t === 'string' && !types.includes(t)) out.push(fieldError.notSupported(child(p, 'type'), t, types));
      return out;
    }
    case 'secret':
      if (!getString(s, 'secretName')) out.push(fieldError.required(child(p, 'secretName')));
      out.push(...validateMode(s?.defaultMode, child(p, 'defaultMode')));
      (getArray(s, 'items') ?? []).forEach((kp, i) => out.push(...validateKeyToPath(kp, index(child(p, 'items'), i))));
      return out;
    case 'configMap':
      if (!getString(s, 'name')) out.push(fieldError.required(child(p, 'name')));
      out.push(...validateMode(s?.defaultMode, child(p, 'defaultMode')));
      (getArray(s, 'items') ?? []).forEach((kp, i) => out.push(...validateKeyToPath(kp, index(child(p, 'items'), i))));
      return out;
    case 'persistentVolumeClaim':
      return getString(s, 'claimName') ? [] : [fieldError.required(child(p, 'claimName'))];
    case 'nfs': {
      if (!getString(s, 'server')) out.push(fieldError.required(child(p, 'server')));
      const np = getString(s, 'path');
      if (!np) out.push(fieldError.required(child(p, 'path')));
      if (!np.startsWith('/')) out.push(fieldError.invalid(child(p, 'path'), np, 'must be an absolute path'));
      return out;
    }
    case 'downwardAPI':
      out.push(...validateMode(s?.defaultMode, child(p, 'defaultMode')));
      for (const item of getArray(s, 'items') ?? []) {
        const ip = getString(item, 'path');
        if (!ip) out.push(fieldError.required(child(p, 'path')));
        out.push(...validateLocalNonReservedPath(ip, child(p, 'path')));
      }
      return out;
    case 'projected':
      return validateMode(s?.defaultMode, child(p, 'defaultMode'));
    case 'csi':
      return getString(s, 'driver') ? [] : [fieldError.required(child(p, 'driver'))];
    case 'gitRepo':
      if (!getString(s, 'repository')) out.push(fieldError.required(child(p, 'repository')));
      out.push(...validateLocalDescendingPath(getString(s, 'directory'), child(p, 'directory')));
      return out;
    default:
      return [];
  }
}

function validateVolumeSource(v: JsonMap, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  let count = 0;
  for (const src of VOLUME_SOURCES) {
    if (!isSet(v, src)) continue;
    if (count > 0) {
      out.push(fieldError.forbidden(child(path, FORBIDDEN_SOURCE_PATH[src] ?? src), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    out.push(...validateVolumeSourceFields(src, v, path));
  }
  if (count === 0) out.push(fieldError.required(path, 'must specify a volume type'));
  return out;
}

/** Validates the volumes and returns the names of those that are valid (mounts may only use those). */
function validateVolumes(volumes: unknown, path: string): { names: Set<string>; errs: FieldCause[] } {
  const names = new Set<string>();
  const errs: FieldCause[] = [];
  (Array.isArray(volumes) ? volumes : []).forEach((v, i) => {
    const p = index(path, i);
    const name = getString(v, 'name');
    const el = isMap(v) ? validateVolumeSource(v, p) : [];
    if (!name) el.push(fieldError.required(child(p, 'name')));
    else el.push(...dnsLabel(name, child(p, 'name')));
    if (names.has(name)) el.push(fieldError.duplicate(child(p, 'name'), name));
    if (el.length === 0) names.add(name);
    else errs.push(...el);
  });
  return { names, errs };
}

// ---- containers ----

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const names = new Set<string>();
  (Array.isArray(ports) ? ports : []).forEach((port, i) => {
    const p = index(path, i);
    const name = getString(port, 'name');
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) out.push(fieldError.invalid(child(p, 'name'), name, m));
      else if (names.has(name)) out.push(fieldError.duplicate(child(p, 'name'), name));
      else names.add(name);
    }
    const cp = getNumber(port, 'containerPort') ?? 0;
    if (cp === 0) out.push(fieldError.required(child(p, 'containerPort')));
    else for (const m of isValidPortNum(cp)) out.push(fieldError.invalid(child(p, 'containerPort'), cp, m));
    const hp = getNumber(port, 'hostPort') ?? 0;
    if (hp !== 0) for (const m of isValidPortNum(hp)) out.push(fieldError.invalid(child(p, 'hostPort'), hp, m));
    const proto = getString(port, 'protocol');
    if (!proto) out.push(fieldError.required(child(p, 'protocol')));
    else if (!PROTOCOLS.includes(proto)) out.push(fieldError.notSupported(child(p, 'protocol'), proto, PROTOCOLS));
  });
  return out;
}

function validateKeySelector(sel: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const name = getString(sel, 'name');
  for (const m of nameIsDNSSubdomain(name, false)) out.push(fieldError.invalid(child(path, 'name'), name, m));
  const k = getString(sel, 'key');
  if (!k) out.push(fieldError.required(child(path, 'key')));
  else for (const m of isConfigMapKey(k)) out.push(fieldError.invalid(child(path, 'key'), k, m));
  return out;
}

function validateEnv(env: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  (Array.isArray(env) ? env : []).forEach((ev, i) => {
    const p = index(path, i);
    const name = getString(ev, 'name');
    if (!name) out.push(fieldError.required(child(p, 'name')));
    else for (const m of isRelaxedEnvVarName(name)) out.push(fieldError.invalid(child(p, 'name'), name, m));
    const from = getMap(ev, 'valueFrom');
    if (!from) return;
    const vp = child(p, 'valueFrom');
    let sources = 0;
    for (const src of ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef']) {
      if (!isSet(from, src)) continue;
      sources++;
      if (src === 'configMapKeyRef' || src === 'secretKeyRef') out.push(...validateKeySelector(from[src], child(vp, src)));
      if (src === 'fieldRef' && !getString(from[src], 'fieldPath')) out.push(fieldError.required(child(vp, src, 'fieldPath')));
      if (src === 'resourceFieldRef' && !getString(from[src], 'resource')) out.push(fieldError.required(child(vp, src, 'resource')));
    }
    if (sources === 0) {
      out.push(fieldError.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (getString(ev, 'value')) {
      out.push(fieldError.invalid(vp, '', 'may not be specified when `value` is not empty'));
    } else if (sources > 1) {
      out.push(fieldError.invalid(vp, '', 'may not have more than one field specified at a time'));
    }
  });
  return out;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  (Array.isArray(envFrom) ? envFrom : []).forEach((ev, i) => {
    const p = index(path, i);
    const prefix = getString(ev, 'prefix');
    if (prefix) for (const m of isRelaxedEnvVarName(prefix)) out.push(fieldError.invalid(child(p, 'prefix'), prefix, m));
    let sources = 0;
    for (const src of ['configMapRef', 'secretRef']) {
      if (!isSet(ev, src)) continue;
      sources++;
      const name = getString(isMap(ev) ? ev[src] : undefined, 'name');
      if (!name) out.push(fieldError.required(child(p, src, 'name')));
      else for (const m of nameIsDNSSubdomain(name, true)) out.push(fieldError.invalid(child(p, src, 'name'), name, m));
    }
    if (sources === 0) out.push(fieldError.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) out.push(fieldError.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return out;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const mountPoints = new Set<string>();
  (Array.isArray(mounts) ? mounts : []).forEach((mnt, i) => {
    const p = index(path, i);
    const name = getString(mnt, 'name');
    if (!name) out.push(fieldError.required(child(p, 'name')));
    if (!volumes.has(name)) out.push(notFoundCause(child(p, 'name'), name));
    const mountPath = getString(mnt, 'mountPath');
    if (!mountPath) out.push(fieldError.required(child(p, 'mountPath')));
    if (mountPoints.has(mountPath)) out.push(fieldError.invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = getString(mnt, 'subPath');
    if (subPath) out.push(...validateLocalDescendingPath(subPath, child(path, 'subPath')));
    const subPathExpr = getString(mnt, 'subPathExpr');
    if (subPathExpr) {
      if (subPath) out.push(fieldError.invalid(child(p, 'subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      out.push(...validateLocalDescendingPath(subPathExpr, child(path, 'subPathExpr')));
    }
  });
  return out;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

const QUANTITY_RE = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource.Quantity as a number (for comparisons), or undefined when it does not parse. */
export function parseQuantity(q: unknown): number | undefined {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return undefined;
  const m = QUANTITY_RE.exec(q.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (Number.isNaN(base)) return undefined;
  const suffix = m[2];
  if (suffix in SUFFIX) return base * SUFFIX[suffix];
  const exp = /^[eE]([-+]?[0-9]+)$/.exec(suffix);
  return exp ? base * 10 ** Number(exp[1]) : undefined;
}

function quantityString(q: unknown): string {
  return typeof q === 'string' ? q : String(q);
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets',
  'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers', 'requests.cpu', 'requests.memory',
  'requests.ephemeral-storage', 'requests.storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage',
]);

function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.startsWith('kubernetes.io/');
}

function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !name.startsWith('hugepages-');
}

function validateContainerResourceName(name: string, path: string): FieldCause[] {
  const out = isQualifiedName(name).map((m) => fieldError.invalid(path, name, m));
  if (out.length > 0) return out;
  if (!name.includes('/')) {
    const standard = STANDARD_RESOURCES.has(name) || name.startsWith('hugepages-');
    if (!standard) out.push(fieldError.invalid(path, name, 'must be a standard resource type or fully qualified'));
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) {
      out.push(fieldError.invalid(path, name, 'must be a standard resource for containers'));
    }
  }
  return out;
}

function validateResources(res: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const limits = getMap(res, 'limits') ?? {};
  const requests = getMap(res, 'requests') ?? {};
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  for (const [name, q] of Object.entries(limits)) {
    const p = key(limPath, name);
    out.push(...validateContainerResourceName(name, p));
    const v = parseQuantity(q);
    if (v !== undefined && v < 0) out.push(fieldError.invalid(p, quantityString(q), NEGATIVE));
  }
  for (const [name, q] of Object.entries(requests)) {
    const p = key(reqPath, name);
    out.push(...validateContainerResourceName(name, p));
    const v = parseQuantity(q);
    if (v !== undefined && v < 0) out.push(fieldError.invalid(p, quantityString(q), NEGATIVE));
    if (name in limits) {
      const lv = parseQuantity(limits[name]);
      if (v === undefined || lv === undefined) continue;
      if (v !== lv && !isOvercommitAllowed(name)) {
        out.push(fieldError.invalid(reqPath, quantityString(q), `must be equal to ${name} limit of ${quantityString(limits[name])}`));
      } else if (v > lv) {
        out.push(fieldError.invalid(reqPath, quantityString(q), `must be less than or equal to ${name} limit of ${quantityString(limits[name])}`));
      }
    } else if (!isOvercommitAllowed(name)) {
      out.push(fieldError.required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return out;
}

function validateContainerCommon(c: unknown, volumes: Set<string>, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const name = getString(c, 'name');
  if (!name) out.push(fieldError.required(child(path, 'name')));
  else out.push(...dnsLabel(name, child(path, 'name')));
  if (!getString(c, 'image')) out.push(fieldError.required(child(path, 'image')));
  const tmp = getString(c, 'terminationMessagePolicy');
  if (!tmp) out.push(fieldError.required(child(path, 'terminationMessagePolicy')));
  else if (!MESSAGE_POLICIES.includes(tmp)) out.push(fieldError.notSupported(child(path, 'terminationMessagePolicy'), tmp, MESSAGE_POLICIES));
  const m = isMap(c) ? c : {};
  out.push(...validateContainerPorts(m.ports, child(path, 'ports')));
  out.push(...validateEnv(m.env, child(path, 'env')));
  out.push(...validateEnvFrom(m.envFrom, child(path, 'envFrom')));
  out.push(...validateVolumeMounts(m.volumeMounts, volumes, child(path, 'volumeMounts')));
  const pull = getString(c, 'imagePullPolicy');
  if (!pull) out.push(fieldError.required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(pull)) out.push(fieldError.notSupported(child(path, 'imagePullPolicy'), pull, PULL_POLICIES));
  out.push(...validateResources(m.resources, child(path, 'resources')));
  return out;
}

// ---- probes and lifecycle handlers ----

const HANDLERS_PROBE = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const HANDLERS_LIFECYCLE = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateHandler(h: unknown, kinds: string[], gracePeriod: number | undefined, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  let n = 0;
  for (const kind of kinds) {
    if (!isSet(h, kind)) continue;
    const p = child(path, kind);
    if (n > 0) {
      out.push(fieldError.forbidden(p, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const v = isMap(h) ? h[kind] : undefined;
    if (kind === 'exec' && (getArray(v, 'command') ?? []).length === 0) out.push(fieldError.required(child(p, 'command')));
    if (kind === 'httpGet') {
      if (!getString(v, 'path')) out.push(fieldError.required(child(p, 'path')));
      out.push(...validatePortNumOrName(isMap(v) ? v.port : undefined, child(p, 'port')));
      const scheme = getString(v, 'scheme');
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') out.push(fieldError.notSupported(child(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      for (const hd of getArray(v, 'httpHeaders') ?? []) {
        const hn = getString(hd, 'name');
        for (const msg of isHTTPHeaderName(hn)) out.push(fieldError.invalid(child(p, 'httpHeaders'), hn, msg));
      }
    }
    if (kind === 'tcpSocket') out.push(...validatePortNumOrName(isMap(v) ? v.port : undefined, child(p, 'port')));
    if (kind === 'grpc') out.push(...validatePortNumOrName(getNumber(v, 'port') ?? 0, child(p, 'port')));
    if (kind === 'sleep' && gracePeriod !== undefined) {
      const secs = getNumber(v, 'seconds') ?? 0;
      if (secs < 0 || secs > gracePeriod) {
        out.push(fieldError.invalid(p, secs, `must be non-negative and less than terminationGracePeriodSeconds (${gracePeriod})`));
      }
    }
  }
  if (n === 0) out.push(fieldError.required(path, 'must specify a handler type'));
  return out;
}

function validateProbe(probe: unknown, kind: 'liveness' | 'readiness' | 'startup', path: string): FieldCause[] {
  if (!isMap(probe)) return [];
  const out = validateHandler(probe, HANDLERS_PROBE, undefined, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    out.push(...nonNegative(probe[f], child(path, f)));
  }
  const tgps = probe.terminationGracePeriodSeconds;
  if (typeof tgps === 'number' && tgps <= 0) out.push(fieldError.invalid(child(path, 'terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind === 'readiness' && isSet(probe, 'terminationGracePeriodSeconds')) {
    out.push(fieldError.invalid(child(path, 'terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  }
  if (kind !== 'readiness' && probe.successThreshold !== 1) {
    out.push(fieldError.invalid(child(path, 'successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  }
  return out;
}

function validateLifecycleAndProbes(c: JsonMap, gracePeriod: number | undefined, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const lifecycle = getMap(c, 'lifecycle');
  for (const hook of ['postStart', 'preStop']) {
    if (isSet(lifecycle, hook)) out.push(...validateHandler(lifecycle?.[hook], HANDLERS_LIFECYCLE, gracePeriod, child(path, 'lifecycle', hook)));
  }
  out.push(...validateProbe(c.livenessProbe, 'liveness', child(path, 'livenessProbe')));
  out.push(...validateProbe(c.readinessProbe, 'readiness', child(path, 'readinessProbe')));
  out.push(...validateProbe(c.startupProbe, 'startup', child(path, 'startupProbe')));
  return out;
}

function hostPortConflicts(containers: unknown[], path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => {
    (getArray(c, 'ports') ?? []).forEach((port, pi) => {
      const hp = getNumber(port, 'hostPort') ?? 0;
      if (hp === 0) return;
      const s = `${getString(port, 'protocol')}/${getString(port, 'hostIP')}/${hp}`;
      if (seen.has(s)) out.push(fieldError.duplicate(child(index(child(index(path, ci), 'ports'), pi), 'hostPort'), s));
      else seen.add(s);
    });
  });
  return out;
}

function validateContainers(list: unknown, volumes: Set<string>, gracePeriod: number | undefined, path: string): FieldCause[] {
  const containers = Array.isArray(list) ? list : [];
  if (containers.length === 0) return [fieldError.required(path)];
  const out: FieldCause[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = index(path, i);
    out.push(...validateContainerCommon(c, volumes, p));
    const name = getString(c, 'name');
    if (names.has(name)) out.push(fieldError.duplicate(child(p, 'name'), name));
    else names.add(name);
    if (isMap(c)) out.push(...validateLifecycleAndProbes(c, gracePeriod, p));
    if (isSet(c, 'restartPolicy')) out.push(fieldError.forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  out.push(...hostPortConflicts(containers, path));
  return out;
}

function validateInitContainers(list: unknown, regular: unknown, volumes: Set<string>, gracePeriod: number | undefined, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const names = new Set<string>((Array.isArray(regular) ? regular : []).map((c) => getString(c, 'name')));
  (Array.isArray(list) ? list : []).forEach((c, i) => {
    const p = index(path, i);
    out.push(...validateContainerCommon(c, volumes, p));
    const rp = getOptString(c, 'restartPolicy');
    if (rp !== undefined && rp !== 'Always') out.push(fieldError.notSupported(child(p, 'restartPolicy'), rp, ['Always']));
    const name = getString(c, 'name');
    if (names.has(name)) out.push(fieldError.duplicate(child(p, 'name'), name));
    else if (name) names.add(name);
    out.push(...hostPortConflicts([c], path));
    if (rp === 'Always') {
      if (isMap(c)) out.push(...validateLifecycleAndProbes(c, gracePeriod, p));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (isSet(c, f)) out.push(fieldError.forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return out;
}

function getOptString(o: unknown, k: string): string | undefined {
  return isMap(o) && typeof o[k] === 'string' ? o[k] : undefined;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTolerations(tolerations: unknown, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  (Array.isArray(tolerations) ? tolerations : []).forEach((t, i) => {
    const p = index(path, i);
    const k = getString(t, 'key');
    const op = getString(t, 'operator');
    const effect = getString(t, 'effect');
    const value = getString(t, 'value');
    if (k) out.push(...validateLabelName(k, child(p, 'key')));
    if (!k && op !== 'Exists') {
      out.push(fieldError.invalid(child(p, 'operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(t, 'tolerationSeconds') && effect !== 'NoExecute') {
      out.push(fieldError.invalid(child(p, 'effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (op === 'Equal' || op === '') {
      const errs = isValidLabelValue(value);
      if (errs.length > 0) out.push(fieldError.invalid(child(p, 'operator'), value, errs.join(';')));
    } else if (op === 'Exists') {
      if (value) out.push(fieldError.invalid(child(p, 'operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(fieldError.notSupported(child(p, 'operator'), op, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) out.push(fieldError.notSupported(child(p, 'effect'), effect, TAINT_EFFECTS));
  });
  return out;
}

export interface PodSpecOptions {
  /** The spec belongs to a Pod (not a template): enables the pod-only checks. */
  isPod?: boolean;
}

/** ValidatePodSpec, for the spec at `path`. */
export function validatePodSpec(spec: unknown, path: string, opts: PodSpecOptions = {}): FieldCause[] {
  const s = isMap(spec) ? spec : {};
  const out: FieldCause[] = [];
  const tgps = s.terminationGracePeriodSeconds;
  if (tgps === undefined || tgps === null) out.push(fieldError.required(child(path, 'terminationGracePeriodSeconds')));
  const gracePeriod = typeof tgps === 'number' ? tgps : undefined;
  const vols = validateVolumes(s.volumes, child(path, 'volumes'));
  out.push(...vols.errs);
  out.push(...validateContainers(s.containers, vols.names, gracePeriod, child(path, 'containers')));
  out.push(...validateInitContainers(s.initContainers, s.containers, vols.names, gracePeriod, child(path, 'initContainers')));
  if (s.hostNetwork === true) {
    (getArray(s, 'containers') ?? []).forEach((c, ci) =>
      (getArray(c, 'ports') ?? []).forEach((port, pi) => {
        const hp = getNumber(port, 'hostPort') ?? 0;
        const cp = getNumber(port, 'containerPort') ?? 0;
        if ((opts.isPod || hp !== 0) && hp !== cp) {
          const p = child(index(child(index(child(path, 'containers'), ci), 'ports'), pi), 'hostPort');
          out.push(fieldError.invalid(p, hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      }),
    );
  }
  const rp = getString(s, 'restartPolicy');
  if (!rp) out.push(fieldError.required(child(path, 'restartPolicy')));
  else if (!RESTART_POLICIES.includes(rp)) out.push(fieldError.notSupported(child(path, 'restartPolicy'), rp, RESTART_POLICIES));
  const dp = getString(s, 'dnsPolicy');
  if (!dp) out.push(fieldError.required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(dp)) out.push(fieldError.notSupported(child(path, 'dnsPolicy'), dp, DNS_POLICIES));
  out.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  out.push(...validateSpecNames(s, path));
  const ads = s.activeDeadlineSeconds;
  if (typeof ads === 'number' && (ads < 1 || ads > MAX_INT32)) {
    out.push(fieldError.invalid(child(path, 'activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const f of ['hostname', 'subdomain']) {
    const v = getString(s, f);
    if (v) out.push(...dnsLabel(v, child(path, f)));
  }
  out.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  out.push(...validateClassNames(s, path));
  const pp = getOptString(s, 'preemptionPolicy');
  if (pp !== undefined && pp !== 'PreemptLowerPriority' && pp !== 'Never') {
    out.push(pp === '' ? fieldError.required(child(path, 'preemptionPolicy')) : fieldError.notSupported(child(path, 'preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
  }
  return out;
}

function validateSpecNames(s: JsonMap, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  for (const f of ['serviceAccountName', 'nodeName']) {
    const v = getString(s, f);
    if (v) for (const m of nameIsDNSSubdomain(v, false)) out.push(fieldError.invalid(child(path, f), v, m));
  }
  return out;
}

function validateClassNames(s: JsonMap, path: string): FieldCause[] {
  const out: FieldCause[] = [];
  const pc = getString(s, 'priorityClassName');
  if (pc) for (const m of nameIsDNSSubdomain(pc, false)) out.push(fieldError.invalid(child(path, 'priorityClassName'), pc, m));
  const rc = getOptString(s, 'runtimeClassName');
  if (rc !== undefined) for (const m of nameIsDNSSubdomain(rc, false)) out.push(fieldError.invalid(child(path, 'runtimeClassName'), rc, m));
  return out;
}

/** ValidatePodTemplateSpec for the template at `path` (labels are reported at `<path>.labels`, as Kubernetes does). */
export function validatePodTemplateSpec(template: unknown, path: string): FieldCause[] {
  const meta = getMap(template, 'metadata');
  const out: FieldCause[] = [];
  out.push(...validateLabels(meta?.labels, child(path, 'labels')));
  out.push(...validateAnnotations(meta?.annotations, child(path, 'annotations')));
  out.push(...validatePodSpec(getMap(template, 'spec'), child(path, 'spec')));
  if ((getArray(getMap(template, 'spec'), 'ephemeralContainers') ?? []).length > 0) {
    out.push(fieldError.forbidden(child(path, 'spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  }
  return out;
}

/** The pod-only additions: image whitespace, no ephemeral containers on create. */
export function validatePodOnly(spec: unknown, create: boolean): FieldCause[] {
  const out: FieldCause[] = [];
  for (const list of ['containers', 'initContainers']) {
    (getArray(spec, list) ?? []).forEach((c, i) => {
      const image = getString(c, 'image');
      if (image.length !== image.trim().length) {
        out.push(fieldError.invalid(child(index(child('spec', list), i), 'image'), image, 'must not have leading or trailing whitespace'));
      }
    });
  }
  if (create && (getArray(spec, 'ephemeralContainers') ?? []).length > 0) {
    out.push(fieldError.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  }
  return out;
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds and tolerations may change. */
export function validatePodSpecUpdate(spec: unknown, old: unknown): FieldCause[] {
  const out: FieldCause[] = [];
  const ns = isMap(spec) ? spec : {};
  const os = isMap(old) ? old : {};
  for (const list of ['containers', 'initContainers']) {
    const nl = getArray(ns, list) ?? [];
    const ol = getArray(os, list) ?? [];
    if (nl.length !== ol.length) return [...out, fieldError.forbidden(child('spec', list), 'pod updates may not add or remove containers')];
    nl.forEach((c, i) => {
      if (!getString(c, 'image')) out.push(fieldError.required(child(index(child('spec', list), i), 'image')));
    });
  }
  const nads = ns.activeDeadlineSeconds;
  const oads = os.activeDeadlineSeconds;
  if (typeof nads === 'number') {
    if (nads < 0 || nads > MAX_INT32) return [...out, fieldError.invalid('spec.activeDeadlineSeconds', nads, inclusiveRangeError(0, MAX_INT32))];
    if (typeof oads === 'number' && oads < nads) {
      return [...out, fieldError.invalid('spec.activeDeadlineSeconds', nads, 'must be less than or equal to previous value')];
    }
  } else if (typeof oads === 'number') {
    out.push(fieldError.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  const munged: JsonMap = clone(ns);
  for (const list of ['containers', 'initContainers']) {
    const ml = getArray(munged, list) ?? [];
    const ol = getArray(os, list) ?? [];
    ml.forEach((c, i) => {
      if (isMap(c)) c.image = getString(ol[i], 'image');
    });
  }
  for (const f of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
    if (os[f] === undefined) delete munged[f];
    else munged[f] = os[f];
  }
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  if (!semanticEqual(munged, os)) {
    out.push(fieldError.forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${specDiff(os, munged)}`));
  }
  return out;
}

/** A short stand-in for the cmp.Diff Kubernetes appends: the top-level PodSpec fields that changed. */
function specDiff(old: JsonMap, cur: JsonMap): string {
  const keys = [...new Set([...Object.keys(old), ...Object.keys(cur)])].sort();
  const lines = ['  core.PodSpec{'];
  for (const k of keys) {
    if (semanticEqual(old[k], cur[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(old[k])},`);
    if (cur[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(cur[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}
