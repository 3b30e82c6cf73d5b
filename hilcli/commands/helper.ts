// What every command group shares (HIL's hil/cli/helper.py and client_setup.py): the client made from the
// environment, printing, and HIL's failure rule — "Error: <msg>" on stderr and exit status 1.
import type { Command } from 'commander';
import { HilCallError, HilClient } from '../client.js';
import { table } from '../table.js';

let client: HilClient | undefined;

/** The v0 client, made on first use from HIL_ENDPOINT and HIL_USERNAME/HIL_PASSWORD. */
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

/** A list: `--json` prints it raw; otherwise HIL's one-column table. An empty list prints `[]`, as HIL's install guide shows. */
export function printList(list: string[], heading: string, json: boolean): void {
  if (json || list.length === 0) out(JSON.stringify(list));
  else
    out(
      table(
        [heading],
        list.map((x) => [x]),
      ),
    );
}

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

/** Adds HIL's `--json` flag to a command. */
export const json = (cmd: Command): Command => cmd.option('--json', 'print the raw JSON answer');
