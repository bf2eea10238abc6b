import pino, { type Logger } from 'pino';

export type { Logger };

/** The one logger factory. Authorization headers and personal fields are redacted wherever they appear. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'participation-ledger' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.personal',
          '*.name',
          '*.email',
          '*.phone',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
