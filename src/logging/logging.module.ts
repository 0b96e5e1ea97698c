import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';

/**
 * Structured JSON logs (pino) for both roles, with a request id per HTTP request. Credentials
 * never reach the logs: authorization headers, cookies and webhook signatures are redacted.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ENV],
      useFactory: (env: Env) => ({
        pinoHttp: [
          {
            level: env.LOG_LEVEL,
            genReqId: (req: IncomingMessage) => {
              const given = req.headers['x-request-id'];
              return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
            },
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.headers["webhook-signature"]',
                'req.headers["idempotency-key"]',
                'res.headers["set-cookie"]',
              ],
              censor: '[redacted]',
            },
            // Health probes every few seconds would drown the useful lines.
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
          },
          // Asynchronous writes to stdout: lines logged while a write is in flight go out together in
          // the next one, instead of one blocking write per request line (1000 requests/s at intake).
          // Still written at once when idle (no minimum length); pino flushes what is left at exit.
          pino.destination({ dest: 1, sync: false }),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
