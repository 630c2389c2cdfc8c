import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { IpBatch, runIpBatch, throwUnlessBenign } from './ip-batch.js';

// Read-only commands only: `ip link show` needs no privileges and changes nothing.
const skip = ((): string | undefined => {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'needs iproute2';
  }
})();

test('a long-lived batch attributes each failure to its command and request, in order', { skip }, async () => {
  const batch = new IpBatch();
  try {
    const [first, second, third] = await Promise.all([
      batch.run(['link show dev lo', 'link show dev argosy-nope0']),
      batch.run(['link show dev lo']),
      batch.run(['link show dev argosy-nope1', 'link show dev lo', 'link show dev argosy-nope2']),
    ]);
    assert.deepEqual(first.map((f) => f.command), ['link show dev argosy-nope0']);
    assert.match(first[0].message, /argosy-nope0.*does not exist/);
    assert.deepEqual(second, []);
    assert.deepEqual(third.map((f) => f.command), ['link show dev argosy-nope1', 'link show dev argosy-nope2']);
    await assert.rejects(batch.runOrThrow(['link show dev argosy-nope3']), /ip link show dev argosy-nope3: Device "argosy-nope3" does not exist/);
    await batch.runOrThrow(['link show dev argosy-nope4'], /does not exist/);
  } finally {
    batch.close();
  }
});

test('a batch process that dies fails its pending requests and is restarted for the next', { skip }, async () => {
  const batch = new IpBatch();
  try {
    // `ip` exits on an unknown subcommand instead of reporting it.
    await assert.rejects(batch.run(['link frobnicate']), /ip batch process ended/);
    assert.deepEqual(await batch.run(['link show dev lo']), []);
  } finally {
    batch.close();
  }
  await assert.rejects(batch.run(['link show dev lo']), /closed/);
});

test('commands that would break the line protocol are refused before anything runs', async () => {
  const batch = new IpBatch();
  try {
    await assert.rejects(batch.run(['link show dev lo\nlink del lo']), /malformed ip command/);
    await assert.rejects(batch.run(['link show # comment']), /malformed/);
    await assert.rejects(runIpBatch([], ['link show dev lo\\']), /malformed/);
  } finally {
    batch.close();
  }
});

test('one-shot batches report failures the same way', { skip }, async () => {
  const failures = await runIpBatch([], ['link show dev lo', 'link show dev argosy-nope5']);
  assert.deepEqual(failures.map((f) => f.command), ['link show dev argosy-nope5']);
  const noNetns = await runIpBatch(['-n', 'argosy-no-such-netns'], ['link show dev lo']);
  assert.equal(noNetns.length, 1);
  assert.throws(() => throwUnlessBenign(noNetns), /argosy-no-such-netns/);
});
