// Build step for the optional native kernels: compiles native/*.c into native/build/descent_native.node
// (a Node-API addon) with the machine's C compiler: the kernels (every .c file but addon.c) for the
// machine's own vector instructions (-march=native: AVX-512 or AVX2 with FMA where present), the
// binding (addon.c) portable, so that on a CPU without those instructions it declines instead of crashing. Optional by design: without a C compiler
// or Node's headers it prints one line and exits 0, and the WebAssembly kernels are used instead.
// Run: node packages/autodiff/scripts/build-native.mjs [--require] [--force]  (--require: fail
// instead; --force: compile even when the addon is newer than its sources). A failed build leaves
// an earlier addon in place.
// DESCENT_NATIVE=0 skips the build (and, at run time, the loading); CC picks the compiler.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nativeDir = fileURLToPath(new URL('../native/', import.meta.url));
const outDir = join(nativeDir, 'build');
const target = join(outDir, 'descent_native.node');
const required = process.argv.includes('--require');
const force = process.argv.includes('--force');

/** Where Node's own headers (node_api.h) are: beside the node binary, npm's nodedir, or the system's. */
function nodeIncludeDir() {
  const candidates = [
    join(dirname(process.execPath), '..', 'include', 'node'),
    process.env.npm_config_nodedir ? join(process.env.npm_config_nodedir, 'include', 'node') : null,
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((dir) => dir !== null && existsSync(join(dir, 'node_api.h'))) ?? null;
}

function skip(reason) {
  const line = `descent: native kernels not built (${reason}); the WebAssembly kernels will be used`;
  if (required) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

if (process.env.DESCENT_NATIVE === '0') skip('DESCENT_NATIVE=0');
if (process.platform === 'win32') skip('no build on Windows yet');
const include = nodeIncludeDir();
if (include === null) skip("Node's headers (node_api.h) were not found");

// Up to date: nothing to do when the addon is newer than every source and header.
const inputs = readdirSync(nativeDir).filter((f) => /\.[ch]$/.test(f)).map((f) => join(nativeDir, f));
if (!force && existsSync(target) && inputs.every((f) => statSync(f).mtimeMs <= statSync(target).mtimeMs)) process.exit(0);

const cc = process.env.CC ?? 'cc';
const common = ['-O3', '-std=gnu11', '-fPIC', '-ffp-contract=fast', '-fvisibility=hidden', `-I${include}`];
const link = ['-shared', ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [])];
mkdirSync(outDir, { recursive: true });
const tmp = (name) => join(outDir, `${name}.${process.pid}.tmp`);

const kernels = readdirSync(nativeDir).filter((f) => f.endsWith('.c') && f !== 'addon.c');
// random.c must round every a·b + c twice, as JS and WebAssembly do (its normals are bit-identical to theirs)
const fileFlags = (f) => (f === 'random.c' ? ['-ffp-contract=off'] : []);

function compile(arch) {
  const objects = [...kernels, 'addon.c'].map((f) => tmp(f.replace(/\.c$/, '.o')));
  const addon = tmp('descent_native.node');
  try {
    const run = (args) => execFileSync(cc, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    kernels.forEach((f, i) => run([...common, ...arch, ...fileFlags(f), '-c', join(nativeDir, f), '-o', objects[i]]));
    run([...common, '-c', join(nativeDir, 'addon.c'), '-o', objects[kernels.length]]);
    run([...link, ...objects, '-o', addon, '-lm']);
    renameSync(addon, target);
    return null;
  } catch (error) {
    return String(error.stderr ?? error.message).trim().split('\n')[0];
  } finally {
    for (const f of [...objects, addon]) rmSync(f, { force: true });
  }
}

// -march=native first; a compiler that does not know this CPU gets the portable build.
const failure = compile(['-march=native']) === null ? null : compile([]);
if (failure !== null) skip(`${cc} failed: ${failure}`);
console.log(`descent: native kernels built with ${cc} -> ${target}`);
