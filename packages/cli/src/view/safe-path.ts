// Maps a request path to a file inside one of the served folders, refusing anything that leaves it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type Resolved = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly status: 400 | 403 | 404; readonly reason: string };

/**
 * The file that the URL path segments `segments` (still percent-encoded) name under `root`.
 * Refused: a segment that decodes to "..", ".", or holds a slash, backslash or NUL (so "%2e%2e",
 * "..%2f" and "%5c" are caught after decoding, not only as typed); a path whose real location
 * (symlinks followed) is outside the real `root`. The check runs on the real path, so a symlink
 * inside the folder that points out of it is refused like "..".
 */
export function resolveInside(root: string, segments: readonly string[]): Resolved {
  const parts: string[] = [];
  for (const raw of segments) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: 'bad percent-encoding' };
    }
    if (seg === '') continue;
    if (seg === '..' || seg === '.' || /[\\/\0]/.test(seg)) return { ok: false, status: 403, reason: 'path leaves the served folder' };
    parts.push(seg);
  }
  let realRoot: string;
  let real: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    return { ok: false, status: 404, reason: 'served folder is gone' };
  }
  try {
    real = fs.realpathSync(path.join(realRoot, ...parts));
  } catch {
    return { ok: false, status: 404, reason: 'no such file' };
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403, reason: 'path leaves the served folder' };
  return { ok: true, file: real };
}

/** True when `child` is `parent` or below it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}
