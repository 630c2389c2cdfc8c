/**
 * A minimal keep-alive HTTP(S) client for the load generators: one node:http (or, for an https URL,
 * node:https) Agent with keepAlive and maxSockets = the benchmark's concurrency, trusting the given
 * CA, bearer-token auth, whole-body responses.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export class HttpClient {
  readonly agent: http.Agent;
  private readonly base: URL;
  private readonly send: typeof http.request;

  /** `ca` is the PEM to trust for an https URL (the cluster's own CA). */
  constructor(
    baseUrl: string,
    private readonly token: string | undefined,
    maxSockets: number,
    ca?: string,
  ) {
    this.base = new URL(baseUrl);
    const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'fifo' as const };
    if (this.base.protocol === 'https:') {
      this.agent = new https.Agent({ ...options, ...(ca ? { ca } : {}) });
      this.send = https.request;
    } else {
      this.agent = new http.Agent(options);
      this.send = http.request;
    }
  }

  /** http.request or https.request, whichever the base URL needs. */
  get requestFn(): typeof http.request {
    return this.send;
  }

  /** Options for a raw http.request on this client's agent (used by the watch streams). */
  requestOptions(method: string, path: string, headers: http.OutgoingHttpHeaders = {}): http.RequestOptions {
    return {
      agent: this.agent,
      host: this.base.hostname,
      port: this.base.port,
      method,
      path,
      headers: { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), Accept: 'application/json', ...headers },
    };
  }

  request(method: string, path: string, body?: string | Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<HttpResponse> {
    const extra: http.OutgoingHttpHeaders = { ...headers };
    if (body !== undefined) {
      extra['Content-Type'] ??= 'application/json';
      extra['Content-Length'] = Buffer.byteLength(body);
    }
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = this.send(this.requestOptions(method, path, extra), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Like request(), but a status outside 2xx is an error carrying the response text. */
  async ok(method: string, path: string, body?: string | Buffer, headers?: http.OutgoingHttpHeaders): Promise<HttpResponse> {
    const res = await this.request(method, path, body, headers);
    if (res.status < 200 || res.status > 299) {
      throw new Error(`${method} ${path} answered ${res.status}: ${res.body.toString('utf8').slice(0, 500)}`);
    }
    return res;
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * Runs `total` operations with `concurrency` workers pulling the next index, and returns each
 * operation's latency in ms plus the wall time for the whole run.
 */
export async function runConcurrent(total: number, concurrency: number, op: (i: number) => Promise<void>): Promise<{ latenciesMs: number[]; wallMs: number }> {
  const latenciesMs = new Array<number>(total);
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (true) {
      const i = next++;
      if (i >= total) return;
      const t0 = performance.now();
      await op(i);
      latenciesMs[i] = performance.now() - t0;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => worker()));
  return { latenciesMs, wallMs: performance.now() - start };
}
