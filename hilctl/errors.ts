// Errors a person can act on. The server's answers are Kubernetes `Status` objects and are printed the way
// kubectl prints them (`Error from server (Invalid): …`, one line per offending field); failures to reach the
// server say what was tried and what to check. Stack traces only with -v.

/** A cause inside a Status: which field broke which rule. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A Kubernetes `Status` as the server sends it on failure. */
export interface Status {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
}

/** A failure hilctl detected itself (bad flags, unreadable files, …): printed as `error: message`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The server answered with an error status. */
export class StatusError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: Status,
    /** Method and path of the request, for -v. */
    readonly request: string,
  ) {
    super(status.message || `the server answered ${httpStatus}`);
  }

  get reason(): string {
    return this.status.reason || reasonForCode(this.httpStatus);
  }

  get causes(): StatusCause[] {
    return this.status.details?.causes ?? [];
  }
}

/** The server could not be reached (or spoke something other than HTTP(S) to us). */
export class ConnectionError extends Error {
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** HTTP status code → the reason word kubectl shows when the body is not a Status. */
export function reasonForCode(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    406: 'NotAcceptable',
    409: 'Conflict',
    410: 'Expired',
    413: 'RequestEntityTooLarge',
    415: 'UnsupportedMediaType',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

/** What to tell the user next, per kind of refusal. */
function hintFor(err: StatusError): string | undefined {
  switch (err.httpStatus) {
    case 401:
      return 'check HIL_USERNAME/HIL_PASSWORD or HIL_TOKEN, or run "hilctl login" to get a new token';
    case 409:
      if (err.reason === 'Conflict' && /has been modified/.test(err.message))
        return 'someone else changed the object meanwhile; read it again and retry';
      if (err.reason === 'Conflict' && /conflict/i.test(err.message) && /apply/i.test(err.message)) {
        return 'another field manager owns these fields; re-run with --force-conflicts to take them over';
      }
      return undefined;
    default:
      return undefined;
  }
}

/**
 * `Error from server (Invalid): Node.hil.io "n1" is invalid:` followed by one line per cause, or the single
 * message when there is at most one cause (it already names the field).
 */
export function formatStatusError(err: StatusError): string {
  if (err.httpStatus === 401) {
    const base = 'error: You must be logged in to the server (Unauthorized)';
    const msg = (err.status.message ?? '').replace(/^Unauthorized:?\s*/i, '');
    const detail = msg ? `: ${msg}` : '';
    return `${base}${detail}\n  hint: ${hintFor(err)}`;
  }
  const causes = err.causes.filter((c) => c.field || c.message);
  let text: string;
  if (causes.length > 1) {
    const head = err.message.includes(': ') ? err.message.slice(0, err.message.indexOf(': ') + 1) : `${err.message}:`;
    text = `Error from server (${err.reason}): ${head}\n${causes.map((c) => `  - ${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`).join('\n')}`;
  } else {
    text = `Error from server (${err.reason}): ${err.message}`;
  }
  const hint = hintFor(err);
  return hint ? `${text}\n  hint: ${hint}` : text;
}

/** Turns any thrown value into the text printed on stderr (no trailing newline). */
export function formatError(err: unknown, verbose = false): string {
  let text: string;
  if (err instanceof StatusError) {
    text = formatStatusError(err);
    if (verbose) text += `\n  (${err.request} → ${err.httpStatus})`;
  } else if (err instanceof ConnectionError) {
    text = err.message;
    if (verbose && err.cause) text += `\n${String((err.cause as Error)?.stack ?? err.cause)}`;
  } else if (err instanceof CliError) {
    text = err.message.startsWith('error:') ? err.message : `error: ${err.message}`;
  } else if (err instanceof Error) {
    text = `error: ${err.message}`;
    if (verbose && err.stack) text += `\n${err.stack}`;
  } else {
    text = `error: ${String(err)}`;
  }
  return text;
}

/** Turns a Node network error into a message that says which server and what to check. */
export function connectionErrorFor(server: string, err: any): ConnectionError {
  const code: string = err?.code ?? '';
  let host = server;
  try {
    host = new URL(server).host;
  } catch {
    /* keep the raw string */
  }
  const tls = (why: string, hint: string) =>
    new ConnectionError(`Unable to connect to the server ${server}: ${why}\n  hint: ${hint}`, err);
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionError(
        `The connection to the server ${host} was refused - did you specify the right host or port?\n` +
          `  hint: is the API server running (hil-admin serve)? Set the address with HIL_ENDPOINT, --server or a kubeconfig context.`,
        err,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConnectionError(
        `Unable to connect to the server ${server}: no such host (${new URL(server).hostname})`,
        err,
      );
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
    case 'HILCTL_TIMEOUT':
      return new ConnectionError(`Unable to connect to the server ${server}: the request timed out`, err);
    case 'ECONNRESET':
      return new ConnectionError(
        `Unable to connect to the server ${server}: the connection was reset\n  hint: ${
          server.startsWith('https:')
            ? 'the server may not speak TLS: try an http:// address'
            : 'if the server uses TLS (hil-admin serve --tls-cert), use an https:// address'
        }`,
        err,
      );
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return new ConnectionError(
        `Unable to connect to the server ${server}: the server does not speak TLS\n  hint: use an http:// address for a server without --tls-cert`,
        err,
      );
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return tls(
        'x509: certificate signed by unknown authority',
        "pass the server's CA with --certificate-authority FILE (or certificate-authority in the kubeconfig cluster); --insecure-skip-tls-verify skips the check (unsafe)",
      );
    case 'CERT_HAS_EXPIRED':
      return tls('x509: certificate has expired', 'renew the server certificate');
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return tls(
        `x509: certificate is not valid for ${host}`,
        'connect with a name the certificate lists (subjectAltName), or set tls-server-name in the kubeconfig cluster',
      );
    default:
      if (/HPE_INVALID|Parse Error/i.test(String(err?.message))) {
        return new ConnectionError(
          `Unable to connect to the server ${server}: the answer is not HTTP\n  hint: use an https:// address for a TLS server`,
          err,
        );
      }
      return new ConnectionError(`Unable to connect to the server ${server}: ${err?.message ?? String(err)}`, err);
  }
}
