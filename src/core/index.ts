export * from './errors.ts';
export { createLogger, type Logger, silentLogger } from './log.ts';
export type * from './model.ts';
export type * from './sandbox.ts';
export * from './task.ts';
export type * from './trace.ts';
