#!/usr/bin/env node
'use strict';
// Runs the compiled test files with tap and ends with one line CI reads: `N passed, N failed`.
// Only test files whose TypeScript source still exists run (dist/ may hold stale output).
// Usage: node scripts/run-tests.js [substring ...]  (filters test files by path)
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { Parser } = require('tap-parser');

const root = path.resolve(__dirname, '..');
const filters = process.argv.slice(2);

function findTests(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findTests(full, found);
    else if (entry.name.endsWith('.test.js')) found.push(full);
  }
  return found;
}

const files = findTests(path.join(root, 'dist'))
  .filter((file) => {
    const source = path.join(root, path.relative(path.join(root, 'dist'), file)).replace(/\.js$/, '.ts');
    return fs.existsSync(source);
  })
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .map((file) => path.relative(root, file))
  .sort();

if (files.length === 0) {
  console.log('no test files found under dist/ (did the build run?)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const skips = [];
const failures = [];

const parser = new Parser({ passes: false });
// Count leaf assertions only: a subtest's own ok line summarises its children.
function watch(p, names) {
  p.on('child', (child) => watch(child, [...names, child.name]));
  p.on('assert', (result) => {
    if (result.ok && !result.skip && !result.todo && !result.fullname) return;
    if (result.skip) {
      skipped += 1;
      skips.push(`${[...names, result.name].join(' > ')}: ${result.skip === true ? 'skipped' : result.skip}`);
    } else if (!result.ok && !result.todo) {
      failures.push([...names, result.name].join(' > '));
    }
  });
  p.on('complete', () => {});
}
watch(parser, []);

// Leaf counting from tap's own summary per file is simplest and exact.
const summary = new Parser();
summary.on('complete', () => {});

const tap = spawn(process.execPath, [
  path.join(root, 'node_modules/tap/dist/esm/run.mjs'),
  '--disable-coverage', '--reporter=tap', '--timeout=600', '--jobs=2', ...files,
], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });

let tail = '';
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  parser.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});

tap.on('close', (code) => {
  parser.end();
  const totals = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?(?:, skip: (\d+))?/.exec(tail);
  if (totals) {
    passed = Number(totals[2] ?? 0);
    failed = Number(totals[3] ?? 0);
    skipped = Number(totals[4] ?? 0);
  } else if (code !== 0) {
    failed = Math.max(failed, 1);
  }
  if (skips.length) {
    console.log('\nSkipped (each names why):');
    for (const line of skips) console.log(`  - ${line}`);
  }
  if (failures.length) {
    console.log('\nFailed:');
    for (const line of failures) console.log(`  - ${line}`);
  }
  if (code !== 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
