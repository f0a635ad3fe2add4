// `descent view` security: path traversal (raw, percent-encoded, symlinks) refused, 127.0.0.1 only, read-only.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInside } from '../../../packages/cli/src/view/safe-path.js';
import { descent, scratch } from '../e2e/helpers.js';
import { startView, type StartedView } from '../view-server.js';

interface Reply {
  readonly status: number;
  readonly body: string;
}

/** A request sent exactly as written (Node's client does not normalize "..", so the server sees it). */
function request(port: number, rawPath: string, options: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}


describe('descent view: what it serves', () => {
  let root: string;
  let outside: string;
  let server: StartedView;

  beforeAll(async () => {
    const base = scratch('descent-view-sec-');
    root = path.join(base, 'runs');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'a'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'a', 'log.jsonl'), '{"step":0,"loss":1,"metrics":{},"elapsed":0}\n');
    fs.writeFileSync(path.join(root, 'a', 'notes.txt'), 'not a run file\n');
    fs.writeFileSync(path.join(outside, 'log.jsonl'), 'SECRET outside the served folder\n');
    fs.writeFileSync(path.join(outside, 'run.json'), '{"secret": true}\n');
    // links inside the served folder that lead out of it: a folder and a file
    fs.symlinkSync(outside, path.join(root, 'escape'));
    fs.symlinkSync(path.join(outside, 'run.json'), path.join(root, 'a', 'run.json'));
    server = await startView([root, '--port', '0']);
  });

  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it('serves a run file inside the folder (the control for the refusals below)', async () => {
    const r = await request(server.port, '/data/0/a/log.jsonl');
    expect(r.status).toBe(200);
    expect(r.body).toContain('"loss":1');
  });

  it.each([
    ['raw ..', '/data/0/../outside/log.jsonl'],
    ['raw .. twice', '/data/0/a/../../outside/log.jsonl'],
    ['percent-encoded dots', '/data/0/%2e%2e/outside/log.jsonl'],
    ['upper-case encoding', '/data/0/%2E%2E/outside/log.jsonl'],
    ['encoded slash', '/data/0/..%2foutside%2flog.jsonl'],
    ['encoded backslash', '/data/0/..%5coutside%5clog.jsonl'],
    ['dot segment', '/data/0/./a/./log.jsonl/..'],
    ['NUL byte', '/data/0/a/log.jsonl%00.png'],
  ])('refuses a path that leaves the folder: %s', async (_name, p) => {
    const r = await request(server.port, p);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('SECRET');
  });

  it('refuses a symlinked folder that points out of the served folder', async () => {
    const r = await request(server.port, '/data/0/escape/log.jsonl');
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('SECRET');
  });

  it('refuses a symlinked file that points out of the served folder', async () => {
    const r = await request(server.port, '/data/0/a/run.json');
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('secret');
  });

  it('refuses the same paths in the many-logs request (/api/logs)', async () => {
    const keys = ['0/a', '0/../outside', '0/a/../../outside', '0/%2e%2e/outside', '0/escape', '1/a', 'x/a'];
    const r = await request(server.port, `/api/logs?${keys.map((k) => `run=${encodeURIComponent(k)}&from=0`).join('&')}`);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('SECRET');
    const body = JSON.parse(r.body) as Record<string, { text?: string; error?: string }>;
    expect(body['0/a']?.text).toContain('"loss":1');
    for (const k of keys.slice(1)) expect(body[k]?.error, k).toBeDefined();
  });

  it('does not list a symlinked folder in the runs table', async () => {
    const r = await request(server.port, '/api/runs');
    const keys = (JSON.parse(r.body) as { runs: { key: string }[] }).runs.map((x) => x.key);
    expect(keys).toEqual(['0/a']);
  });

  it('serves only run files, not anything else in the folder', async () => {
    expect((await request(server.port, '/data/0/a/notes.txt')).status).toBe(403);
    expect((await request(server.port, '/data/1/a/log.jsonl')).status).toBe(404); // one folder served: no index 1
    expect((await request(server.port, '/etc/passwd')).status).toBe(404);
  });

  it('is read-only: every method but GET and HEAD is refused', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await request(server.port, '/data/0/a/log.jsonl', { method })).status).toBe(405);
    expect(fs.readFileSync(path.join(root, 'a', 'log.jsonl'), 'utf8')).toContain('"loss":1');
  });

  it('refuses requests for another host name (DNS rebinding)', async () => {
    expect((await request(server.port, '/api/runs', { host: `evil.example:${server.port}` })).status).toBe(421);
    expect((await request(server.port, '/api/runs', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('listens on 127.0.0.1 only: the kernel lists one listening socket, on 127.0.0.1', () => {
    // /proc/net/tcp{,6}: "local_address" is hex ip:port; state 0A is LISTEN
    const portHex = server.port.toString(16).toUpperCase().padStart(4, '0');
    const listening: string[] = [];
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A') listening.push(cols[1]);
      }
    }
    expect(listening).toEqual([`0100007F:${portHex}`]); // 127.0.0.1, little-endian
  });

  it('listens on 127.0.0.1 only: connections to the other addresses of this machine are refused', async () => {
    const others = Object.values(os.networkInterfaces()).flat().filter((a) => a !== undefined && !a.internal).map((a) => a!.address);
    const targets = ['127.0.0.2', '::1', ...others];
    const outcome = (host: string): Promise<string> =>
      new Promise((resolve) => {
        const s = net.connect({ host, port: server.port });
        s.setTimeout(3000, () => {
          s.destroy();
          resolve('timeout');
        });
        s.on('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      });
    for (const host of targets) expect([host, await outcome(host)]).not.toEqual([host, 'connected']);
    expect(await outcome('127.0.0.1')).toBe('connected');
  });
});

describe('descent view: resolveInside', () => {
  it('never resolves to a file outside the root, whatever the segments', () => {
    const base = scratch('descent-view-prop-');
    const root = path.join(base, 'root');
    fs.mkdirSync(path.join(root, 'x', 'y'), { recursive: true });
    fs.writeFileSync(path.join(base, 'secret'), 's');
    fs.writeFileSync(path.join(root, 'x', 'f'), 'f');
    fs.symlinkSync(base, path.join(root, 'x', 'up'));
    const seg = fc.constantFrom('..', '.', '%2e%2e', '%2E.', '..%2F', '%2f', '%5c', 'x', 'y', 'f', 'up', 'secret', 'root', '%00', '', '%', '%zz');
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), (segments) => {
        const r = resolveInside(root, segments);
        if (r.ok) expect(path.relative(fs.realpathSync(root), r.file).startsWith('..')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('descent view: bad input', () => {
  it('names a missing folder (exit 2)', () => {
    const r = descent(['view', 'no-such-dir']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('descent view: no-such-dir does not exist; give folders of runs or sweeps (default runs/).\n');
  });

  it('refuses a port out of range (exit 2)', () => {
    const dir = scratch();
    const r = descent(['view', dir, '--port', '70000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port 70000 is not a port');
  });
});
