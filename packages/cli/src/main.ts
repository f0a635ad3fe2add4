#!/usr/bin/env node
// Entry point of the descent command: argument parsing, help, and one-paragraph errors (exit 2).
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParsedArgs } from './args.js';
import { helpText, type CommandName } from './commands.js';
import { CliError, EXIT } from './errors.js';
import { processIo, type CommandArgs, type Io } from './io.js';

export type { Io } from './io.js';

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the command line and returns the exit code: 0 ok, 1 failed (a claim, a check), 2 bad input
 * (flags, model, settings, files), 3 diverged, 130/143 interrupted by SIGINT/SIGTERM, 70 an
 * internal error (a bug: one line, the stack only with DESCENT_DEBUG=1).
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs(argv);
    if (parsed.kind === 'help') {
      io.stdout(`${helpText(parsed.command)}\n`);
      return EXIT.ok;
    }
    if (parsed.kind === 'version') {
      io.stdout(`descent ${version()}\n`);
      return EXIT.ok;
    }
    return await dispatch({ command: parsed.command, positionals: parsed.positionals, flags: parsed.flags, argv }, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`${e.message}\n`);
      return e.exitCode;
    }
    // anything else is a bug in descent: still one paragraph, no stack trace unless asked for
    const msg = e instanceof Error ? e.message : String(e);
    const debug = process.env['DESCENT_DEBUG'] === '1';
    io.stderr(`descent: internal error: ${msg.split('\n')[0]} (a bug in descent; please report it${debug ? '' : ', with the stack from DESCENT_DEBUG=1'}).\n`);
    if (debug && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT.internal;
  }
}

type Handler = (a: CommandArgs, io: Io) => Promise<number>;

/** Each command's module, loaded on use: help and version start without the compiler. */
const HANDLERS: Readonly<Record<CommandName, () => Promise<Handler>>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  check: async () => (await import('./commands/check.js')).checkCommand,
  eval: async () => (await import('./commands/eval.js')).evalCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  sweep: async () => (await import('./commands/sweep.js')).sweepCommand,
  collect: async () => (await import('./commands/collect.js')).collectCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  plot: async () => (await import('./commands/plot.js')).plotCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  resume: async () => (await import('./commands/resume.js')).resumeCommand,
  view: async () => (await import('./commands/view.js')).viewCommand,
};

async function dispatch(a: CommandArgs, io: Io): Promise<number> {
  const handler = await HANDLERS[a.command]();
  return handler(a, io);
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
