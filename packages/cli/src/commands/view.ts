// `descent view [DIR ...] [--port N]`: serve runs and sweeps to a local browser page, read-only, until stopped.
import * as fs from 'node:fs';
import { CliError, EXIT } from '../errors.js';
import type { CommandArgs, Io } from '../io.js';
import { SIGNAL_EXIT, type StopSignalName } from '../signals.js';
import { startViewServer } from '../view/server.js';

export async function viewCommand(a: CommandArgs, io: Io): Promise<number> {
  const dirs = a.positionals.length > 0 ? a.positionals : ['runs'];
  for (const d of dirs) {
    let isDir = false;
    try {
      isDir = fs.statSync(d).isDirectory();
    } catch {
      /* reported below */
    }
    if (!isDir) throw new CliError(`descent view: ${d} ${fs.existsSync(d) ? 'is not a folder' : 'does not exist'}; give folders of runs or sweeps (default runs/).`);
  }
  if (a.flags.port !== undefined && a.flags.port > 65535) throw new CliError(`descent view: --port ${a.flags.port} is not a port (0 to 65535).`);
  let server;
  try {
    server = await startViewServer(dirs, a.flags.port ?? 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliError(`descent view: cannot listen on 127.0.0.1:${a.flags.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : 'permission denied'}; pick another --port or leave it out for a free one.`);
    throw e;
  }
  io.stdout(`descent view: serving ${dirs.join(', ')} at ${server.url} (read-only; Ctrl-C to stop)\n`);
  const signal = await new Promise<StopSignalName>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await server.close();
  return signal === 'SIGINT' ? SIGNAL_EXIT.SIGINT : signal === 'SIGTERM' ? SIGNAL_EXIT.SIGTERM : EXIT.ok;
}
