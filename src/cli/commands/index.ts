// The command registry: every export here is a command (see ../command.ts), listed in `conjecture
// --help` in name order. Adding a command is one line.
export { configCommand } from './config.ts';
export { doctorCommand } from './doctor.ts';
export { evalCommand } from './eval.ts';
export { fixCommand } from './fix.ts';
export { modelCommand } from './model.ts';
export { reportCommand } from './report.ts';
export { serveCommand } from './serve.ts';
export { workerCommand } from './worker.ts';
