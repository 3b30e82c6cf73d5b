// Subresources beyond status (users/NAME/password, users/NAME/token, nodes/NAME/console): each registers itself
// with the kind it belongs to, the names it serves and how it answers, so the server's routing knows none of them.
import type { Request, Response as ExpressResponse } from 'express';
import type { UserInfo } from '../auth/user.js';
import type { ResourceType } from '../resource-type.js';

export interface SubresourceRequest {
  type: ResourceType;
  name: string;
  subresource: string;
  method: string;
  isWatch: boolean;
  user: UserInfo;
  query: Record<string, string | undefined>;
  /** The request body (undefined or empty when none was sent). */
  raw?: Buffer;
  /** The body decoded as an object, by its content type (throws the 4xx a bad body deserves). */
  decode: () => unknown;
  req: Request;
  res: ExpressResponse;
}

export interface Subresource {
  /** The store key of the kind it belongs to, e.g. "hil.io/users". */
  resource: string;
  names: readonly string[];
  /** The verb the request is logged and counted as. */
  verb(r: Pick<SubresourceRequest, 'method' | 'subresource'>): string;
  /** A JSON answer, or undefined when the handler answered itself (a stream). */
  serve(r: SubresourceRequest): Promise<{ code: number; body: unknown } | undefined>;
}

/** Subresource names by store key, for path parsing and discovery. */
export function subresourceNames(list: readonly Subresource[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of list) out.set(s.resource, [...(out.get(s.resource) ?? []), ...s.names]);
  return out;
}
