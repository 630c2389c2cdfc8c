import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DEFAULT_IMAGE_PROFILE, ImageProfileError, imageMatches, loadImageProfile, matchImage, normalizeImage, parseImageProfile } from './image-profile.js';

describe('image references', () => {
  test('the default registry, library/ and a missing tag are normalized', () => {
    assert.deepEqual(normalizeImage('busybox'), { repository: 'busybox', tag: 'latest' });
    assert.deepEqual(normalizeImage('docker.io/library/busybox:1.36'), { repository: 'busybox', tag: '1.36' });
    assert.deepEqual(normalizeImage('library/python:3.12-slim'), { repository: 'python', tag: '3.12-slim' });
    assert.deepEqual(normalizeImage('localhost:5000/team/app:v2'), { repository: 'localhost:5000/team/app', tag: 'v2' });
    assert.deepEqual(normalizeImage('ghcr.io/org/tool@sha256:abc'), { repository: 'ghcr.io/org/tool', tag: '' });
  });

  test('patterns match any tag unless they name one, with * globs', () => {
    assert.equal(imageMatches('busybox', 'busybox:1.36'), true);
    assert.equal(imageMatches('busybox', 'docker.io/library/busybox'), true);
    assert.equal(imageMatches('busybox', 'busyboxplus:1'), false);
    assert.equal(imageMatches('python:3.*', 'python:3.12'), true);
    assert.equal(imageMatches('python:3.*', 'python:2.7'), false);
    assert.equal(imageMatches('ghcr.io/org/*', 'ghcr.io/org/tool:1'), true);
    assert.equal(imageMatches('ghcr.io/org/*', 'ghcr.io/other/tool:1'), false);
  });
});

describe('the default profile', () => {
  test('shell images run sh, python and node have their interpreters and aliases', () => {
    for (const image of ['busybox:1.36', 'alpine', 'debian:bookworm', 'ubuntu:22.04']) {
      assert.deepEqual(matchImage(DEFAULT_IMAGE_PROFILE, image)?.args, ['sh'], image);
    }
    const python = matchImage(DEFAULT_IMAGE_PROFILE, 'python:3.12-slim')!;
    assert.deepEqual(python.args, ['python3']);
    assert.equal(python.aliases.python, 'python3');
    const node = matchImage(DEFAULT_IMAGE_PROFILE, 'node:20-alpine')!;
    assert.equal(node.aliases.node, '$NODE');
    assert.equal(matchImage(DEFAULT_IMAGE_PROFILE, 'nginx:1.25'), undefined);
    assert.equal(matchImage(DEFAULT_IMAGE_PROFILE, undefined), undefined);
    assert.match(python.env.PATH, /\/usr\/bin/);
    assert.equal(python.workingDir, '/');
  });
});

describe('parsing', () => {
  test('a profile file is read; the first matching rule wins', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-profile-'));
    try {
      const file = path.join(dir, 'profile.yaml');
      fs.writeFileSync(file, 'images:\n  - match: ["registry.local/tools:*"]\n    command: [/bin/sh, -c]\n    args: ["echo default"]\n    env: {GREETING: hi}\n    workingDir: /srv\n  - match: registry.local/*\n    args: [sh]\n');
      const profile = loadImageProfile(file);
      const rule = matchImage(profile, 'registry.local/tools:1')!;
      assert.deepEqual(rule.command, ['/bin/sh', '-c']);
      assert.equal(rule.env.GREETING, 'hi');
      assert.ok(rule.env.PATH);
      assert.equal(rule.workingDir, '/srv');
      assert.deepEqual(matchImage(profile, 'registry.local/other')!.args, ['sh']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad profiles are rejected naming the file and the field', () => {
    const bad: [string, RegExp][] = [
      ['images: {}', /p\.yaml: images: must be a list/],
      ['images:\n  - command: [sh]', /images\[0\]\.match: must be a non-empty list/],
      ['images:\n  - match: [x]\n    args: sh', /images\[0\]\.args: must be a list of strings/],
      ['images:\n  - match: [x]\n    env: {A: 1}', /images\[0\]\.env: must be a mapping of strings/],
      ['images:\n  - match: [x]\n    workingDir: rel', /images\[0\]\.workingDir: must be an absolute path/],
      ['images:\n  - match: [x]\n    aliases: {"a/b": c}', /images\[0\]\.aliases\.a\/b: an alias must be a plain command name/],
      ['images:\n  - match: [x]\n    entrypoint: [sh]', /images\[0\]\.entrypoint: unknown field/],
      ['imagez: []', /imagez: unknown field/],
      ['images: [', /not valid YAML/],
    ];
    for (const [text, message] of bad) assert.throws(() => parseImageProfile(text, 'p.yaml'), (e: unknown) => e instanceof ImageProfileError && message.test(e.message), text);
    assert.throws(() => loadImageProfile('/nonexistent/profile.yaml'), /image profile \/nonexistent\/profile.yaml: cannot be read/);
  });
});
