// Corrupted run state: every edit of checkpoint.json, run.json or log.jsonl is refused by resume with exit 2 naming the field.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeStatus } from '../../../packages/autodiff/src/index.js';
import { seal } from '../../../packages/cli/src/integrity.js';
import { main } from '../../../packages/cli/src/main.js';
import { descent, descentInterrupted, fixture, readRunJson, scratch, STACK } from './helpers.js';

type Json = Record<string, any>;

/** A different base64 character at position `at` (the length, and so the decoded size, stays). */
function flipChar(b64: string, at = Math.floor(b64.length / 3)): string {
  const c = b64[at]!;
  return `${b64.slice(0, at)}${c === 'A' ? 'B' : 'A'}${b64.slice(at + 1)}`;
}

/** base64 float64 data with its last value cut off. */
function cutValue(b64: string): string {
  const bytes = Buffer.from(b64, 'base64');
  return bytes.subarray(0, bytes.length - 8).toString('base64');
}

interface Edit {
  readonly name: string;
  /** What is edited: the checkpoint or run.json as parsed JSON, or the run folder itself. */
  readonly checkpoint?: (cp: Json) => void;
  readonly run?: (rj: Json) => void;
  readonly folder?: (dir: string) => void;
  /** What the refusal must say (the field, or the file's problem). */
  readonly says: RegExp;
}

const EDITS: readonly Edit[] = [
  // parameters
  { name: 'one base64 character of a parameter', checkpoint: (cp) => (cp.params.w.data = flipChar(cp.params.w.data)), says: /fails its checksum: field params\.w\.data changed/ },
  { name: 'a parameter cut short by one value', checkpoint: (cp) => (cp.params.w.data = cutValue(cp.params.w.data)), says: /field params\.w\.data changed/ },
  { name: "a parameter's shape", checkpoint: (cp) => (cp.params.w.shape = [4]), says: /field params\.w\.shape changed/ },
  { name: 'a parameter renamed', checkpoint: (cp) => ((cp.params.u = cp.params.w), delete cp.params.w), says: /params\.u\.\w+ \(added\)/ },
  // optimizer state
  { name: "one base64 character of Adam's m", checkpoint: (cp) => (cp.optimizer.buffers.m[0] = flipChar(cp.optimizer.buffers.m[0])), says: /field optimizer\.buffers\.m\[0\] changed/ },
  { name: "one base64 character of Adam's v", checkpoint: (cp) => (cp.optimizer.buffers.v[0] = flipChar(cp.optimizer.buffers.v[0])), says: /field optimizer\.buffers\.v\[0\] changed/ },
  { name: "Adam's m cut short", checkpoint: (cp) => (cp.optimizer.buffers.m[0] = cutValue(cp.optimizer.buffers.m[0])), says: /field optimizer\.buffers\.m\[0\] changed/ },
  { name: "the optimizer's step count", checkpoint: (cp) => (cp.optimizer.scalars.steps += 1), says: /field optimizer\.scalars\.steps changed/ },
  { name: "the optimizer's lr", checkpoint: (cp) => (cp.optimizer.hyper.lr *= 2), says: /field optimizer\.hyper\.lr changed/ },
  { name: "the optimizer's kind", checkpoint: (cp) => (cp.optimizer.kind = 'momentum'), says: /field optimizer\.kind changed/ },
  // the sample stream
  { name: 'an RNG word', checkpoint: (cp) => (cp.sampling.state.words[2] ^= 1), says: /field sampling\.state\.words changed/ },
  { name: 'the RNG words cut short', checkpoint: (cp) => cp.sampling.state.words.pop(), says: /field sampling\.state\.words changed/ },
  { name: 'an RNG word added', checkpoint: (cp) => cp.sampling.state.words.push(1), says: /field sampling\.state\.words changed/ },
  { name: 'the RNG words reordered', checkpoint: (cp) => cp.sampling.state.words.reverse(), says: /field sampling\.state\.words changed/ },
  { name: "the RNG's generator name", checkpoint: (cp) => (cp.sampling.state.generator = 'xor4096'), says: /field sampling\.state\.generator changed/ },
  { name: 'one base64 character of the current batch', checkpoint: (cp) => (cp.sampling.batch[0] = flipChar(cp.sampling.batch[0])), says: /field sampling\.batch\[0\] changed/ },
  // step, log position, identity, times
  { name: 'the step moved by +1000', checkpoint: (cp) => (cp.step += 1000), says: /fails its checksum: field step changed/ },
  { name: 'the step moved by -1000', checkpoint: (cp) => (cp.step -= 1000), says: /fails its checksum: field step changed/ },
  { name: "the log's byte length", checkpoint: (cp) => (cp.log.bytes += 10), says: /field log\.bytes changed/ },
  { name: "the log's record count", checkpoint: (cp) => (cp.log.records -= 1), says: /field log\.records changed/ },
  { name: "the identity's seed", checkpoint: (cp) => (cp.identity.seed += 1), says: /field identity\.seed changed/ },
  { name: 'the elapsed seconds', checkpoint: (cp) => (cp.seconds += 1), says: /field seconds changed/ },
  { name: 'a field added', checkpoint: (cp) => (cp.note = 'hi'), says: /field note \(added\)/ },
  { name: 'the checksums removed', checkpoint: (cp) => delete cp.seal, says: /field seal is missing or damaged/ },
  { name: 'only the whole checksum edited', checkpoint: (cp) => (cp.seal.sha256 = flipChar(cp.seal.sha256, 3)), says: /fails its checksum: field the checksums themselves/ },
  { name: 'the format of an older descent', checkpoint: (cp) => (cp.format = 'descent-checkpoint/1'), says: /was written by an older descent, without checksums/ },
  // the checkpoint file itself
  { name: 'the checkpoint torn in half', folder: (d) => fs.writeFileSync(path.join(d, 'checkpoint.json'), fs.readFileSync(path.join(d, 'checkpoint.json'), 'utf8').slice(0, 500)), says: /checkpoint\.json is not readable JSON/ },
  { name: 'the checkpoint emptied', folder: (d) => fs.writeFileSync(path.join(d, 'checkpoint.json'), ''), says: /checkpoint\.json is not readable JSON/ },
  { name: 'the checkpoint deleted', folder: (d) => fs.rmSync(path.join(d, 'checkpoint.json')), says: /checkpoint\.json is missing, but run\.json \(field checkpointed\) says the run wrote one at step \d+/ },
  {
    name: 'the checkpoint replaced by a FIFO',
    folder: (d) => {
      fs.rmSync(path.join(d, 'checkpoint.json'));
      execFileSync('mkfifo', [path.join(d, 'checkpoint.json')]);
    },
    says: /checkpoint\.json cannot be read \(is a FIFO \(named pipe\), not a regular file\)/,
  },
  // run.json: the identity-bearing config and settings
  { name: 'config.overrides', run: (rj) => (rj.config.overrides = { d: 4 }), says: /run\.json fails its checksum: fields? config\.overrides\.d \(added\)/ },
  { name: 'config.expect', run: (rj) => (rj.config.expect = { samples: 16, fresh: true }), says: /run\.json fails its checksum: field config\.expect\.samples/ },
  { name: 'config.seed', run: (rj) => (rj.config.seed = 6), says: /field config\.seed changed/ },
  { name: 'config.steps', run: (rj) => (rj.config.steps += 1), says: /field config\.steps changed/ },
  { name: 'config.optimizer', run: (rj) => (rj.config.optimizer = 'momentum'), says: /field config\.optimizer changed/ },
  { name: 'config.lr added', run: (rj) => (rj.config.lr = 0.5), says: /field config\.lr \(added\)/ },
  { name: 'config.file', run: (rj) => (rj.config.file = fixture('quartic')), says: /field config\.file changed/ },
  { name: 'settings.expect', run: (rj) => (rj.settings.expect.count = 16), says: /field settings\.expect\.count changed/ },
  { name: "settings.optimizer's lr", run: (rj) => (rj.settings.optimizer.args.lr = 0.5), says: /field settings\.optimizer\.args\.lr changed/ },
  { name: 'settings.constants', run: (rj) => (rj.settings.constants.d = 4), says: /field settings\.constants\.d changed/ },
  { name: "the model's sha256", run: (rj) => (rj.model.sha256 = flipChar(rj.model.sha256, 5)), says: /field model\.sha256 changed/ },
  { name: 'the integrity checksums removed', run: (rj) => delete rj.integrity, says: /has no valid field integrity/ },
  { name: 'the kernels named in run.json', run: (rj) => (rj.versions.kernels = 'WebAssembly (native: elsewhere)'), says: /computed with the kernels "WebAssembly \(native: elsewhere\)" \(run\.json field versions\.kernels\)/ },
  // the log
  { name: 'a digit of a kept log record', folder: (d) => editLog(d, (t) => t.replace(/"step":1,/, '"step":2,')), says: /sha256 of its first \d+ bytes differs from the checkpoint's field log\.sha256/ },
  { name: 'the log cut short', folder: (d) => editLog(d, (t) => t.slice(0, 40)), says: /log\.jsonl has 40 bytes, fewer than the \d+ the checkpoint at step \d+ refers to/ },
  {
    name: 'the log replaced by a symlink to /dev/zero',
    folder: (d) => {
      fs.rmSync(path.join(d, 'log.jsonl'));
      fs.symlinkSync('/dev/zero', path.join(d, 'log.jsonl'));
    },
    says: /log\.jsonl is not a regular file/,
  },
];

function editLog(dir: string, f: (text: string) => string): void {
  const file = path.join(dir, 'log.jsonl');
  fs.writeFileSync(file, f(fs.readFileSync(file, 'utf8')));
}

async function resumeInProcess(dir: string): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['resume', dir, '--quiet'], { stdout: () => undefined, stderr: (s) => void (err += s) });
  return { code, err };
}

describe('corrupted state: resume refuses every edit with exit 2, naming the field', () => {
  const cwd = scratch('descent-corrupt-');
  const base = path.join(cwd, 'base');
  const outcomes: string[] = [];

  beforeAll(async () => {
    // adam with fresh sampling: parameters, both moments, the RNG stream and the batch are all in the checkpoint
    const args = ['run', fixture('sampled'), '--optimizer', 'adam', '--fresh', '--steps', '400000', '--seed', '5', '--checkpoint-every', '1000', '--quiet', '--out', base];
    const r = await descentInterrupted(args, 'SIGINT', path.join(base, 'log.jsonl'), cwd);
    expect(r.code, r.stderr).toBe(130);
    expect(readRunJson(base)['checkpointed']).toBeGreaterThan(0);
  }, 60_000);

  afterAll(() => {
    if (outcomes.length > 0) console.log(`corruption: ${outcomes.length} edits, each refused with exit 2\n${outcomes.join('\n')}`);
  });

  it(`${EDITS.length} edits (parameters, optimizer state, RNG, step, log position, config and settings, checkpoint file, log): exit 2, the field named, nothing written`, async () => {
    expect(EDITS.length).toBeGreaterThanOrEqual(29);
    for (const [k, e] of EDITS.entries()) {
      const dir = path.join(cwd, `edit-${k}`);
      fs.cpSync(base, dir, { recursive: true });
      const cpFile = path.join(dir, 'checkpoint.json');
      const runFile = path.join(dir, 'run.json');
      if (e.checkpoint) {
        const cp = JSON.parse(fs.readFileSync(cpFile, 'utf8')) as Json;
        e.checkpoint(cp);
        fs.writeFileSync(cpFile, JSON.stringify(cp, null, 2));
      }
      if (e.run) {
        const rj = JSON.parse(fs.readFileSync(runFile, 'utf8')) as Json;
        e.run(rj);
        fs.writeFileSync(runFile, JSON.stringify(rj, null, 2));
      }
      e.folder?.(dir);
      const runBefore = fs.readFileSync(runFile, 'utf8');
      const logBefore = fs.lstatSync(path.join(dir, 'log.jsonl')).isFile() ? fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8') : null;
      const r = await resumeInProcess(dir);
      expect(r.code, `${e.name}: ${r.err}`).toBe(2);
      expect(r.err, e.name).toMatch(e.says);
      expect(r.err).not.toMatch(STACK);
      expect(r.err).not.toMatch(/internal error/);
      // refused before anything was written
      expect(fs.readFileSync(runFile, 'utf8'), e.name).toBe(runBefore);
      if (logBefore !== null) expect(fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8'), e.name).toBe(logBefore);
      expect(fs.existsSync(path.join(dir, '.descent.lock')), e.name).toBe(false);
      outcomes.push(`  ${e.name.padEnd(44)} → ${r.err.trim().replace(/^descent resume: /, '').slice(0, 150)}`);
    }
    // and the unedited copy resumes to completion
    const ok = path.join(cwd, 'unedited');
    fs.cpSync(base, ok, { recursive: true });
    const r = await resumeInProcess(ok);
    expect(r.code, r.err).toBe(0);
    expect(readRunJson(ok)['status']).toBe('completed');
  }, 120_000);

  it('a checkpoint of the earlier xor4096 sample stream, sealed as written then, is refused, saying why', async () => {
    const dir = path.join(cwd, 'xor4096');
    fs.cpSync(base, dir, { recursive: true });
    const cpFile = path.join(dir, 'checkpoint.json');
    const { seal: _old, ...body } = JSON.parse(fs.readFileSync(cpFile, 'utf8')) as Json;
    body.sampling.state = { generator: { X: Array.from({ length: 128 }, (_, i) => i * 7919), i: 3, w: -12345 }, spareNormal: null };
    fs.writeFileSync(cpFile, JSON.stringify({ ...body, seal: seal(body) }, null, 2));
    const runBefore = fs.readFileSync(path.join(dir, 'run.json'), 'utf8');
    const r = await resumeInProcess(dir);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/field sampling\.state holds the xor4096 sample stream of an earlier descent \(fresh samples now come from xoshiro128\*\*, so the run's next draws would differ\)/);
    expect(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')).toBe(runBefore);
  });

  it('a kernel change (DESCENT_NATIVE=0 after native kernels) is refused, and recorded when --allow-kernel-change allows it', () => {
    const dir = path.join(cwd, 'kernels');
    fs.cpSync(base, dir, { recursive: true });
    const started = readRunJson(dir)['versions']['kernels'] as string;
    if (!nativeStatus.available) {
      // no native kernels on this machine: the run started with WebAssembly; the edit above covers the refusal
      expect(started).toMatch(/^WebAssembly/);
      return;
    }
    const refused = descent(['resume', dir, '--quiet'], { cwd, env: { DESCENT_NATIVE: '0' } });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/computed with the kernels "native \(\w+\)" \(run\.json field versions\.kernels\), but this process has "WebAssembly \(native: DESCENT_NATIVE=0\)"/);
    expect(refused.stderr).toMatch(/--allow-kernel-change/);
    expect(readRunJson(dir)['status']).toBe('interrupted');
    const allowed = descent(['resume', dir, '--quiet', '--allow-kernel-change'], { cwd, env: { DESCENT_NATIVE: '0' } });
    expect(allowed.code, allowed.stderr).toBe(0);
    const j = readRunJson(dir);
    expect(j['status']).toBe('completed');
    expect(j['versions']['kernels']).toBe(started);
    expect(j['resumed'][0]['kernels']).toBe('WebAssembly (native: DESCENT_NATIVE=0)');
  });
});
