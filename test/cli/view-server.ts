// Starting the built `descent view` for the viewer tests: resolves once it prints its URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { cli, env } from './e2e/helpers.js';

export interface StartedView {
  readonly child: ChildProcess;
  readonly url: string;
  readonly port: number;
}

export function startView(args: readonly string[]): Promise<StartedView> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'view', ...args], { env: env() });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) resolve({ child, url: m[0], port: Number(m[1]) });
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`descent view exited ${code}: ${err}`)));
  });
}
