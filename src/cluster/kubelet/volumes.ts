/**
 * Pod volumes as directories under `<podDir>/volumes/<plugin>/<name>`, laid out as the kubelet's
 * volume plugins lay them out, so the sandbox can bind each at its mountPath:
 * - emptyDir: a directory (medium Memory too: there is no tmpfs shared between sandboxes);
 * - configMap, secret, downwardAPI, projected: files written by an atomic writer like Kubernetes'
 *   (`..data` → a timestamped directory, user-visible names are symlinks into `..data`), so a
 *   refresh after the ConfigMap changes swaps every file at once;
 * - hostPath (with the `type` checks), persistentVolumeClaim (the bound PV's hostPath or local path;
 *   generic ephemeral volumes use their `<pod>-<volume>` claim).
 * Anything else is a VolumeError naming the volume and its source; nothing here throws otherwise.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { KubeObject } from '../objects.js';
import { ConfigError, fieldRefValue, resourceFieldValue, type ConfigLookup, type NodeAllocatable, type PodFieldValues } from './env.js';
import type { DownwardAPIFile, KeyToPath, PodSpec, Volume } from './types.js';

/** A volume that cannot be set up (yet): the message is what Kubernetes puts after `MountVolume.SetUp failed for volume "x" : `. */
export class VolumeError extends Error {
  constructor(
    readonly volume: string,
    message: string,
    /** True while waiting on something that may still happen (an unbound PVC). */
    readonly pending = false,
  ) {
    super(message);
  }
}

export interface StorageLookup extends ConfigLookup {
  persistentVolumeClaim(namespace: string, name: string): KubeObject | undefined;
  persistentVolume(name: string): KubeObject | undefined;
}

export interface MountedVolume {
  /** The directory (or file) on the host. */
  hostPath: string;
  /** Read-only by nature (configMap, secret, downwardAPI, projected; a read-only PVC). */
  readOnly: boolean;
}

export interface VolumeContext extends PodFieldValues {
  pod: KubeObject;
  podDir: string;
  lookup: StorageLookup;
  node: NodeAllocatable;
}

/** Sources this kubelet can mount; every other Volume source key is reported as unsupported. */
export const SUPPORTED_VOLUME_SOURCES = ['emptyDir', 'hostPath', 'configMap', 'secret', 'downwardAPI', 'projected', 'persistentVolumeClaim', 'ephemeral'];

interface FilePayload {
  content: Buffer;
  mode: number;
}

type Payload = Map<string, FilePayload>;

/** Which source key a Volume uses (the one non-`name` key with a value). */
export function volumeSource(v: Volume): string {
  const keys = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  return keys[0] ?? 'emptyDir';
}

/** Which ConfigMaps, Secrets and claims a pod's volumes read: `configmap/NAME`, `secret/NAME`, `pvc/NAME`. */
export function volumeDependencies(pod: KubeObject): Set<string> {
  const deps = new Set<string>();
  for (const v of ((pod.spec ?? {}) as PodSpec).volumes ?? []) {
    if (v.configMap?.name) deps.add(`configmap/${v.configMap.name}`);
    if (v.secret?.secretName) deps.add(`secret/${v.secret.secretName}`);
    if (v.persistentVolumeClaim?.claimName) deps.add(`pvc/${v.persistentVolumeClaim.claimName}`);
    if (v.ephemeral) deps.add(`pvc/${pod.metadata.name}-${v.name}`);
    for (const s of v.projected?.sources ?? []) {
      if (s.configMap?.name) deps.add(`configmap/${s.configMap.name}`);
      if (s.secret?.name) deps.add(`secret/${s.secret.name}`);
    }
  }
  return deps;
}

/**
 * Sets up every volume of the pod, idempotently: a second call rewrites projected content only
 * where it changed. Throws the first VolumeError met.
 */
export class PodVolumes {
  private readonly written = new Map<string, string>();

  constructor(private ctx: VolumeContext) {}

  /** The pod changed (labels, annotations) or got its address: downward API content follows on refresh. */
  setContext(changes: Partial<Pick<VolumeContext, 'pod' | 'podIP'>>): void {
    this.ctx = { ...this.ctx, ...changes };
  }

  async setUp(): Promise<Map<string, MountedVolume>> {
    const mounted = new Map<string, MountedVolume>();
    for (const v of ((this.ctx.pod.spec ?? {}) as PodSpec).volumes ?? []) {
      mounted.set(v.name, await this.setUpOne(v));
    }
    return mounted;
  }

  /** Rewrites the projected volumes (ConfigMap or Secret content changed); errors are left for the next setUp. */
  async refresh(): Promise<void> {
    for (const v of ((this.ctx.pod.spec ?? {}) as PodSpec).volumes ?? []) {
      if (!['configMap', 'secret', 'downwardAPI', 'projected'].includes(volumeSource(v))) continue;
      try {
        await this.setUpOne(v);
      } catch {
        // A refresh keeps the last good content, as the kubelet does.
      }
    }
  }

  private dir(plugin: string, name: string): string {
    return path.join(this.ctx.podDir, 'volumes', `kubernetes.io~${plugin}`, name);
  }

  private async setUpOne(v: Volume): Promise<MountedVolume> {
    const source = volumeSource(v);
    const namespace = this.ctx.pod.metadata.namespace ?? 'default';
    switch (source) {
      case 'emptyDir': {
        const dir = this.dir('empty-dir', v.name);
        await fsp.mkdir(dir, { recursive: true, mode: 0o777 });
        return { hostPath: dir, readOnly: false };
      }
      case 'hostPath':
        return { hostPath: await checkHostPath(v.name, v.hostPath!.path, v.hostPath!.type ?? ''), readOnly: false };
      case 'configMap': {
        const src = v.configMap!;
        const payload = this.configMapPayload(v.name, namespace, src.name ?? '', src.items, src.defaultMode ?? 0o644, src.optional === true);
        return this.project('configmap', v.name, payload);
      }
      case 'secret': {
        const src = v.secret!;
        const payload = this.secretPayload(v.name, namespace, src.secretName ?? '', src.items, src.defaultMode ?? 0o644, src.optional === true);
        return this.project('secret', v.name, payload);
      }
      case 'downwardAPI':
        return this.project('downward-api', v.name, this.downwardPayload(v.name, v.downwardAPI!.items ?? [], v.downwardAPI!.defaultMode ?? 0o644));
      case 'projected':
        return this.project('projected', v.name, this.projectedPayload(v, namespace));
      case 'persistentVolumeClaim':
        return this.claim(v.name, namespace, v.persistentVolumeClaim!.claimName, v.persistentVolumeClaim!.readOnly === true);
      case 'ephemeral':
        return this.claim(v.name, namespace, `${this.ctx.pod.metadata.name}-${v.name}`, false);
      default:
        throw new VolumeError(v.name, `volume source "${source}" is not supported by the Argosy kubelet (supported: ${SUPPORTED_VOLUME_SOURCES.join(', ')})`);
    }
  }

  private configMapPayload(volume: string, namespace: string, name: string, items: KeyToPath[] | undefined, mode: number, optional: boolean): Payload {
    const cm = this.ctx.lookup.configMap(namespace, name);
    const payload: Payload = new Map();
    if (!cm) {
      if (optional) return payload;
      throw new VolumeError(volume, `configmap ${JSON.stringify(name)} not found`);
    }
    const values = new Map<string, Buffer>();
    for (const [k, val] of Object.entries(cm.data ?? {})) values.set(k, Buffer.from(val, 'utf8'));
    for (const [k, val] of Object.entries(cm.binaryData ?? {})) values.set(k, Buffer.from(val, 'base64'));
    addItems(payload, values, items, mode, optional, (key) => new VolumeError(volume, `configmap references non-existent config key: ${key}`));
    return payload;
  }

  private secretPayload(volume: string, namespace: string, name: string, items: KeyToPath[] | undefined, mode: number, optional: boolean): Payload {
    const secret = this.ctx.lookup.secret(namespace, name);
    const payload: Payload = new Map();
    if (!secret) {
      if (optional) return payload;
      throw new VolumeError(volume, `secret ${JSON.stringify(name)} not found`);
    }
    const values = new Map<string, Buffer>();
    for (const [k, val] of Object.entries(secret.data ?? {})) values.set(k, Buffer.from(val, 'base64'));
    addItems(payload, values, items, mode, optional, (key) => new VolumeError(volume, `references non-existent secret key: ${key}`));
    return payload;
  }

  private downwardPayload(volume: string, items: DownwardAPIFile[], mode: number): Payload {
    const payload: Payload = new Map();
    const spec = (this.ctx.pod.spec ?? {}) as PodSpec;
    for (const item of items) {
      let value = '';
      try {
        if (item.fieldRef) value = fieldRefValue(this.ctx.pod, item.fieldRef, this.ctx);
        else if (item.resourceFieldRef) value = resourceFieldValue(spec, item.resourceFieldRef, undefined, this.ctx.node);
      } catch (err) {
        if (err instanceof ConfigError) throw new VolumeError(volume, err.message);
        throw err;
      }
      payload.set(item.path, { content: Buffer.from(value, 'utf8'), mode: item.mode ?? mode });
    }
    return payload;
  }

  private projectedPayload(v: Volume, namespace: string): Payload {
    const src = v.projected!;
    const mode = src.defaultMode ?? 0o644;
    const payload: Payload = new Map();
    for (const s of src.sources ?? []) {
      let part: Payload | undefined;
      if (s.configMap) part = this.configMapPayload(v.name, namespace, s.configMap.name ?? '', s.configMap.items, mode, s.configMap.optional === true);
      else if (s.secret) part = this.secretPayload(v.name, namespace, s.secret.name ?? '', s.secret.items, mode, s.secret.optional === true);
      else if (s.downwardAPI) part = this.downwardPayload(v.name, s.downwardAPI.items ?? [], mode);
      else if (s.serviceAccountToken) {
        // No token issuer in the embedded cluster yet: the file exists (so programs that read it at
        // start do not crash) but holds a placeholder, not a signed ServiceAccount token.
        const sa = ((this.ctx.pod.spec ?? {}) as PodSpec).serviceAccountName ?? 'default';
        part = new Map([[s.serviceAccountToken.path, { content: Buffer.from(`argosy-placeholder-token:${namespace}:${sa}`), mode }]]);
      } else {
        throw new VolumeError(v.name, `projected volume source "${Object.keys(s)[0] ?? ''}" is not supported by the Argosy kubelet`);
      }
      for (const [p, f] of part) payload.set(p, f);
    }
    return payload;
  }

  private async claim(volume: string, namespace: string, claimName: string, readOnly: boolean): Promise<MountedVolume> {
    const where = `${namespace}/${claimName}`;
    const pvc = this.ctx.lookup.persistentVolumeClaim(namespace, claimName);
    if (!pvc) throw new VolumeError(volume, `error processing PVC ${where}: failed to fetch PVC from API server: persistentvolumeclaims "${claimName}" not found`, true);
    const volumeName = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    const phase = (pvc.status as { phase?: string } | undefined)?.phase;
    if (!volumeName || phase !== 'Bound') throw new VolumeError(volume, `error processing PVC ${where}: PVC is not bound`, true);
    const pv = this.ctx.lookup.persistentVolume(volumeName);
    if (!pv) throw new VolumeError(volume, `error processing PVC ${where}: failed to fetch PV ${volumeName} from API server: persistentvolumes "${volumeName}" not found`, true);
    const spec = (pv.spec ?? {}) as { hostPath?: { path: string; type?: string }; local?: { path: string }; [k: string]: unknown };
    if (spec.hostPath) return { hostPath: await checkHostPath(volume, spec.hostPath.path, spec.hostPath.type ?? ''), readOnly };
    if (spec.local) return { hostPath: await checkHostPath(volume, spec.local.path, 'Directory'), readOnly };
    const known = ['capacity', 'accessModes', 'claimRef', 'persistentVolumeReclaimPolicy', 'storageClassName', 'mountOptions', 'volumeMode', 'nodeAffinity', 'volumeAttributesClassName'];
    const source = Object.keys(spec).find((k) => !known.includes(k)) ?? 'none';
    throw new VolumeError(volume, `volume source "${source}" of PersistentVolume ${volumeName} is not supported by the Argosy kubelet (use hostPath or local)`);
  }

  /** Kubernetes' AtomicWriter: the new content appears at once, through `..data`. */
  private async project(plugin: string, name: string, payload: Payload): Promise<MountedVolume> {
    const dir = this.dir(plugin, name);
    const digest = payloadDigest(payload);
    if (this.written.get(dir) === digest) return { hostPath: dir, readOnly: true };
    await writeAtomically(dir, payload);
    this.written.set(dir, digest);
    return { hostPath: dir, readOnly: true };
  }
}

function addItems(payload: Payload, values: Map<string, Buffer>, items: KeyToPath[] | undefined, mode: number, optional: boolean, missing: (key: string) => VolumeError): void {
  if (!items || items.length === 0) {
    for (const [k, content] of values) payload.set(k, { content, mode });
    return;
  }
  for (const item of items) {
    const content = values.get(item.key);
    if (content === undefined) {
      if (optional) continue;
      throw missing(item.key);
    }
    payload.set(item.path, { content, mode: item.mode ?? mode });
  }
}

function payloadDigest(payload: Payload): string {
  const h = createHash('sha256');
  for (const [p, f] of [...payload].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(p).update('\0').update(String(f.mode)).update('\0').update(f.content).update('\0');
  }
  return h.digest('hex');
}

function timestampDirName(): string {
  const d = new Date();
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.${Math.floor(Math.random() * 1e9)}`;
}

/** Writes `payload` under `dir` so that readers see either all old or all new content. */
export async function writeAtomically(dir: string, payload: Payload): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: 0o755 });
  const tsName = timestampDirName();
  const tsDir = path.join(dir, tsName);
  await fsp.mkdir(tsDir, { mode: 0o755 });
  const topLevel = new Set<string>();
  for (const [rel, file] of payload) {
    const clean = path.normalize(rel);
    if (clean.startsWith('..') || path.isAbsolute(clean)) continue;
    topLevel.add(clean.split(path.sep)[0]);
    const target = path.join(tsDir, clean);
    await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    await fsp.writeFile(target, file.content, { mode: file.mode & 0o777 });
    // writeFile's mode is masked by the umask; set it exactly.
    await fsp.chmod(target, file.mode & 0o777);
  }
  const dataLink = path.join(dir, '..data');
  const previous = await fsp.readlink(dataLink).catch(() => undefined);
  const tmpLink = path.join(dir, '..data_tmp');
  await fsp.rm(tmpLink, { force: true });
  await fsp.symlink(tsName, tmpLink);
  await fsp.rename(tmpLink, dataLink);
  for (const name of topLevel) {
    const link = path.join(dir, name);
    const existing = await fsp.readlink(link).catch(() => undefined);
    if (existing === path.join('..data', name)) continue;
    await fsp.rm(link, { recursive: true, force: true });
    await fsp.symlink(path.join('..data', name), link);
  }
  for (const entry of await fsp.readdir(dir)) {
    if (entry === '..data' || entry === tsName) continue;
    if (entry.startsWith('..') || !topLevel.has(entry)) await fsp.rm(path.join(dir, entry), { recursive: true, force: true });
  }
  if (previous && previous !== tsName) await fsp.rm(path.join(dir, previous), { recursive: true, force: true });
}

/** hostPath `type` checks (pkg/volume/hostpath); an untyped missing path is created as a directory, as Docker does. */
async function checkHostPath(volume: string, hostPath: string, type: string): Promise<string> {
  if (!path.isAbsolute(hostPath)) throw new VolumeError(volume, `hostPath ${JSON.stringify(hostPath)} must be an absolute path`);
  const stat = await fsp.stat(hostPath).catch(() => undefined);
  const fail = (what: string): never => {
    throw new VolumeError(volume, `hostPath type check failed: ${hostPath} is not a ${what}`);
  };
  switch (type) {
    case '':
    case 'DirectoryOrCreate':
      if (!stat) await fsp.mkdir(hostPath, { recursive: true, mode: 0o755 });
      else if (type === 'DirectoryOrCreate' && !stat.isDirectory()) fail('directory');
      break;
    case 'Directory':
      if (!stat?.isDirectory()) fail('directory');
      break;
    case 'FileOrCreate':
      if (!stat) {
        await fsp.mkdir(path.dirname(hostPath), { recursive: true, mode: 0o755 });
        await fsp.writeFile(hostPath, '', { mode: 0o644, flag: 'a' });
      } else if (!stat.isFile()) fail('file');
      break;
    case 'File':
      if (!stat?.isFile()) fail('file');
      break;
    case 'Socket':
      if (!stat?.isSocket()) fail('socket file');
      break;
    case 'CharDevice':
      if (!stat?.isCharacterDevice()) fail('character device');
      break;
    case 'BlockDevice':
      if (!stat?.isBlockDevice()) fail('block device');
      break;
    default:
      throw new VolumeError(volume, `hostPath type ${JSON.stringify(type)} is not supported`);
  }
  return hostPath;
}
