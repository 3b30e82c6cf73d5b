// What the `hil` command groups share (HIL's hil/cli/helper.py and client_setup.py): the client made from the
// environment, printing, and HIL's failure rule — "Error: <msg>" on stderr and exit status 1.
// (The move of cmd/hil.ts's groups into hilcli/commands/ brings the full version of this module, with Keystone;
// this one has what hilcli/node-obm.ts uses, under the same names.)
import { HilCallError, HilClient } from '../client.js';

let client: HilClient | undefined;

/** The v0 client, made on first use from HIL_ENDPOINT and, when both are set, HIL_USERNAME / HIL_PASSWORD. */
export function c(): HilClient {
  if (client) return client;
  const endpoint = process.env.HIL_ENDPOINT;
  if (!endpoint)
    throw new HilCallError(
      'config',
      'HIL_ENDPOINT is not set; set it to the HIL server, e.g. http://127.0.0.1:5000',
      0,
    );
  client = new HilClient({ endpoint, username: process.env.HIL_USERNAME, password: process.env.HIL_PASSWORD });
  return client;
}

export const out = (s: string): void => void process.stdout.write(`${s}\n`);

/** Wraps a command's action: a failure prints `Error: <msg>` and sets exit status 1. */
export function run<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      const msg = err instanceof HilCallError ? err.message || err.errorType : ((err as Error)?.message ?? String(err));
      process.stderr.write(`Error: ${msg}\n`);
      process.exitCode = 1;
    }
  };
}
