// Query parameters as kube-apiserver reads them. Booleans follow Go's strconv.ParseBool, which is what real
// clients rely on: the Python client sends `watch=True` and `force=True`, client-go `watch=true`, curl users `1`.
import { errors } from '../errors.js';

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** The boolean parameter `name` (false when absent or empty); anything ParseBool refuses is a 400. */
export function queryBool(query: Record<string, string | undefined>, name: string): boolean {
  const v = query[name];
  if (v === undefined || v === '') return false;
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw errors.badRequest(`invalid value for the boolean parameter "${name}": ${JSON.stringify(v)}`);
}
