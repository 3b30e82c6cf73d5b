// winston, JSON lines on stderr: one place decides the format for every process.
import winston from 'winston';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function createLogger(level: string = process.env.HIL_LOG_LEVEL ?? 'info', component?: string): winston.Logger {
  const normalized = ({ warning: 'warn', critical: 'error', fatal: 'error' } as Record<string, string>)[level.toLowerCase()] ?? level.toLowerCase();
  return winston.createLogger({
    level: normalized,
    defaultMeta: component ? { component } : undefined,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
  });
}

export type Logger = winston.Logger;
