// A small HTTP/1.1 client on node:http with keep-alive. It costs the benchmark process about a third of the CPU
// per request that global fetch (undici) does, which matters on a 2-core machine where the client and the server
// compete for the same cores: the figures should be the server's, not the client's.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  status: number;
  text: string;
  /** ms from sending the request to the last byte of the body. */
  ms: number;
}

export class HttpClient {
  private readonly agent: http.Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly streams = new Set<http.ClientRequest>();

  constructor(baseUrl: string, maxSockets = 16) {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:') throw new Error(`only http:// is supported, not ${baseUrl}`);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h: Record<string, string | number> = { accept: 'application/json', ...headers };
    if (payload !== undefined) {
      h['content-type'] ??= 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        { host: this.host, port: this.port, method, path, agent: this.agent, headers: h },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              text: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - t0,
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /**
   * A streaming GET on its own connection: resolves once the response headers are in (for a watch, once the
   * server has registered the watcher), then calls onLine(line, arrivalMs) for each newline-terminated line.
   * `done` settles when the stream ends; close() ends it from this side.
   */
  stream(
    path: string,
    onLine: (line: string, at: number) => void,
  ): Promise<{ status: number; done: Promise<void>; close(): void }> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        { host: this.host, port: this.port, path, agent: false, headers: { accept: 'application/json' } },
        (res) => {
          this.streams.add(req);
          let closing = false;
          const close = () => {
            closing = true;
            req.destroy();
          };
          const done = new Promise<void>((resolveDone, rejectDone) => {
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => {
              const at = performance.now();
              buf += chunk;
              let nl: number;
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl);
                buf = buf.slice(nl + 1);
                if (line.trim()) onLine(line, at);
              }
            });
            const finish = (err?: Error) => {
              this.streams.delete(req);
              if (err && !closing) rejectDone(err);
              else resolveDone();
            };
            res.on('end', () => finish());
            res.on('error', (err) => finish(err));
            res.on('close', () =>
              finish(closing || res.complete ? undefined : new Error('stream closed by the server')),
            );
          });
          done.catch(() => {}); // a failure is the caller's to see when it awaits `done`, never an unhandled rejection
          resolve({ status: res.statusCode ?? 0, done, close });
        },
      );
      req.on('error', reject);
    });
  }

  /** Ends every open stream and idle connection. */
  close(): void {
    for (const s of this.streams) s.destroy();
    this.streams.clear();
    this.agent.destroy();
  }
}
