#!/usr/bin/env node
// compose-persist: the bin. It runs the bundled CLI (cli.cjs) through V8's
// code cache, made at build time from a representative run, so that a
// pre-commit hook does not pay to compile half a megabyte of JavaScript on
// every commit. A missing or stale cache (another Node version) is ignored.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

const bundle = fileURLToPath(new URL('./cli.cjs', import.meta.url));
const cacheFile = `${bundle}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {
  cachedData = undefined;
}
const source = readFileSync(bundle, 'utf8');
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __cpImportMetaUrl) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (process.env.COMPOSE_PERSIST_CODE_CACHE === 'write') {
  process.on('exit', () => writeFileSync(cacheFile, script.createCachedData()));
}
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, fileURLToPath(new URL('.', import.meta.url)), pathToFileURL(bundle).href);
