// HIL's v0 REST API, served beside the resource API by the same server (mounted at /v0): the same authenticator,
// the same stored objects, written through the same resource handlers. Per request, as HIL's rest.py: route →
// arguments checked against the call's schema → authentication → the call, whose errors are HIL's
// `{"type", "msg"}`. Writes answer an empty 200 body; networking answers 202 {"status_id"}.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../common/logging.js';
import type { Authenticator } from '../auth/authenticator.js';
import { ANONYMOUS, type UserInfo } from '../auth/user.js';
import { ApiError } from '../errors.js';
import { AUTH_REQUIRED, hil, HilError, toHilError } from './errors.js';
import { extensionCalls } from './extensions.js';
import { headnodeCalls } from './headnodes.js';
import { networkCalls } from './networking.js';
import { nodeCalls } from './nodes.js';
import { obmCalls } from './obm.js';
import { projectCalls } from './projects.js';
import { V0Session, type V0Deps } from './session.js';
import { switchCalls } from './switches.js';
import { compile, parseArgs, route, type Call } from './transport.js';
import { userCalls } from './users.js';

export interface V0Options {
  deps: V0Deps;
  authenticator: Authenticator;
  /** HIL's [auth] require_authentication: when false, callers without credentials are anonymous. */
  requireAuthentication: boolean;
  /** Largest request body (v0 bodies are small JSON objects). */
  maxBodyBytes: number;
  logger: Logger;
}

/** Every v0 call this server answers, in routing order. */
export function v0Calls(authBackend: string): Call[] {
  return [
    ...projectCalls,
    ...nodeCalls,
    ...obmCalls,
    ...switchCalls,
    ...networkCalls,
    ...headnodeCalls,
    ...extensionCalls,
    ...(authBackend === 'database' ? userCalls : []),
  ];
}

function send(res: Response, code: number, body: unknown): void {
  if (body === undefined) res.status(code).type('text/html').send('');
  else res.status(code).type('application/json').send(JSON.stringify(body));
}

export function v0Router(opts: V0Options): express.Router {
  const compiled = compile(v0Calls(opts.deps.authBackend));
  const router = express.Router();
  const readBody = express.raw({ type: () => true, limit: opts.maxBodyBytes });

  const authenticate = async (req: Request): Promise<UserInfo> => {
    let user: UserInfo | undefined;
    try {
      user = await opts.authenticator.authenticate(req.headers, { remoteAddress: req.socket.remoteAddress });
    } catch (err) {
      if (err instanceof ApiError && err.code === 401) throw hil.unauthorized(AUTH_REQUIRED);
      throw err;
    }
    if (user) return user;
    if (!opts.requireAuthentication) return ANONYMOUS;
    throw hil.unauthorized(AUTH_REQUIRED);
  };

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    const found = route(compiled, req.method, req.path);
    if (found === undefined) {
      res.status(404).type('text/html').send('<h1>Not Found</h1><p>The requested URL was not found on the server.</p>');
      return;
    }
    if (found === 'method') {
      res
        .status(405)
        .type('text/html')
        .send('<h1>Method Not Allowed</h1><p>The method is not allowed for the requested URL.</p>');
      return;
    }
    res.locals.verb = found.call.name;
    res.locals.resource = 'v0';
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- the callback catches all its errors itself
    readBody(req, res, async (bodyErr?: unknown) => {
      try {
        if (bodyErr) {
          const e = bodyErr as { type?: string };
          throw hil.validation(
            e.type === 'entity.too.large' ? 'The request body is too large' : 'The request body is not valid JSON',
          );
        }
        const args = parseArgs(
          found.call,
          found.params,
          req.method,
          Buffer.isBuffer(req.body) ? req.body : undefined,
          req.query,
        );
        const user = await authenticate(req);
        res.locals.user = user.name;
        const answer = (await found.call.run(new V0Session(opts.deps, user), args, { req, res })) ?? {};
        if (!answer.streamed) send(res, answer.code ?? 200, answer.body);
      } catch (err) {
        const e = toHilError(err);
        if (res.headersSent) {
          // A stream that failed after it started: all that is left is to end it.
          res.end();
          return;
        }
        if (e) {
          send(res, e.code, e.toBody());
          return;
        }
        opts.logger.error('v0 internal error', { call: found.call.name, error: String((err as Error)?.stack ?? err) });
        send(res, 500, new HilError('ServerError', 'an internal error occurred; see the server log').toBody());
      }
    });
    void next;
  });
  return router;
}
