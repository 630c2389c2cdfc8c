/**
 * Turns a container of the pod spec into what to execute: the command (Kubernetes' command/args
 * over the image's ENTRYPOINT/CMD, with `$(VAR)` expansion), the environment (image env, HOSTNAME,
 * then the container's own), the volume mounts (subPath, subPathExpr, readOnly), the working
 * directory, and the argv of the sandbox around it. The command is looked up before anything is
 * spawned, so a missing one is a CreateContainerError naming the command and the image, as
 * Kubernetes reports it, rather than a mysterious exit code.
 */
import { constants as fsConstants } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { expandCommand, expandVars } from './env.js';
import type { ImageRule } from './image-profile.js';
import { hostPathOf, sandboxArgv, SANDBOX_BIN_DIR, type SandboxMount, type SandboxSpec } from './sandbox.js';
import type { ContainerSpec } from './types.js';
import type { MountedVolume } from './volumes.js';

/** Kubernetes: CreateContainerError (the container could not be created; retried with back-off). */
export class CreateContainerError extends Error {}

export interface LaunchInput {
  container: ContainerSpec;
  rule: ImageRule;
  /** The container's resolved env (envFrom, env, service variables), in order. */
  env: Map<string, string>;
  hostname: string;
  volumes: Map<string, MountedVolume>;
  /** The image's alias directory on the host, if it has aliases. */
  aliasDir: string | undefined;
  /** undefined: no sandbox (plain process group on the host). */
  sandbox: Omit<SandboxSpec, 'mounts' | 'workingDir' | 'command' | 'binDir'> | undefined;
}

export interface Launch {
  argv: string[];
  env: Record<string, string>;
  cwd?: string;
  /** The container's command as Kubernetes would show it (for messages). */
  command: string[];
  mounts: SandboxMount[];
  workingDir: string;
}

const EXEC_CACHE_TTL_MS = 10_000;
const execCache = new Map<string, number>();

async function isExecutable(p: string): Promise<boolean> {
  const seen = execCache.get(p);
  if (seen !== undefined && Date.now() - seen < EXEC_CACHE_TTL_MS) return true;
  try {
    const st = await fsp.stat(p);
    if (!st.isFile()) return false;
    await fsp.access(p, fsConstants.X_OK);
    execCache.set(p, Date.now());
    return true;
  } catch {
    return false;
  }
}

/**
 * Where `name` is found as the container sees its filesystem: the path to execute (container view)
 * and whether it could be verified; throws CreateContainerError when it certainly does not exist.
 */
export async function lookPath(name: string, pathVar: string, mounts: SandboxMount[], binDir: string | undefined, image: string): Promise<string> {
  const notFound = (detail: string): CreateContainerError => new CreateContainerError(`exec: ${JSON.stringify(name)}: ${detail} (image ${JSON.stringify(image)})`);
  if (name.includes('/')) {
    if (!path.isAbsolute(name)) return name;
    const onHost = hostPathOf(name, mounts, binDir);
    if (onHost !== undefined && !(await isExecutable(onHost))) {
      const exists = await fsp.stat(onHost).then(() => true, () => false);
      throw notFound(exists ? 'permission denied' : `stat ${name}: no such file or directory`);
    }
    return name;
  }
  for (const dir of pathVar.split(':')) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    const onHost = hostPathOf(candidate, mounts, binDir);
    // A directory the kubelet cannot see into (the private /tmp): let the sandbox try.
    if (onHost === undefined || (await isExecutable(onHost))) return candidate;
  }
  throw notFound('executable file not found in $PATH');
}

function volumeMounts(container: ContainerSpec, volumes: Map<string, MountedVolume>, env: Map<string, string>): Promise<SandboxMount[]> {
  return Promise.all(
    (container.volumeMounts ?? []).map(async (m) => {
      const volume = volumes.get(m.name);
      if (!volume) throw new CreateContainerError(`volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(container.name)} refers to no volume of the pod`);
      let sub = m.subPath ?? '';
      if (m.subPathExpr) sub = expandVars(m.subPathExpr, (n) => env.get(n));
      let hostPath = volume.hostPath;
      if (sub) {
        const clean = path.normalize(sub);
        if (path.isAbsolute(clean) || clean === '..' || clean.startsWith('../')) {
          throw new CreateContainerError(`failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(container.name)}: subPath ${JSON.stringify(sub)} must be a relative path inside the volume`);
        }
        hostPath = path.join(volume.hostPath, clean);
        // Like the kubelet: a missing subPath is created as a directory in the volume.
        const exists = await fsp.stat(hostPath).then(() => true, () => false);
        if (!exists && !volume.readOnly) await fsp.mkdir(hostPath, { recursive: true, mode: 0o755 });
        else if (!exists) {
          throw new CreateContainerError(`failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(container.name)}: ${sub} does not exist in the volume`);
        }
      }
      return { hostPath, containerPath: path.normalize(m.mountPath), readOnly: m.readOnly === true || volume.readOnly };
    }),
  );
}

/** Docker's rule: `command` replaces ENTRYPOINT (and drops CMD); `args` replaces CMD. */
export function containerCommand(container: ContainerSpec, rule: ImageRule, env: Map<string, string>): string[] {
  if (container.command && container.command.length > 0) return [...expandCommand(container.command, env), ...expandCommand(container.args ?? [], env)];
  if (container.args && container.args.length > 0) return [...rule.command, ...expandCommand(container.args, env)];
  return [...rule.command, ...rule.args];
}

export async function prepareLaunch(input: LaunchInput): Promise<Launch> {
  const { container, rule } = input;
  const image = container.image ?? '';
  const binInSandbox = input.aliasDir ? (input.sandbox ? SANDBOX_BIN_DIR : input.aliasDir) : undefined;
  const imageEnv: Record<string, string> = { ...rule.env };
  if (binInSandbox) imageEnv.PATH = `${binInSandbox}:${imageEnv.PATH ?? ''}`;
  const finalEnv = new Map<string, string>(Object.entries(imageEnv));
  finalEnv.set('HOSTNAME', input.hostname);
  for (const [k, v] of input.env) finalEnv.set(k, v);
  const env = Object.fromEntries(finalEnv);

  const command = containerCommand(container, rule, finalEnv);
  if (command.length === 0) throw new CreateContainerError(`no command specified (image ${JSON.stringify(image)} has no default command in the image profile)`);
  const mounts = input.sandbox ? await volumeMounts(container, input.volumes, finalEnv) : [];
  const workingDir = container.workingDir || rule.workingDir || '/';
  const binDirOnHost = input.sandbox ? input.aliasDir : undefined;
  const executable = await lookPath(command[0], finalEnv.get('PATH') ?? '', mounts, binDirOnHost, image);

  if (!input.sandbox) {
    const exists = await fsp.stat(workingDir).then((s) => s.isDirectory(), () => false);
    if (!exists) throw new CreateContainerError(`workingDir ${JSON.stringify(workingDir)} does not exist on the host (no sandbox to create it in)`);
    return { argv: [executable, ...command.slice(1)], env, cwd: workingDir, command, mounts, workingDir };
  }
  const argv = await sandboxArgv({ ...input.sandbox, binDir: binDirOnHost, mounts, workingDir, command: [command[0], ...command.slice(1)] });
  return { argv, env, command, mounts, workingDir };
}
