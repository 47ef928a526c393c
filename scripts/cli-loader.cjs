#!/usr/bin/env node
// compose-persist: the bin. It runs the bundled CLI (cli.cjs) through V8's
// code cache, made at build time from a representative run, so that a
// pre-commit hook does not pay to compile half a megabyte of JavaScript on
// every commit. A missing or stale cache (another Node version) is ignored.
// CommonJS (dist/package.json says so): an ES module entry would load Node's
// ES module loader, a dozen more built-in modules on every run.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

const bundle = join(__dirname, 'cli.cjs');
const cacheFile = `${bundle}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
// The bundle is ASCII (esbuild escapes the rest; the build checks): read without UTF-8 decoding.
const source = readFileSync(bundle, 'latin1');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __cpImportMetaUrl) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (process.env.COMPOSE_PERSIST_CODE_CACHE === 'write') {
  process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
const mod = { exports: {} };
script.runInThisContext()(mod.exports, require, mod, bundle, __dirname, pathToFileURL(bundle).href);
