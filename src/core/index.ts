export * from './errors.ts';
export type * from './model.ts';
export type * from './sandbox.ts';
export * from './task.ts';
export type * from './trace.ts';
export { createLogger, silentLogger, type Logger } from './log.ts';
