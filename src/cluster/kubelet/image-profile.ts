/**
 * The image profile: there is no container engine, so which container images the kubelet can run
 * as host processes — and how — is declared here. An image the profile does not know is simulated
 * when its container is long-running and refused when it must run to completion (see README.md).
 *
 * Format (YAML; every field but `match` optional):
 *
 * ```yaml
 * images:                      # tried in order; the first rule that matches wins
 *   - match: [busybox, alpine, "python:3.*"]   # `repo` = any tag; `repo:tag` globs the tag; `*` anywhere
 *     command: []              # the image's ENTRYPOINT (Kubernetes `command` replaces it)
 *     args: [sh]               # the image's CMD (Kubernetes `args` replaces it)
 *     env: {PATH: /usr/bin:/bin}   # the image's environment (the container's `env` wins)
 *     workingDir: /            # the image's WORKDIR
 *     aliases: {python: python3}   # names put first on PATH: an absolute path, a command on the
 *                              # kubelet's PATH, or $NODE (the Node.js running Argosy)
 * ```
 *
 * References are compared without the default registry: `docker.io/library/busybox:1.36`,
 * `library/busybox:1.36` and `busybox:1.36` are one image; an image without a tag is `:latest`.
 */
import fs from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface ImageRule {
  match: string[];
  /** ENTRYPOINT. */
  command: string[];
  /** CMD. */
  args: string[];
  env: Record<string, string>;
  workingDir: string;
  aliases: Record<string, string>;
}

export interface ImageProfile {
  /** Where the profile came from, for messages. */
  source: string;
  rules: ImageRule[];
}

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_ENV = { PATH: DEFAULT_PATH, HOME: '/root' };
/** Alias target meaning "the Node.js binary running the kubelet". */
export const NODE_ALIAS_TARGET = '$NODE';

const DEFAULT_PROFILE_YAML = `
images:
  - match: [busybox, alpine, debian, ubuntu]
    args: [sh]
  - match: [python]
    args: [python3]
    aliases: {python: python3}
  - match: [node]
    args: [node]
    aliases: {node: $NODE}
`;

export class ImageProfileError extends Error {}

export function parseImageProfile(text: string, source: string): ImageProfile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ImageProfileError(`image profile ${source}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const fail = (field: string, problem: string): never => {
    throw new ImageProfileError(`image profile ${source}: ${field}: ${problem}`);
  };
  if (doc === null || doc === undefined) return { source, rules: [] };
  if (!isRecord(doc)) return fail('(root)', 'must be a mapping with an `images` list');
  for (const k of Object.keys(doc)) if (k !== 'images') fail(k, 'unknown field (expected `images`)');
  const images = doc.images ?? [];
  if (!Array.isArray(images)) return fail('images', 'must be a list');
  const rules = images.map((entry, i): ImageRule => {
    const at = `images[${i}]`;
    if (!isRecord(entry)) return fail(at, 'must be a mapping');
    for (const k of Object.keys(entry)) {
      if (!['match', 'command', 'args', 'env', 'workingDir', 'aliases'].includes(k)) fail(`${at}.${k}`, 'unknown field');
    }
    const match = typeof entry.match === 'string' ? [entry.match] : entry.match;
    if (!isStringList(match) || match.length === 0) fail(`${at}.match`, 'must be a non-empty list of image patterns');
    for (const field of ['command', 'args'] as const) {
      if (entry[field] !== undefined && !isStringList(entry[field])) fail(`${at}.${field}`, 'must be a list of strings');
    }
    for (const field of ['env', 'aliases'] as const) {
      if (entry[field] !== undefined && !isStringMap(entry[field])) fail(`${at}.${field}`, 'must be a mapping of strings to strings');
    }
    if (entry.workingDir !== undefined && (typeof entry.workingDir !== 'string' || !entry.workingDir.startsWith('/'))) {
      fail(`${at}.workingDir`, 'must be an absolute path');
    }
    for (const name of Object.keys((entry.aliases as Record<string, string> | undefined) ?? {})) {
      if (!/^[A-Za-z0-9._+-]+$/.test(name)) fail(`${at}.aliases.${name}`, 'an alias must be a plain command name');
    }
    return {
      match: match as string[],
      command: (entry.command as string[] | undefined) ?? [],
      args: (entry.args as string[] | undefined) ?? [],
      env: { ...DEFAULT_ENV, ...((entry.env as Record<string, string> | undefined) ?? {}) },
      workingDir: (entry.workingDir as string | undefined) ?? '/',
      aliases: (entry.aliases as Record<string, string> | undefined) ?? {},
    };
  });
  return { source, rules };
}

export function loadImageProfile(path: string): ImageProfile {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new ImageProfileError(`image profile ${path}: cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseImageProfile(text, path);
}

export const DEFAULT_IMAGE_PROFILE: ImageProfile = parseImageProfile(DEFAULT_PROFILE_YAML, 'built-in default');

/** `repository` and `tag` of an image reference, without the default registry and `library/`. */
export function normalizeImage(image: string): { repository: string; tag: string } {
  let ref = image.trim();
  const at = ref.indexOf('@');
  const hasDigest = at >= 0;
  if (hasDigest) ref = ref.slice(0, at);
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  let tag = '';
  if (colon > slash) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  }
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) {
    if (ref.startsWith(prefix)) ref = ref.slice(prefix.length);
  }
  if (ref.startsWith('library/')) ref = ref.slice('library/'.length);
  return { repository: ref, tag: tag || (hasDigest ? '' : 'latest') };
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

const patternCache = new Map<string, { repo: RegExp; tag: RegExp | undefined }>();

function compilePattern(pattern: string): { repo: RegExp; tag: RegExp | undefined } {
  let compiled = patternCache.get(pattern);
  if (!compiled) {
    const slash = pattern.lastIndexOf('/');
    const colon = pattern.lastIndexOf(':');
    const hasTag = colon > slash;
    const { repository } = normalizeImage(hasTag ? pattern.slice(0, colon) : pattern);
    compiled = { repo: globToRegExp(repository), tag: hasTag ? globToRegExp(pattern.slice(colon + 1)) : undefined };
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

export function imageMatches(pattern: string, image: string): boolean {
  const { repository, tag } = normalizeImage(image);
  const p = compilePattern(pattern);
  return p.repo.test(repository) && (p.tag === undefined || p.tag.test(tag));
}

/** The first rule that knows the image, or undefined when the profile does not. */
export function matchImage(profile: ImageProfile, image: string | undefined): ImageRule | undefined {
  if (!image) return undefined;
  return profile.rules.find((r) => r.match.some((p) => imageMatches(p, image)));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string');
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isRecord(v) && Object.values(v).every((x) => typeof x === 'string');
}
