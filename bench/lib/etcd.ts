/**
 * The baseline: a real etcd (Debian's etcd-server package, binary `etcd`) on free loopback ports
 * with its own temp data dir, default durability (fsync on every commit).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { makeTempDir, removeTempDir, trackChild, waitForExit } from './cleanup.js';

export interface EtcdProcess {
  clientUrl: string;
  version: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function etcdVersion(): string {
  const out = execFileSync('etcd', ['--version'], { encoding: 'utf8' });
  return /etcd Version:\s*(\S+)/.exec(out)?.[1] ?? 'unknown';
}

export async function startEtcd(): Promise<EtcdProcess> {
  const dataDir = makeTempDir('etcd');
  const clientPort = await freePort();
  const peerPort = await freePort();
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    'etcd',
    [
      '--name', 'bench',
      '--data-dir', dataDir,
      '--listen-client-urls', clientUrl,
      '--advertise-client-urls', clientUrl,
      '--listen-peer-urls', peerUrl,
      '--initial-advertise-peer-urls', peerUrl,
      '--initial-cluster', `bench=${peerUrl}`,
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  trackChild(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-16 * 1024)));
  const deadline = performance.now() + 30_000;
  while (!(await healthy(clientUrl))) {
    if (child.exitCode !== null) throw new Error(`etcd exited with ${child.exitCode}:\n${err}`);
    if (performance.now() > deadline) throw new Error(`etcd did not become healthy within 30s:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    clientUrl,
    version: etcdVersion(),
    pid: child.pid!,
    child,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await waitForExit(child, 30_000);
      removeTempDir(dataDir);
    },
  };
}

function healthy(clientUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${clientUrl}/health`, { agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('true')));
    });
    req.on('error', () => resolve(false));
  });
}
