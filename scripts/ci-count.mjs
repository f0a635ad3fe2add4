#!/usr/bin/env node
// CI's closing line: "N passed, M failed" summed over every vitest JSON report (.vitest-report*.json),
// where a test file that failed to load, a suite-level error, a missing report or a failed suite
// command each count as a failure, so that M > 0 whenever the run failed.
//   node scripts/ci-count.mjs [--dir DIR] [--only] [--expect REPORT]... [--failed REPORT]...
//   --only           count the --expect'ed reports alone (not every .vitest-report*.json in DIR)
//   --expect REPORT  a suite was run that should have written REPORT (missing: one failure)
//   --failed REPORT  the command of REPORT's suite exited non-zero (one failure unless the report has some)
// Exits 1 when M > 0.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The counts of one parsed vitest JSON report, with a line for each failure that is not a failed
 * test (a file that did not load, an error outside any test).
 */
export function countReport(report, name = 'report') {
  const notes = [];
  let passed = Number(report?.numPassedTests ?? 0);
  let failed = Number(report?.numFailedTests ?? 0);
  if (!Number.isFinite(passed) || !Number.isFinite(failed) || !Array.isArray(report?.testResults)) {
    return { passed: 0, failed: 1, notes: [`${name}: not a vitest JSON report`] };
  }
  for (const file of report.testResults) {
    const failedTests = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    // a file marked failed without a failed test: it did not load, or a hook or the file itself threw
    if (file.status === 'failed' && failedTests === 0) {
      failed++;
      const why = String(file.message ?? '').split('\n')[0] || 'failed outside its tests';
      notes.push(`${name}: ${file.name}: ${why}`);
    }
  }
  // vitest says the run failed (e.g. an unhandled error) but nothing above counted it
  if (report.success === false && failed === 0) {
    failed = 1;
    notes.push(`${name}: the run failed outside any test file (unhandled error)`);
  }
  return { passed, failed, notes };
}

/** Sums the reports in `dir` (every .vitest-report*.json) with the expectations of the suites run. */
export function countAll(dir, expected = [], failedCommands = [], only = false) {
  const present = existsSync(dir) && !only ? readdirSync(dir).filter((f) => /^\.vitest-report.*\.json$/.test(f)).sort() : [];
  const names = [...new Set([...present, ...expected.map((e) => basename(e)), ...failedCommands.map((e) => basename(e))])];
  let passed = 0;
  let failed = 0;
  const notes = [];
  for (const name of names) {
    const file = join(dir, name);
    let c;
    if (!existsSync(file)) c = { passed: 0, failed: 1, notes: [`${name}: missing (its suite did not run to the end)`] };
    else {
      try {
        c = countReport(JSON.parse(readFileSync(file, 'utf8')), name);
      } catch (e) {
        c = { passed: 0, failed: 1, notes: [`${name}: unreadable (${e.message.split('\n')[0]})`] };
      }
    }
    // the suite's command failed although its report shows no failure (e.g. a step after the tests)
    if (failedCommands.some((f) => basename(f) === name) && c.failed === 0) {
      c = { ...c, failed: 1, notes: [...c.notes, `${name}: its suite command exited non-zero`] };
    }
    passed += c.passed;
    failed += c.failed;
    notes.push(...c.notes);
  }
  return { passed, failed, notes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  let dir = '.';
  const expected = [];
  const failedCommands = [];
  let only = false;
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--only') {
      only = true;
      continue;
    }
    if (value === undefined) throw new Error(`ci-count: ${flag} needs a value`);
    if (flag === '--dir') dir = value;
    else if (flag === '--expect') expected.push(value);
    else if (flag === '--failed') failedCommands.push(value);
    else throw new Error(`ci-count: unknown argument ${flag}`);
    i++;
  }
  const { passed, failed, notes } = countAll(dir, expected, failedCommands, only);
  for (const n of notes) console.log(`counted as failed: ${n}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
