import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Paths pino redacts wherever they appear: tokens, keys, session bodies and secret values
 * must never reach a log line, even by mistake.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'database_key',
  '*.database_key',
  'owner_config',
  '*.owner_config',
  'body',
  '*.body',
  'value',
  '*.value',
  'values',
  '*.values',
  'req.headers.authorization',
  'req.headers.cookie',
];

/** The CAS's logger: JSON lines, with redaction; `simulation` marked on every line in sim mode. */
export function createLogger(options: {
  readonly level?: string;
  readonly simulation: boolean;
  readonly destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: options.simulation ? { platform: 'simulation' } : {},
    },
    options.destination,
  );
}
