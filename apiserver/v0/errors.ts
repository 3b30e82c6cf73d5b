// HIL's error classes (hil/errors.py, hil/rest.py): every v0 failure is `{"type": "<class>", "msg": "…"}` with the
// class's status code. The resource handlers' Kubernetes errors are translated here, once.
import { ApiError } from '../errors.js';

export type HilErrorType =
  | 'ValidationError'
  | 'BadArgumentError'
  | 'AuthorizationError'
  | 'NotFoundError'
  | 'DuplicateError'
  | 'ProjectMismatchError'
  | 'BlockedError'
  | 'IllegalStateError'
  | 'ServerError'
  | 'OBMError'
  | 'TooManyRequests';

const CODES: Record<HilErrorType, number> = {
  ValidationError: 400,
  BadArgumentError: 400,
  AuthorizationError: 401,
  NotFoundError: 404,
  DuplicateError: 409,
  ProjectMismatchError: 409,
  BlockedError: 409,
  IllegalStateError: 409,
  ServerError: 500,
  OBMError: 500,
  TooManyRequests: 429,
};

export class HilError extends Error {
  readonly code: number;
  constructor(
    readonly type: HilErrorType,
    message: string,
  ) {
    super(message);
    this.code = CODES[type];
  }

  toBody(): { type: string; msg: string } {
    return { type: this.type, msg: this.message };
  }
}

export const hil = {
  validation: (msg = 'Request arguments are not valid for this request') => new HilError('ValidationError', msg),
  badArgument: (msg: string) => new HilError('BadArgumentError', msg),
  unauthorized: (msg: string) => new HilError('AuthorizationError', msg),
  notFound: (msg: string) => new HilError('NotFoundError', msg),
  duplicate: (msg: string) => new HilError('DuplicateError', msg),
  projectMismatch: (msg: string) => new HilError('ProjectMismatchError', msg),
  blocked: (msg: string) => new HilError('BlockedError', msg),
  illegalState: (msg: string) => new HilError('IllegalStateError', msg),
  /** HIL's OBMError (a ServerError, 500): the BMC (through obmd or ipmitool) did not do it. */
  obm: (msg: string) => new HilError('OBMError', msg),
  /** HIL's "<Class> <label> does not exist." */
  missing: (cls: string, label: string) => new HilError('NotFoundError', `${cls} ${label} does not exist.`),
  /** HIL's "<Class> <label> already exists." */
  exists: (cls: string, label: string) => new HilError('DuplicateError', `${cls} ${label} already exists.`),
};

export const ADMIN_ONLY = 'This operation is administrator-only.';
export const NO_PROJECT_ACCESS = 'You do not have access to the required project.';
export const AUTH_REQUIRED = 'Authentication failed. Authentication is required to use this service.';

/** The HIL error for a failure of the resource handlers (or anything else thrown under /v0). */
export function toHilError(err: unknown): HilError | undefined {
  if (err instanceof HilError) return err;
  if (!(err instanceof ApiError)) return undefined;
  switch (err.code) {
    case 400:
    case 422:
      return hil.badArgument(err.message);
    case 401:
    case 403:
      return hil.unauthorized(err.message);
    case 404:
      return hil.notFound(err.message);
    case 409:
      return err.reason === 'AlreadyExists' ? hil.duplicate(err.message) : hil.blocked(err.message);
    case 413:
      return hil.validation(err.message);
    case 429:
      return new HilError('TooManyRequests', err.message);
    default:
      return undefined;
  }
}
