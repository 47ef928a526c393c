#!/usr/bin/env node
// Rewrites the table of diagnostic codes in README.md from src/diagnostics.ts
// (a test fails when they drift apart).
import { readFileSync, writeFileSync } from 'node:fs';
const src = readFileSync('src/diagnostics.ts', 'utf8');
const block = src.slice(src.indexOf('export const DIAG_CODES'), src.indexOf('} as const;'));
const rows = [...block.matchAll(/^\s+([A-Z_]+): '(.*)',$/gm)].map(([, code, text]) => `| \`${code}\` | ${text.replace(/\\'/g, "'")} |`);
const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('<!-- codes:start -->');
const end = readme.indexOf('<!-- codes:end -->');
const table = ['<!-- codes:start -->', '| code | meaning |', '| --- | --- |', ...rows, ''].join('\n');
writeFileSync('README.md', readme.slice(0, start) + table + readme.slice(end));
