/**
 * The one logger factory. Modules receive a `Logger` (pino) and make child loggers carrying
 * `jobId`, `deliveryId`, `repo`; they never create their own or write to the console.
 */
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger };

/** Keys whose values are never logged, wherever they appear in a log object. */
export const REDACTED_LOG_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'privateKey',
  '*.privateKey',
  'webhookSecret',
  '*.webhookSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'config.model.apiKey',
  'config.github.privateKey',
  'config.github.webhookSecret',
];

export interface CreateLoggerOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'conjecture',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_LOG_PATHS, censor: '[REDACTED]' },
    },
    options.destination ?? pino.destination(2),
  );
}

/** A logger that discards everything; for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
