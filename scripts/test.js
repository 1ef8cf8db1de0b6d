#!/usr/bin/env node
'use strict';
// `npm test`: type-check and build (tsc), lint (typescript-eslint), then every test suite.
// A type or lint error counts as a failed check in the closing `N passed, N failed` line, and
// the suites still run so one report shows everything.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

function step(label, command, args) {
  console.log(`\n=== ${label}`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) console.log(`${label}: FAILED (exit ${result.status})`);
  return result.status === 0;
}

const checks = [
  step('type-check and build (tsc)', bin('tsc'), ['-p', 'tsconfig.json']),
  step('lint (eslint)', bin('eslint'), ['.']),
  step('reference docs up to date', process.execPath, [path.join(__dirname, 'reference-docs.js'), '--check']),
];
const failedChecks = checks.filter((ok) => !ok).length;
const failedNames = ['type-check (tsc)', 'lint (eslint)', 'reference docs (run node scripts/reference-docs.js)']
  .filter((_name, i) => !checks[i]);

console.log('\n=== tests');
// run-tests.js adds these checks to its closing line, so one line counts everything.
const tests = spawnSync(process.execPath, [path.join(__dirname, 'run-tests.js'), ...process.argv.slice(2)], {
  cwd: root, stdio: 'inherit',
  env: { ...process.env, GATEHOUSE_CHECKS_PASSED: String(checks.length - failedChecks),
    GATEHOUSE_CHECKS_FAILED: String(failedChecks), GATEHOUSE_CHECKS_FAILED_NAMES: failedNames.join(', ') },
});
process.exit(failedChecks === 0 && tests.status === 0 ? 0 : 1);
