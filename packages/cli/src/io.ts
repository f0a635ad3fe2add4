// Where commands write: stdout and stderr (tests pass their own), and what the progress display needs.
import type { Flags } from './args.js';
import type { CommandName } from './command-table.js';
import type { ProgressStream } from './progress.js';

export interface Io {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Where progress goes; default process.stderr (a TTY gets the updating bar). */
  readonly progress?: ProgressStream;
}

export const processIo: Io = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** A parsed command line handed to a command. */
export interface CommandArgs {
  readonly command: CommandName;
  readonly positionals: readonly string[];
  readonly flags: Flags;
  /** The argv after `descent`, as typed (stored in run.json; re-used by slurm scripts). */
  readonly argv: readonly string[];
}
