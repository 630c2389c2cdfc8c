/**
 * Puts into the baseline etcd, through the `etcd3` npm client (gRPC) when it loads, or else through
 * etcd's v3 JSON gRPC-gateway (`POST /v3/kv/put`, base64 key and value) on a keep-alive agent.
 * BENCH_ETCD_CLIENT=gateway forces the gateway.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HttpClient } from './http-client.js';
import { REPO_ROOT } from './server.js';

export interface EtcdPutClient {
  /** What the JSON line reports as `baselineClient`. */
  readonly name: string;
  put(key: string, value: string): Promise<void>;
  close(): void;
}

export async function etcdPutClient(clientUrl: string, concurrency: number): Promise<EtcdPutClient> {
  if (process.env.BENCH_ETCD_CLIENT !== 'gateway') {
    try {
      const { Etcd3 } = await import('etcd3');
      const client = new Etcd3({ hosts: clientUrl });
      await client.put('/bench/probe').value('ok');
      return {
        name: `etcd3@${packageVersion('etcd3')} (gRPC, one HTTP/2 channel)`,
        put: async (key, value) => {
          await client.put(key).value(value);
        },
        close: () => client.close(),
      };
    } catch (err) {
      process.stderr.write(`[bench] etcd3 client unusable (${String(err)}); using the JSON gRPC-gateway\n`);
    }
  }
  const http = new HttpClient(clientUrl, undefined, concurrency);
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return {
    name: 'etcd v3 JSON gRPC-gateway (POST /v3/kv/put, node:http keep-alive agent)',
    put: async (key, value) => {
      await http.ok('POST', '/v3/kv/put', JSON.stringify({ key: b64(key), value: b64(value) }));
    },
    close: () => http.close(),
  };
}

function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
