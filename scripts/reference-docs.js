#!/usr/bin/env node
'use strict';
// Writes docs/options.md and docs/errors.md from the code itself: every option a core component
// or built-in plugin declares, and every registered error code. Run after a build:
//   npm run build && node scripts/reference-docs.js
// `--check` exits 1 when the committed pages are out of date (the test suite runs it).
require('reflect-metadata');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const { corePlugin } = require(path.join(dist, 'core/core-plugin.js'));
const { coreOptions } = require(path.join(dist, 'core/env/env-options.js'));
const { loadBuiltinPlugins } = require(path.join(dist, 'core/components/plugin-loader.js'));
const { listErrors } = require(path.join(dist, 'core/errors.js'));

function defaultText(spec) {
  if (spec.type === 'list') return spec.default.join(', ');
  if (spec.type === 'bool') return spec.default ? 'true' : 'false';
  return String(spec.default);
}

function typeText(spec) {
  if (spec.type === 'choice') return `choice: ${spec.choices.join(', ')}`;
  if ((spec.type === 'int' || spec.type === 'float') && (spec.min !== undefined || spec.max !== undefined)) {
    return `${spec.type} (${spec.min ?? '…'} to ${spec.max ?? '…'})`;
  }
  return spec.type;
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

function optionsPage() {
  const groups = [['core', [...coreOptions, ...(corePlugin.options ?? [])]]];
  for (const plugin of loadBuiltinPlugins().plugins) groups.push([plugin.definition.name, plugin.definition.options ?? []]);
  const lines = ['# trac.ini options', '',
    'Generated from the option declarations in the code (`node scripts/reference-docs.js`);',
    '`gatehouse-admin ENV config list` shows the same with the values in force. Options of a',
    'plugin apply when its components are enabled in `[components]`.', ''];
  for (const [owner, specs] of groups) {
    const unique = [...new Map(specs.map((s) => [`${s.section}/${s.name}`, s])).values()]
      .sort((a, b) => `${a.section}/${a.name}`.localeCompare(`${b.section}/${b.name}`));
    if (unique.length === 0) continue;
    lines.push(`## ${owner === 'core' ? 'Core' : `Plugin \`${owner}\``}`, '',
      '| section | option | type | default | meaning |', '| --- | --- | --- | --- | --- |');
    for (const spec of unique) {
      lines.push(`| \`[${spec.section}]\` | \`${spec.name}\` | ${cell(typeText(spec))} | \`${cell(defaultText(spec))}\` | ${cell(spec.doc)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

function errorsPage() {
  const lines = ['# Error codes', '',
    'Every error a site owner or client can see carries one of these stable codes, shown on the',
    'error page (or in the JSON body when the client asks for JSON) with the request id, and in the',
    'log line. Generated from the registry in the code (`node scripts/reference-docs.js`).', '',
    '| code | HTTP status / exit | message |', '| --- | --- | --- |'];
  for (const error of listErrors()) lines.push(`| \`${error.code}\` | ${error.status} | ${cell(error.template)} |`);
  lines.push('', 'In messages, `{name}` stands for the detail filled in at the time (a file, a key, a user).', '');
  return lines.join('\n');
}

const pages = { 'docs/options.md': optionsPage(), 'docs/errors.md': errorsPage() };
const check = process.argv.includes('--check');
let stale = 0;
for (const [file, text] of Object.entries(pages)) {
  const target = path.join(root, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    console.log(`${file} is out of date: run node scripts/reference-docs.js`);
    stale += 1;
  } else {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, text);
    console.log(`wrote ${file}`);
  }
}
process.exit(stale ? 1 : 0);
