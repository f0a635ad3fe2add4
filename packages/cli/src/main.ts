#!/usr/bin/env node
// Entry point of the descent command: argument parsing, help, and one-paragraph errors (exit 2).
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParsedArgs } from './args.js';
import { helpText } from './commands.js';
import { CliError, EXIT } from './errors.js';

/** Where the command writes; tests pass their own. */
export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const processIo: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

function version(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the command line and returns the exit code. Commands are dispatched by `dispatch`; until the
 * compiler is wired in, each says so with exit code 2.
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
    return await dispatch(parsed, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`${e.message}\n`);
      return e.exitCode;
    }
    // anything else is a bug in descent: still one paragraph, no stack trace unless asked for
    const msg = e instanceof Error ? e.message : String(e);
    io.stderr(`descent: internal error: ${msg}. Please report it${process.env['DESCENT_DEBUG'] ? '' : ' (set DESCENT_DEBUG=1 for details)'}.\n`);
    if (process.env['DESCENT_DEBUG'] && e instanceof Error && e.stack) io.stderr(`${e.stack}\n`);
    return EXIT.failed;
  }
}

async function dispatch(parsed: Extract<ParsedArgs, { kind: 'command' }>, _io: Io): Promise<number> {
  throw new CliError(`descent ${parsed.command}: not available in this build yet (the .loss compiler is not wired in).`);
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
