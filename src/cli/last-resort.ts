/**
 * The process-level last line of defence for long-running commands (`serve`, `worker`): a stray
 * rejection or exception — from one request, one delivery, one job — is logged in full and the
 * process keeps serving, instead of taking every run in flight down with it (issue 14). Each such
 * log line is a bug to fix; this only keeps it from becoming an outage.
 */
import type { Logger } from '../core/log.ts';

/** The part of `process` this needs (a test passes an EventEmitter). */
export interface ProcessEvents {
  on(event: 'unhandledRejection' | 'uncaughtException', listener: (reason: Error) => void): unknown;
  off(event: 'unhandledRejection' | 'uncaughtException', listener: (reason: Error) => void): unknown;
}

export function keepServingOnStrayErrors(proc: ProcessEvents, logger: Logger): () => void {
  const onRejection = (reason: Error) =>
    logger.error({ err: reason }, 'unhandled rejection; kept serving (this is a bug: please report it)');
  const onException = (err: Error) =>
    logger.error({ err }, 'uncaught exception; kept serving (this is a bug: please report it)');
  proc.on('unhandledRejection', onRejection);
  proc.on('uncaughtException', onException);
  return () => {
    proc.off('unhandledRejection', onRejection);
    proc.off('uncaughtException', onException);
  };
}
