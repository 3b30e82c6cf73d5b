// What every command group shares (HIL's hil/cli/helper.py and client_setup.py): the client made from the
// environment, printing, and HIL's failure rule — "Error: <msg>" on stderr and exit status 1.
import type { Command } from 'commander';
import { HilCallError, HilClient } from '../client.js';
import { keystoneFromEnv, keystoneToken } from '../keystone.js';
import { table } from '../table.js';

let client: HilClient | undefined;

/**
 * The v0 client, made on first use from the environment as HIL's client_setup.py does: HIL_ENDPOINT; then HTTP basic
 * when HIL_USERNAME and HIL_PASSWORD are both set, else a Keystone token when the OS_* variables are, else nothing.
 */
export function c(): HilClient {
  if (client) return client;
  const endpoint = process.env.HIL_ENDPOINT;
  if (!endpoint)
    throw new HilCallError(
      'config',
      'HIL_ENDPOINT is not set; set it to the HIL server, e.g. http://127.0.0.1:5000',
      0,
    );
  const { HIL_USERNAME: username, HIL_PASSWORD: password } = process.env;
  if (username !== undefined && password !== undefined) client = new HilClient({ endpoint, username, password });
  else {
    const keystone = keystoneFromEnv(process.env);
    client = new HilClient({ endpoint, ...(keystone ? { token: () => keystoneToken(keystone) } : {}) });
  }
  return client;
}

export const out = (s: string): void => void process.stdout.write(`${s}\n`);

/**
 * A list: `--json` prints it raw; otherwise HIL's one-column table headed "<heading> (<count>)". An empty list prints
 * `[]`, as HIL's install guide shows.
 */
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
      process.stderr.write(err instanceof ExitMessage ? `${msg}\n` : `Error: ${msg}\n`);
      process.exitCode = 1;
    }
  };
}

/** Adds HIL's `--json` flag to a command. */
export const json = (cmd: Command): Command => cmd.option('--json', 'print the raw JSON answer');

/** A networking call's answer (HIL: a Field/Value table with the Status ID, or the raw JSON). */
export function printStatus(r: { status_id: string }, o: { json?: boolean }): void {
  out(o.json ? JSON.stringify(r) : table(['Field', 'Value'], [['Status ID', r.status_id]]));
}

/** Refuses a value outside a fixed set, worded as HIL's click.Choice. */
export function choice(name: string, value: string, choices: string[]): string {
  if (!choices.includes(value))
    throw new Error(`Invalid value for "${name}": invalid choice: ${value}. (choose from ${choices.join(', ')})`);
  return value;
}

/** A failure HIL reports with sys.exit(msg): the message alone, without "Error: ". */
export class ExitMessage extends Error {}
