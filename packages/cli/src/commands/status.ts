// `descent status DIR`: where each entry of a sweep is (done, running, pending, failed and why, missing).
import { EXIT } from '../errors.js';
import type { CommandArgs, Io } from '../io.js';
import { statusText, sweepStatus } from '../sweep-status.js';
import { jsonReplacer } from './run.js';

export async function statusCommand(a: CommandArgs, io: Io): Promise<number> {
  const st = sweepStatus(a.positionals[0]!);
  io.stdout(a.flags.json ? `${JSON.stringify(st, jsonReplacer, 2)}\n` : `${statusText(st)}\n`);
  return EXIT.ok;
}
