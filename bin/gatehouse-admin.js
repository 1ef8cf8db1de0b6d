#!/usr/bin/env node
'use strict';
// The admin CLI lives in TypeScript; this shim runs the compiled build (made by `npm ci`).
require('../dist/core/cli/main.js').main();
