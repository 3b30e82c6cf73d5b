// Asking a person for a name or a password on the terminal (the password without echo), or reading it from
// stdin for scripts (--password-stdin).
import { CliError } from './errors.js';
import { readAll } from './manifests.js';
import type { Session } from './session.js';

export function prompt(s: Session, question: string, hidden: boolean): Promise<string> {
  const stdin = s.io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY)
    throw new CliError(`${question.replace(/:\s*$/, '')} is needed, and stdin is not a terminal to ask on`);
  return new Promise((resolve, reject) => {
    s.io.stderr.write(question);
    let value = '';
    const raw = hidden && typeof stdin.setRawMode === 'function';
    if (raw) stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    const done = (err?: Error) => {
      stdin.off('data', onData);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
      s.io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new CliError('interrupted'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** A password from stdin (--password-stdin: the first line), or asked for on the terminal. */
export async function readPassword(
  s: Session,
  fromStdin: boolean | undefined,
  question = 'Password: ',
): Promise<string> {
  if (fromStdin) {
    const text = await readAll(s.io.stdin);
    const line = text.split(/\r?\n/)[0] ?? '';
    if (!line) throw new CliError('--password-stdin: stdin is empty');
    return line;
  }
  return prompt(s, question, true);
}
