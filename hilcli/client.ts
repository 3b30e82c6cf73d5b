// A thin client of HIL's v0 REST API, as HIL's own (hil/client/base.py): HIL_ENDPOINT with any path dropped,
// HTTP basic from HIL_USERNAME/HIL_PASSWORD or a Keystone token (X-Auth-Token), JSON bodies, and a failure carrying HIL's error type and message.

export class HilCallError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly status: number,
    /** The answer's body as sent. */
    readonly body = '',
  ) {
    super(message);
  }
}

export interface ClientOptions {
  endpoint: string;
  username?: string;
  password?: string;
  /** A Keystone token, fetched once on the first call (used when no username and password are given). */
  token?: () => Promise<string>;
}

export class HilClient {
  private readonly base: string;
  private token?: Promise<string>;
  constructor(private readonly opts: ClientOptions) {
    // HIL's client joins "/v0/..." as an absolute path: whatever path the endpoint has is dropped.
    this.base = new URL(opts.endpoint).origin;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (this.opts.username !== undefined && this.opts.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64')}`;
    } else if (this.opts.token) {
      this.token ??= this.opts.token();
      headers['x-auth-token'] = await this.token;
    }
    return headers;
  }

  async call(method: string, path: string, body?: unknown): Promise<any> {
    return (await this.request(method, path, body)).parsed;
  }

  /** A call's answer as parsed JSON and as the raw text (HIL's headnode commands print the body as it is). */
  async request(method: string, path: string, body?: unknown): Promise<{ parsed: any; text: string }> {
    const headers = await this.authHeaders();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(`${this.base}/v0/${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return HilClient.answer(r);
  }

  /** A GET whose answer is a stream (show_console, as HIL's client returns the body's iterator): the body as it comes. */
  async stream(path: string): Promise<ReadableStream<Uint8Array>> {
    const r = await fetch(`${this.base}/v0/${path}`, { headers: await this.authHeaders() });
    if (r.status >= 200 && r.status < 300 && r.body) return r.body;
    return (await HilClient.answer(r)) as never;
  }

  /** The answer parsed; a failure thrown as HIL's error type and message. */
  private static async answer(r: Response): Promise<{ parsed: any; text: string }> {
    const text = await r.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (r.status < 200 || r.status >= 300) {
      if (parsed && typeof parsed.type === 'string')
        throw new HilCallError(parsed.type, String(parsed.msg ?? ''), r.status, text);
      throw new HilCallError('unknown', text, r.status, text);
    }
    return { parsed, text };
  }
}

/** Path segments as HIL's client sends them: not encoded, but a request line cannot carry spaces or `?`/`#`. */
export function seg(s: string): string {
  return s.replace(/[%\s?#]/g, (c) => encodeURIComponent(c));
}
