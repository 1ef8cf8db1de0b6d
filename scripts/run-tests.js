#!/usr/bin/env node
'use strict';
// Runs the compiled test files with tap and ends with the one line CI reads: `N passed, N failed`.
//
// Pass 1 runs every test file on SQLite. When PostgreSQL (127.0.0.1:5432) and MariaDB
// (127.0.0.1:3306) answer, the core suites (test/core-*, test/attachments*) run again on each,
// as the db-pool issue asks. A missing server skips that pass and says why, unless
// GATEHOUSE_REQUIRE_SERVICES=1 (set by .ci/run), where it counts as a failure.
//
// Usage: node scripts/run-tests.js [substring ...]   (filters test files by path)
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const filters = process.argv.slice(2);
const requireServices = process.env.GATEHOUSE_REQUIRE_SERVICES === '1';
const MATRIX = [/^dist\/test\/core-/, /^dist\/test\/attachments/];

function findTests(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, found);
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

// Only test files whose TypeScript source still exists run (dist/ may hold stale output).
function testFiles() {
  const dist = path.join(root, 'dist');
  if (!fs.existsSync(dist)) return [];
  return findTests(dist)
    .filter((file) => fs.existsSync(path.join(root, path.relative(dist, file)).replace(/\.js$/, '.ts')))
    .map((file) => path.relative(root, file))
    .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
    .sort();
}

function reachable(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function parseTotals(text) {
  const line = text.split('\n').reverse().find((l) => /^# \{ total: \d+/.test(l));
  if (!line) return undefined;
  const get = (key) => Number((new RegExp(`${key}: (\\d+)`).exec(line) ?? [])[1] ?? 0);
  return { pass: get('pass'), fail: get('fail'), skip: get('skip'), todo: get('todo') };
}

function runTap(label, files, extraEnv) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${files.length} test file(s)`);
    const tap = spawn(process.execPath, [
      path.join(root, 'node_modules/tap/dist/esm/run.mjs'),
      '--disable-coverage', '--reporter=tap', '--timeout=600', '--jobs=2', ...files,
    ], { cwd: root, env: { ...process.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    tap.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      output += chunk.toString();
    });
    tap.on('close', (code) => {
      const totals = parseTotals(output) ?? { pass: 0, fail: code === 0 ? 0 : 1, skip: 0, todo: 0 };
      if (code !== 0 && totals.fail === 0) totals.fail = 1;
      const skips = output.split('\n').filter((l) => /^\s*ok \d+ .*# SKIP/.test(l)).map((l) => l.trim());
      const failures = output.split('\n').filter((l) => /^\s*not ok \d+/.test(l) && !/# TODO/.test(l)).map((l) => l.trim());
      resolve({ label, totals, skips, failures });
    });
  });
}

async function main() {
  const files = testFiles();
  if (files.length === 0) {
    console.log('no test files found under dist/ (did the build run?)');
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  const results = [await runTap('SQLite', files, { GATEHOUSE_TEST_DB: 'sqlite' })];
  const matrixFiles = files.filter((file) => MATRIX.some((pattern) => pattern.test(file)));
  const notes = [];
  if (matrixFiles.length > 0) {
    for (const [kind, port, label] of [['postgres', 5432, 'PostgreSQL'], ['mysql', 3306, 'MariaDB']]) {
      if (await reachable(port)) {
        results.push(await runTap(`${label} (core suites)`, matrixFiles, { GATEHOUSE_TEST_DB: kind }));
      } else if (requireServices) {
        notes.push(`FAILED: ${label} on 127.0.0.1:${port} does not answer, and GATEHOUSE_REQUIRE_SERVICES=1`);
        results.push({ label, totals: { pass: 0, fail: 1, skip: 0 }, skips: [], failures: [`${label} unavailable`] });
      } else {
        notes.push(`skipped the core suites on ${label}: nothing answers on 127.0.0.1:${port}`);
      }
    }
  }
  // Checks run before the tests by scripts/test.js (type-check, lint) count here too.
  let passed = Number(process.env.GATEHOUSE_CHECKS_PASSED ?? 0);
  let failed = Number(process.env.GATEHOUSE_CHECKS_FAILED ?? 0);
  let skipped = 0;
  console.log('\n=== Summary');
  for (const result of results) {
    passed += result.totals.pass;
    failed += result.totals.fail;
    skipped += result.totals.skip;
    console.log(`${result.label}: ${result.totals.pass} passed, ${result.totals.fail} failed, ${result.totals.skip} skipped`);
    for (const line of result.skips) console.log(`  skipped: ${line}`);
    for (const line of result.failures) console.log(`  failed: ${line}`);
  }
  for (const note of notes) console.log(note);
  if (process.env.GATEHOUSE_CHECKS_FAILED_NAMES) {
    console.log(`FAILED before the tests: ${process.env.GATEHOUSE_CHECKS_FAILED_NAMES} (see its output above)`);
  }
  if (requireServices && skipped > 0) {
    console.log(`FAILED: ${skipped} test(s) skipped while GATEHOUSE_REQUIRE_SERVICES=1`);
    failed += skipped;
  }
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
