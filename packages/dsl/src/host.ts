// What compiling needs from its surroundings: reading `load("file")` files and a default memory budget.
import { excerpt, extensionOf, readTensorChunks, type LoadOptions, type LoadResult } from './load.js';

/**
 * The environment a program is compiled in. On Node, `@descent/dsl` uses the local disk under the
 * model's folder; in a browser (`@descent/dsl/browser`) there is no file reader unless one is given,
 * so `load("x.csv")` names that, and data comes in with `compile(source, { data: { X } })`.
 */
export interface DslHost {
  /** The tensor `load(path)` names, relative to `baseDir` (the model file's folder), or a message. */
  load(path: string, baseDir: string, options: LoadOptions): LoadResult;
  /** The memory a program may use when the caller sets no budget, in bytes. */
  defaultMemoryBytes(): number;
}

/** Without a file system: the budget when nothing else is known (browsers do not say how much memory they have). */
const BROWSER_MEMORY_BYTES = 2 ** 30;

/** A host that reads no files: `load` is an error pointing at `data` and `files`. */
export const noFileHost: DslHost = {
  load: (path) => ({
    ok: false,
    message: `${excerpt(path, 200)}: this compile has no file reader; pass the values with compile(source, { data: { NAME: tensor } }) or the files' bytes with { host: filesHost({ "${excerpt(path, 200)}": bytes }) }`,
  }),
  defaultMemoryBytes: () => BROWSER_MEMORY_BYTES,
};

/**
 * A host that serves `load` from files held in memory (fetched by the page, say): names are
 * matched as written in the `.loss` source. Text or bytes; the format follows the extension.
 * @example
 *   compile(source, { host: filesHost({ 'data.csv': await (await fetch('data.csv')).text() }) });
 */
export function filesHost(files: Readonly<Record<string, string | Uint8Array>>, memoryBytes = BROWSER_MEMORY_BYTES): DslHost {
  return {
    load(path, _baseDir, options) {
      const name = excerpt(path, 200);
      const content = Object.prototype.hasOwnProperty.call(files, path) ? files[path] : undefined;
      if (content === undefined) {
        const known = Object.keys(files);
        return { ok: false, message: `${name}: no such file (the files given are ${known.length ? known.map((k) => excerpt(k, 60)).join(', ') : 'none'})` };
      }
      const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
      const max = options.maxBytes ?? Infinity;
      if (bytes.length > max) return { ok: false, message: `${name}: file too large (${bytes.length} bytes; the limit is ${max})` };
      const r = readTensorChunks(extensionOf(path), [bytes], options);
      return r.ok ? r : { ok: false, message: `${name}: ${r.message}` };
    },
    defaultMemoryBytes: () => memoryBytes,
  };
}
