// Who is asking, as authentication established it.
export interface UserInfo {
  name: string;
  admin: boolean;
  /** Projects the user is a member of (names of hil.io Projects). */
  projects: string[];
  /** Set for the anonymous caller of a server with `[auth] require_authentication = False`. */
  anonymous?: boolean;
}

export const NULL_AUTH_ADMIN: UserInfo = { name: 'admin', admin: true, projects: [] };
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', admin: false, projects: [], anonymous: true };
