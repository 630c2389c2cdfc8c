/**
 * A minimal HTTPS client for asserting on the API server's raw responses (status codes, headers,
 * Status bodies), trusting the cluster's own CA.
 */
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
  text: string;
}

export interface WatchEvent<T = Record<string, unknown>> {
  type: string;
  object: T;
}

export class ApiClient {
  private readonly agent: https.Agent;

  constructor(
    readonly url: string,
    private readonly token: string | undefined,
    ca?: string,
  ) {
    this.agent = new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) });
  }

  withToken(token: string | undefined): ApiClient {
    const c = new ApiClient(this.url, token);
    (c as unknown as { agent: https.Agent }).agent = this.agent;
    return c;
  }

  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h: Record<string, string> = { ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}), ...headers };
    if (payload !== undefined) {
      h['Content-Type'] ??= 'application/json';
      h['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = https.request(this.url + path, { method, headers: h, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T, text });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Reads a watch stream until `count` events arrived, the stream ends, or the timeout passes. */
  watch<T = Record<string, unknown>>(path: string, count: number, timeoutMs = 5000): Promise<WatchEvent<T>[]> {
    return new Promise((resolve, reject) => {
      const events: WatchEvent<T>[] = [];
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        req.destroy();
        clearTimeout(timer);
        resolve(events);
      };
      const req = https.get(this.url + path, { headers: this.token ? { Authorization: `Bearer ${this.token}` } : {}, agent: this.agent }, (res) => {
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buf.slice(0, i)) as WatchEvent<T>);
            buf = buf.slice(i + 1);
            if (events.length >= count) finish();
          }
        });
        res.on('end', finish);
      });
      req.on('error', (err) => (done ? undefined : reject(err)));
      const timer = setTimeout(finish, timeoutMs);
    });
  }

  /** Follows a watch stream, calling `onEvent` for each event, until the returned stop() is called. */
  follow<T = Record<string, unknown>>(path: string, onEvent: (e: WatchEvent<T>) => void): () => void {
    const req = https.get(this.url + path, { headers: this.token ? { Authorization: `Bearer ${this.token}` } : {}, agent: this.agent }, (res) => {
      let buf = '';
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          onEvent(JSON.parse(buf.slice(0, i)) as WatchEvent<T>);
          buf = buf.slice(i + 1);
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    return () => req.destroy();
  }

  get<T = Record<string, unknown>>(path: string, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = Record<string, unknown>>(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, body, headers);
  }
  put<T = Record<string, unknown>>(path: string, body: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', path, body, headers);
  }
  patch<T = Record<string, unknown>>(path: string, body: unknown, contentType: string): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, body, { 'Content-Type': contentType });
  }
  delete<T = Record<string, unknown>>(path: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, body);
  }
}
