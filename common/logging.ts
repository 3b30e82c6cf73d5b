// winston on stderr: one place decides the format for every process. JSON lines for machines (log collectors,
// tests, anything that is not a terminal); short human lines on a terminal. HIL_LOG_FORMAT (json | text), set by
// `--log-format`, overrides the choice.
import winston from 'winston';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'json' | 'text';

export function logFormat(env: NodeJS.ProcessEnv = process.env, tty = process.stderr.isTTY === true): LogFormat {
  const f = env.HIL_LOG_FORMAT?.toLowerCase();
  if (f === 'json' || f === 'text') return f;
  return tty ? 'text' : 'json';
}

/** `--log-format` of the commands: checked, then handed to every logger of the process through the environment. */
export function setLogFormat(value: string | undefined): void {
  if (value === undefined) return;
  if (value !== 'json' && value !== 'text') throw new Error(`--log-format must be json or text, not "${value}"`);
  process.env.HIL_LOG_FORMAT = value;
}

/** `12:00:01 warn  apiserver: message key=value …` */
const text = winston.format.printf((info) => {
  const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
  const time = String(timestamp ?? '').slice(11, 19);
  const fields = Object.entries(rest)
    .filter(([k, v]) => v !== undefined && typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/[\s"]/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${String(level).padEnd(5)} ${component ? `${String(component)}: ` : ''}${String(message)}${fields ? ` ${fields}` : ''}`;
});

export function createLogger(level: string = process.env.HIL_LOG_LEVEL ?? 'info', component?: string): winston.Logger {
  const normalized =
    ({ warning: 'warn', critical: 'error', fatal: 'error' } as Record<string, string>)[level.toLowerCase()] ??
    level.toLowerCase();
  return winston.createLogger({
    level: normalized,
    defaultMeta: component ? { component } : undefined,
    format: winston.format.combine(winston.format.timestamp(), logFormat() === 'text' ? text : winston.format.json()),
    transports: [
      new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] }),
    ],
  });
}

export type Logger = winston.Logger;
