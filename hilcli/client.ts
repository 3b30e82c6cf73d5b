// A thin client of HIL's v0 REST API, as HIL's own (hil/client/base.py): HIL_ENDPOINT with any path dropped,
// HTTP basic from HIL_USERNAME/HIL_PASSWORD, JSON bodies, and a failure carrying HIL's error type and message.

export class HilCallError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  endpoint: string;
  username?: string;
  password?: string;
}

export class HilClient {
  private readonly base: string;
  constructor(private readonly opts: ClientOptions) {
    // HIL's client joins "/v0/..." as an absolute path: whatever path the endpoint has is dropped.
    this.base = new URL(opts.endpoint).origin;
  }

  private authHeaders(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.opts.username !== undefined && this.opts.password !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64')}`;
    }
    return headers;
  }

  async call(method: string, path: string, body?: unknown): Promise<any> {
    const headers = this.authHeaders();
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
    const r = await fetch(`${this.base}/v0/${path}`, { headers: this.authHeaders() });
    if (r.status >= 200 && r.status < 300 && r.body) return r.body;
    return HilClient.answer(r) as Promise<never>;
  }

  private static async answer(r: Response): Promise<any> {
    const text = await r.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (r.status < 200 || r.status >= 300) {
      if (parsed && typeof parsed.type === 'string')
        throw new HilCallError(parsed.type, String(parsed.msg ?? ''), r.status);
      throw new HilCallError('unknown', text, r.status);
    }
    return parsed;
  }
}

/** Path segments as HIL's client sends them: not encoded, but a request line cannot carry spaces or `?`/`#`. */
export function seg(s: string): string {
  return s.replace(/[%\s?#]/g, (c) => encodeURIComponent(c));
}
