// `descent collect DIR`: a sweep's summary.csv and sweep.svg from its run folders, however they were run.
import * as path from 'node:path';
import type { Flags } from '../args.js';
import { writeFileOrFail } from '../execute.js';
import type { CommandArgs, Io } from '../io.js';
import { collectedExit, collectSweep, collectedTable } from '../sweep-collect.js';
import { jsonReplacer } from './run.js';

/** Writes summary.csv and sweep.svg into the sweep folder, prints the table (or JSON), and returns the exit code (collectedExit). */
export function finishCollect(dir: string, command: string, flags: Flags, io: Io): number {
  const c = collectSweep(dir);
  writeFileOrFail(path.join(dir, 'summary.csv'), c.csv, command);
  writeFileOrFail(path.join(dir, 'sweep.svg'), c.svg, command);
  if (flags.json) {
    const runs = c.runs.map((r) => ({ index: r.entry.index, id: r.entry.id, dir: r.entry.dir, status: r.status, ...(r.note !== undefined ? { note: r.note } : {}), ...(r.summary ? { summary: r.summary } : {}) }));
    io.stdout(`${JSON.stringify({ dir, summaryCsv: path.join(dir, 'summary.csv'), sweepSvg: path.join(dir, 'sweep.svg'), runs }, jsonReplacer, 2)}\n`);
  } else if (!flags.quiet) {
    io.stdout(`${collectedTable(c)}\nwrote ${path.join(dir, 'summary.csv')} and ${path.join(dir, 'sweep.svg')}\n`);
  }
  return collectedExit(c);
}

export async function collectCommand(a: CommandArgs, io: Io): Promise<number> {
  return finishCollect(a.positionals[0]!, 'collect', a.flags, io);
}
