import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, describe, test } from 'node:test';
import { ContainerLogWriter, nanoTimestamp, parseRecord, readContainerLog, timestampSecondsAgo, type LogReadOptions } from './container-log.js';
import { logContainerId } from './log-source.js';
import type { ContainerStatus } from './types.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argosy-logs-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function read(file: string, options: Partial<LogReadOptions> = {}, writer?: ContainerLogWriter, signal = new AbortController().signal): Promise<string> {
  let out = '';
  await readContainerLog(file, { follow: false, timestamps: false, ...options }, async (t) => void (out += t), writer, signal);
  return out;
}

async function writeLog(name: string, feed: (w: ContainerLogWriter) => void): Promise<string> {
  const file = path.join(dir, name, 'run.log');
  const w = new ContainerLogWriter(file);
  feed(w);
  await w.close();
  return file;
}

describe('the CRI log format', () => {
  test('lines are timestamped records; output without a final newline is a partial record', async () => {
    const file = await writeLog('format', (w) => {
      w.append('stdout', 'one\ntw');
      w.append('stdout', 'o\n');
      w.append('stderr', 'oops\n');
      w.append('stdout', 'no newline');
    });
    const records = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map(parseRecord);
    assert.deepEqual(
      records.map((r) => [r!.stream, r!.partial, r!.text]),
      [
        ['stdout', false, 'one'],
        ['stdout', false, 'two'],
        ['stderr', false, 'oops'],
        ['stdout', true, 'no newline'],
      ],
    );
    assert.match(records[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    assert.equal(await read(file), 'one\ntwo\noops\nno newline');
  });

  test('a silent run writes no file, and reading it yields nothing', async () => {
    const file = await writeLog('silent', () => {});
    assert.equal(fs.existsSync(file), false);
    assert.equal(await read(file), '');
  });

  test('timestamps never go backwards', () => {
    let last = '';
    for (let i = 0; i < 1000; i++) {
      const t = nanoTimestamp();
      assert.ok(t >= last);
      last = t;
    }
  });
});

describe('reading', () => {
  test('tailLines, timestamps and limitBytes', async () => {
    const file = await writeLog('tail', (w) => {
      for (let i = 1; i <= 500; i++) w.append('stdout', `line ${i}\n`);
    });
    assert.equal(await read(file, { tailLines: 2 }), 'line 499\nline 500\n');
    assert.equal(await read(file, { tailLines: 0 }), '');
    assert.equal((await read(file, { tailLines: 1000 })).split('\n').length, 501);
    assert.match(await read(file, { tailLines: 1, timestamps: true }), /^\d{4}-\d\d-\d\dT[\d:.]+Z line 500\n$/);
    assert.equal(await read(file, { limitBytes: 10 }), 'line 1\nlin');
  });

  test('tailLines reaches back across read chunks', async () => {
    const long = 'x'.repeat(1000);
    const file = await writeLog('chunks', (w) => {
      for (let i = 0; i < 300; i++) w.append('stdout', `${i} ${long}\n`);
    });
    const out = await read(file, { tailLines: 150 });
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 150);
    assert.ok(lines[0].startsWith('150 '));
  });

  test('sinceSeconds keeps only recent records', async () => {
    const file = path.join(dir, 'since.log');
    const old = `${timestampSecondsAgo(3600)} stdout F old\n`;
    const recent = `${timestampSecondsAgo(5)} stdout F recent\n`;
    fs.writeFileSync(file, old + recent);
    assert.equal(await read(file, { since: timestampSecondsAgo(60) }), 'recent\n');
    assert.equal(await read(file), 'old\nrecent\n');
  });

  test('follow streams what is appended until the run ends', async () => {
    const file = path.join(dir, 'follow', 'run.log');
    const w = new ContainerLogWriter(file);
    w.append('stdout', 'first\n');
    const chunks: string[] = [];
    const done = readContainerLog(file, { follow: true, timestamps: false }, async (t) => void chunks.push(t), w, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 50));
    w.append('stdout', 'second\n');
    await new Promise((r) => setTimeout(r, 50));
    w.append('stderr', 'third');
    await w.close();
    await done;
    assert.equal(chunks.join(''), 'first\nsecond\nthird');
  });

  test('follow stops when the reader goes away', async () => {
    const file = path.join(dir, 'abort', 'run.log');
    const w = new ContainerLogWriter(file);
    const abort = new AbortController();
    const done = readContainerLog(file, { follow: true, timestamps: false }, async () => {}, w, abort.signal);
    setTimeout(() => abort.abort(), 30);
    await done;
    await w.close();
  });

  test('piped process output is captured from real streams', async () => {
    const file = path.join(dir, 'streams', 'run.log');
    const w = new ContainerLogWriter(file);
    const out = new PassThrough();
    const err = new PassThrough();
    w.attach(out, 'stdout');
    w.attach(err, 'stderr');
    out.write('a\n');
    err.end('b\n');
    out.end('c\n');
    await w.close();
    assert.equal(await read(file), 'a\nb\nc\n');
  });
});

describe('which run a log request reads (kubelet validateContainerLogStatus)', () => {
  const base = { image: 'busybox', imageID: '', ready: false, restartCount: 0, started: false };
  const T = '2024-01-01T00:00:00Z';
  const statuses: ContainerStatus[] = [
    { ...base, name: 'live', containerID: 'argosy://cur', state: { running: { startedAt: T } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: T, containerID: 'argosy://prev' } }, restartCount: 1 },
    { ...base, name: 'looping', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: T, containerID: 'argosy://last' } } },
    { ...base, name: 'creating', state: { waiting: { reason: 'ContainerCreating' } }, lastState: {} },
    { ...base, name: 'done', containerID: 'argosy://done', state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: T, containerID: 'argosy://done' } }, lastState: {} },
  ];

  test('current, previous and the errors Kubernetes gives', () => {
    assert.equal(logContainerId(statuses, 'live', 'p', false), 'argosy://cur');
    assert.equal(logContainerId(statuses, 'live', 'p', true), 'argosy://prev');
    assert.equal(logContainerId(statuses, 'looping', 'p', false), 'argosy://last');
    assert.equal(logContainerId(statuses, 'done', 'p', false), 'argosy://done');
    assert.throws(() => logContainerId(statuses, 'done', 'p', true), { code: 400, message: 'previous terminated container "done" in pod "p" not found' });
    assert.throws(() => logContainerId(statuses, 'creating', 'p', false), { code: 400, message: 'container "creating" in pod "p" is waiting to start: ContainerCreating' });
    assert.throws(() => logContainerId(statuses, 'other', 'p', false), { code: 400, message: 'container "other" in pod "p" is not available' });
  });
});
