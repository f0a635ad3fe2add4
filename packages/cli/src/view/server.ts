// The viewer's HTTP server: 127.0.0.1 only, GET and HEAD only, the page, its assets and the run files.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { PALETTE } from '../plot/palette.js';
import { toJsonLine } from '../runlog.js';
import { indexRuns } from './runs-index.js';
import { resolveInside, type Resolved } from './safe-path.js';

/** The only interface the viewer listens on. */
export const VIEW_HOST = '127.0.0.1';

/** Files of a run or sweep folder the page may read; anything else under /data/ is refused. */
const DATA_FILES = new Set(['log.jsonl', 'run.json', 'sweep.json', 'summary.csv', 'loss.svg', 'sweep.svg']);

/** The page and what it loads, copied into dist/view/static by the build (scripts/bundle-view.mjs). */
const STATIC: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
  '/uPlot.iife.min.js': 'uPlot.iife.min.js',
  '/uPlot.min.css': 'uPlot.min.css',
};

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json; charset=utf-8',
  jsonl: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  svg: 'image/svg+xml',
};

/** dist/view/static next to the compiled server, or the built copy when running from the sources (tests). */
export function staticDir(): string {
  for (const rel of ['./static/', '../../dist/view/static/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (fs.existsSync(`${dir}index.html`)) return dir;
  }
  throw new Error('the viewer page is not built (dist/view/static/index.html is missing; run pnpm build)');
}

/** At most this much of one log per answer: a long log arrives over several polls, never in one buffer. */
const LOG_CHUNK = 16 * 1024 * 1024;
/** At most this much log text in one /api/logs answer; the runs past it get theirs at the next poll. */
const LOGS_BUDGET = 64 * 1024 * 1024;

/** A log's bytes from `from` up to its last newline (at most `max` bytes): only whole records, and where to ask next. */
function wholeLinesFrom(file: string, from: number, max = LOG_CHUNK): { text: string; next: number } {
  const size = fs.statSync(file).size;
  if (from >= size) return { text: '', next: from > size ? 0 : from }; // a shorter file was rewritten (--force): start over
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size - from, max));
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    const end = n === 0 ? 0 : buf.lastIndexOf(0x0a, n - 1) + 1;
    return { text: buf.subarray(0, end).toString('utf8'), next: from + end };
  } finally {
    fs.closeSync(fd);
  }
}

export interface ViewServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Starts the viewer on 127.0.0.1:`port` (0: a free port) serving `roots` read-only. Requests must
 * name this host (a Host header of 127.0.0.1 or localhost with the port), so a web page elsewhere
 * cannot reach the server through a DNS name rebound to 127.0.0.1.
 */
export async function startViewServer(roots: readonly string[], port: number): Promise<ViewServer> {
  const assets = staticDir();
  // The runs table, computed at start and then again in the background when a request finds it
  // older than half a second: a request never waits for a walk of a thousand run folders.
  let index: { readonly body: string; readonly at: number } | null = null;
  let refreshing = false;
  const refreshIndex = (): void => {
    index = { body: toJsonLine({ palette: PALETTE, runs: indexRuns(roots) }), at: Date.now() };
  };
  const runsBody = (): string => {
    if (!index) refreshIndex();
    else if (Date.now() - index.at > 500 && !refreshing) {
      refreshing = true;
      setImmediate(() => {
        refreshing = false;
        refreshIndex();
      });
    }
    return index!.body;
  };
  let allowedHosts: Set<string> = new Set();
  const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'",
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };
  const fail = (res: http.ServerResponse, status: number, reason: string): void => send(res, status, TYPES['json']!, toJsonLine({ error: reason }));

  /** A file under served folder number `rootText`, named by percent-encoded segments. */
  const inRoot = (rootText: string | undefined, segments: readonly string[]): Resolved => {
    if (!/^\d+$/.test(rootText ?? '') || Number(rootText) >= roots.length) return { ok: false, status: 404, reason: 'no such served folder' };
    return resolveInside(roots[Number(rootText)]!, segments);
  };
  /** The log.jsonl of a run key "<root index>/<path>", through the same checks as /data/. */
  const runLog = (key: string): Resolved => {
    const [rootText, ...segments] = key.split('/');
    return inRoot(rootText, [...segments.map(encodeURIComponent), 'log.jsonl']);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'read-only: GET and HEAD only');
    if (!allowedHosts.has(req.headers.host ?? '')) return fail(res, 421, 'wrong Host header');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const asset = STATIC[pathname];
    if (asset) {
      const ext = asset.slice(asset.lastIndexOf('.') + 1);
      return send(res, 200, TYPES[ext]!, fs.readFileSync(`${assets}${asset}`));
    }
    if (pathname === '/api/runs') return send(res, 200, TYPES['json']!, runsBody());
    if (pathname === '/api/logs') {
      // many logs in one request: run=<key>&from=<byte offset>, repeated (an overlay of 100 runs is one request)
      const keys = query.getAll('run');
      const froms = query.getAll('from');
      if (keys.length !== froms.length || keys.length > 1000) return fail(res, 400, 'give run= and from= in pairs (at most 1000)');
      const out: Record<string, { text: string; next: number } | { error: string }> = {};
      let budget = LOGS_BUDGET;
      keys.forEach((key, i) => {
        const r = runLog(key);
        const from = Number(froms[i]);
        if (!r.ok) out[key] = { error: r.reason };
        else if (!Number.isSafeInteger(from) || from < 0) out[key] = { error: 'from= wants a byte offset' };
        else {
          const got = wholeLinesFrom(r.file, from, Math.min(LOG_CHUNK, budget));
          budget -= got.next - from;
          out[key] = got;
        }
      });
      return send(res, 200, TYPES['json']!, JSON.stringify(out));
    }
    if (pathname.startsWith('/data/')) {
      // /data/<root index>/<path below it>/<file>
      const [rootText, ...segments] = pathname.slice('/data/'.length).split('/');
      const r = inRoot(rootText, segments);
      if (!r.ok) return fail(res, r.status, r.reason);
      const name = r.file.slice(r.file.lastIndexOf('/') + 1);
      if (!DATA_FILES.has(name)) return fail(res, 403, `only run files are served (${[...DATA_FILES].join(', ')})`);
      const type = TYPES[name.slice(name.lastIndexOf('.') + 1)]!;
      if (name === 'log.jsonl') {
        const from = Number(query.get('from') ?? '0');
        if (!Number.isSafeInteger(from) || from < 0) return fail(res, 400, 'from= wants a byte offset');
        const { text, next } = wholeLinesFrom(r.file, from);
        return send(res, 200, type, text, { 'x-next-offset': String(next) });
      }
      return send(res, 200, type, fs.readFileSync(r.file));
    }
    return fail(res, 404, 'not found');
  };

  const server = http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) fail(res, 500, (e as Error).message);
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, VIEW_HOST, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  setImmediate(() => {
    if (!index) refreshIndex();
  });
  allowedHosts = new Set([`${VIEW_HOST}:${actual}`, `localhost:${actual}`]);
  return {
    url: `http://${VIEW_HOST}:${actual}/`,
    port: actual,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
