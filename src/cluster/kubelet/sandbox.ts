/**
 * The container sandbox: a bubblewrap invocation that gives the command its own PID, IPC and UTS
 * namespaces (hostname = the pod's), the host's root read-only, a private `/tmp` and `/run`, fresh
 * `/dev` and `/proc`, the pod's `/etc/hosts`, `/etc/hostname` and `/etc/resolv.conf`, and every
 * volume at its mountPath. `--die-with-parent` plus the PID namespace mean that when the kubelet's
 * process dies, however it dies, every process of every container dies with it. A pod with its own
 * network namespace is entered first with `nsenter --net=...`.
 *
 * bwrap can only create a missing mount point on a writable parent, and the host root is
 * read-only; so for a mountPath such as `/etc/config` the deepest existing directory (`/etc`) is
 * "shadowed": replaced by a tmpfs holding read-only binds of each of its entries, in which the
 * mount point can be made, and then remounted read-only.
 *
 * The root itself is one recursive read-only bind of `/` when the spawner runs in a mount
 * namespace of its own without the pod network's `/run/netns` mounts (`wholeRoot`): bwrap re-reads
 * the whole mount table for every bind, so one bind instead of one per top-level entry roughly
 * halves a sandbox's CPU. Otherwise (or when a mount point must be made in `/` itself) the root is
 * shadowed too: a recursive bind of / would walk /run/netns, where pod network namespaces come and
 * go, and bwrap fails when one disappears mid-bind.
 */
import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';

export const BWRAP = '/usr/bin/bwrap';
/** Where the image's command aliases (python → python3, ...) appear inside the sandbox. */
export const SANDBOX_BIN_DIR = '/run/argosy/bin';

/** Paths that are fresh mounts inside the sandbox (mount points under them are created by bwrap). */
const PRIVATE_DIRS = ['/tmp', '/run', '/dev', '/proc'];

export interface SandboxMount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  /** Own UTS namespace with this hostname; undefined shares the host's (hostNetwork). */
  hostname?: string;
  unsharePid: boolean;
  unshareIpc: boolean;
  netnsPath?: string;
  /** Files bound over the host's `/etc/hosts`, `/etc/hostname`, `/etc/resolv.conf`. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  /** The host root may be bound whole: no network namespace mounts in this mount namespace (see above). */
  wholeRoot?: boolean;
  /** The image's alias directory on the host, bound at SANDBOX_BIN_DIR. */
  binDir?: string;
  mounts: SandboxMount[];
  workingDir: string;
  command: string[];
}

/** Runs a trivial sandbox; resolves to an explanation when bubblewrap cannot be used here. */
export async function probeBubblewrap(): Promise<string | undefined> {
  const exists = await fsp.access(BWRAP).then(() => true, () => false);
  if (!exists) return `${BWRAP} not found (install the bubblewrap package)`;
  return new Promise((resolve) => {
    const child = spawn(BWRAP, ['--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--', '/bin/sh', '-c', 'exit 0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => resolve(`${BWRAP} could not be run: ${e.message}`));
    child.on('close', (code) => resolve(code === 0 ? undefined : `${BWRAP} cannot create namespaces here (exit ${code}): ${err.trim()}`));
  });
}

interface DirEntry {
  name: string;
  kind: 'dir' | 'symlink' | 'other';
  target?: string;
}

interface CachedListing {
  at: number;
  entries: DirEntry[];
}

const LISTING_TTL_MS = 60_000;
const listingCache = new Map<string, CachedListing>();
const existsCache = new Map<string, { at: number; exists: boolean }>();

async function hostExists(p: string): Promise<boolean> {
  const cached = existsCache.get(p);
  if (cached && Date.now() - cached.at < LISTING_TTL_MS) return cached.exists;
  const exists = await fsp.lstat(p).then(() => true, () => false);
  existsCache.set(p, { at: Date.now(), exists });
  return exists;
}

async function listDir(dir: string): Promise<DirEntry[]> {
  const cached = listingCache.get(dir);
  if (cached && Date.now() - cached.at < LISTING_TTL_MS) return cached.entries;
  const entries: DirEntry[] = [];
  for (const d of await fsp.readdir(dir, { withFileTypes: true })) {
    if (d.isSymbolicLink()) entries.push({ name: d.name, kind: 'symlink', target: await fsp.readlink(path.join(dir, d.name)) });
    else entries.push({ name: d.name, kind: d.isDirectory() ? 'dir' : 'other' });
  }
  listingCache.set(dir, { at: Date.now(), entries });
  return entries;
}

function isUnder(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/**
 * The host directories to shadow so that every mount point can be created: for each missing
 * mount point on the read-only host root, its deepest existing ancestor. Sorted parents first.
 */
export async function shadowedDirs(mountPoints: string[], writableRoots: string[]): Promise<string[]> {
  const shadows = new Set<string>();
  for (const mp of mountPoints) {
    if (PRIVATE_DIRS.some((d) => isUnder(mp, d))) continue;
    if (await hostExists(mp)) continue;
    let dir = path.dirname(mp);
    while (dir !== '/' && !(await hostExists(dir))) dir = path.dirname(dir);
    // A mount point inside another (writable) mount is created there by bwrap itself.
    if (writableRoots.some((w) => isUnder(dir, w) && w !== '/')) continue;
    shadows.add(dir);
  }
  return [...shadows].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
}

async function shadowArgs(dir: string): Promise<string[]> {
  const args = dir === '/' ? [] : ['--tmpfs', dir];
  for (const e of await listDir(dir)) {
    const p = path.join(dir, e.name);
    if (dir === '/' && ['proc', 'dev', 'tmp', 'run'].includes(e.name)) continue;
    if (e.kind === 'symlink') args.push('--symlink', e.target!, p);
    else args.push('--ro-bind', p, p);
  }
  return args;
}

/** The argv (program first) that runs `spec.command` in its sandbox. */
export async function sandboxArgv(spec: SandboxSpec): Promise<string[]> {
  const mountPoints = spec.mounts.map((m) => m.containerPath);
  const workingDirOnHost = hostPathOf(spec.workingDir, spec.mounts, spec.binDir);
  // Inside a volume the answer changes as containers write: only host-root paths are cached.
  const inVolume = workingDirOnHost !== undefined && workingDirOnHost !== spec.workingDir;
  const workingDirExists = inVolume ? await fsp.lstat(workingDirOnHost).then(() => true, () => false) : await hostExists(spec.workingDir);
  const makeWorkingDir = workingDirOnHost !== undefined && !workingDirExists;
  if (makeWorkingDir) mountPoints.push(spec.workingDir);
  const writable = spec.mounts.filter((m) => !m.readOnly).map((m) => m.containerPath);
  const needed = await shadowedDirs(mountPoints, writable);
  const bindRootWhole = spec.wholeRoot === true && !needed.includes('/');
  // /run, /tmp, /dev and /proc are private mounts on top either way.
  const shadows = bindRootWhole ? needed : [...new Set(['/', ...needed])];
  const args: string[] = [];
  if (spec.netnsPath) args.push('/usr/bin/nsenter', `--net=${spec.netnsPath}`, '--');
  args.push(BWRAP, '--die-with-parent');
  if (spec.unsharePid) args.push('--unshare-pid');
  if (spec.unshareIpc) args.push('--unshare-ipc');
  if (spec.hostname !== undefined) args.push('--unshare-uts', '--hostname', spec.hostname);
  if (bindRootWhole) args.push('--ro-bind', '/', '/');
  for (const dir of shadows) args.push(...(await shadowArgs(dir)));
  args.push('--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--tmpfs', '/run');
  if (spec.binDir) args.push('--ro-bind', spec.binDir, SANDBOX_BIN_DIR);
  const etc: [string, string][] = [
    [spec.etcFiles.hosts, '/etc/hosts'],
    [spec.etcFiles.hostname, '/etc/hostname'],
    [spec.etcFiles.resolvConf, '/etc/resolv.conf'],
  ];
  for (const [src, dest] of etc) if (shadows.includes('/etc') || (await hostExists(dest))) args.push('--ro-bind', src, dest);
  // Parents before children, so a mount inside another mount lands on top of it.
  const mounts = [...spec.mounts].sort((a, b) => a.containerPath.split('/').length - b.containerPath.split('/').length);
  for (const m of mounts) args.push(m.readOnly ? '--ro-bind' : '--bind', m.hostPath, m.containerPath);
  if (makeWorkingDir) args.push('--dir', spec.workingDir);
  for (const dir of [...shadows].reverse()) args.push('--remount-ro', dir);
  args.push('--chdir', spec.workingDir, '--', ...spec.command);
  return args;
}

/**
 * Maps a path as the container sees it to where it is on the host, for checking that a command
 * exists before starting it; undefined when it cannot be known from outside (private /tmp, ...).
 */
export function hostPathOf(containerPath: string, mounts: SandboxMount[], binDir: string | undefined): string | undefined {
  if (binDir && isUnder(containerPath, SANDBOX_BIN_DIR)) return path.join(binDir, path.relative(SANDBOX_BIN_DIR, containerPath));
  let best: SandboxMount | undefined;
  for (const m of mounts) {
    if (isUnder(containerPath, m.containerPath) && (!best || m.containerPath.length > best.containerPath.length)) best = m;
  }
  if (best) return path.join(best.hostPath, path.relative(best.containerPath, containerPath));
  if (PRIVATE_DIRS.some((d) => isUnder(containerPath, d))) return undefined;
  return containerPath;
}
