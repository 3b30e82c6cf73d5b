// One invocation's shared state: the global flags, where output goes, and (created on first use) the connection,
// the HTTP client and the server's discovery. Commands take a Session so they can run in-process in tests.
import { ApiClient } from './client.js';
import { resolveConnection, type Connection, type GlobalOptions } from './connection.js';
import { Discovery } from './discovery.js';
import { parseDuration } from './duration.js';
import { CliError } from './errors.js';

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): Io => ({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});

export class Session {
  private _conn?: Connection;
  private _client?: ApiClient;
  private _discovery?: Promise<Discovery>;

  constructor(
    readonly opts: GlobalOptions,
    readonly io: Io = processIo(),
  ) {}

  get conn(): Connection {
    return (this._conn ??= resolveConnection(this.opts, this.io.env));
  }

  get client(): ApiClient {
    if (!this._client) {
      let timeout = 0;
      if (this.opts.requestTimeout && this.opts.requestTimeout !== '0') {
        try {
          timeout = parseDuration(this.opts.requestTimeout, '--request-timeout');
        } catch (err) {
          throw new CliError((err as Error).message);
        }
      }
      this._client = new ApiClient(this.conn, timeout);
      this._client.onWarning = (w) => this.warn(w);
      if (this.opts.verbose)
        this._client.onResponse = (m, p, code, ms) => this.debug(`${m} ${this.conn.server}${p} → ${code} in ${ms} ms`);
    }
    return this._client;
  }

  discovery(): Promise<Discovery> {
    return (this._discovery ??= Discovery.load(this.client));
  }

  /** The namespace for namespaced kinds: -n, the context's, or `default`. */
  get namespace(): string {
    return this.conn.namespace;
  }

  /** Writes exactly the text given. */
  write(text: string): void {
    if (text) this.io.stdout.write(text);
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  }

  err(text: string): void {
    this.io.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  warn(text: string): void {
    this.err(`Warning: ${text}`);
  }

  debug(text: string): void {
    if (this.opts.verbose) this.err(`[hilctl] ${text}`);
  }

  close(): void {
    this._client?.close();
  }
}
