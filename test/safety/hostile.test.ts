/**
 * No denial of service from one file (issue 13 point 6): the hostile inputs
 * of bench/hostile.mjs, each sized so that the quadratic (or worse) pass it
 * targets took tens of seconds to minutes, run as real processes under a hard
 * timeout; a linear pass takes well under a second. The bound is generous (the
 * machine is shared): it separates "linear" from "quadratic", it does not time.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../helpers/cli-bundle.js';
import { hostileCases } from '../../bench/hostile.mjs';

const LIMIT_MS = 15_000;
let work: string;
let cliPath: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cp-hostile-'));
  cliPath = bundleCli(work);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('hostile inputs finish in linear time', () => {
  for (const c of hostileCases()) {
    it(`${c.id}: ${c.label}`, () => {
      const dir = join(work, c.id);
      for (const [name, text] of Object.entries(c.files as Record<string, string>)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), text);
      }
      // The bundle sits in a temp directory: what it loads on demand (ajv, handlebars) comes from the repository.
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [cliPath, ...c.args], { cwd: dir, env: { ...process.env, NODE_PATH: resolve('node_modules') }, encoding: 'utf8', timeout: LIMIT_MS, killSignal: 'SIGKILL', maxBuffer: 256 << 20 });
      const ms = Date.now() - t0;
      expect(r.signal, `killed after ${ms} ms (limit ${LIMIT_MS} ms): a super-linear pass`).toBeNull();
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.status, r.stderr.slice(0, 2000)).toBe(c.exit);
      if (c.stderr) expect(r.stderr).toMatch(c.stderr);
    }, LIMIT_MS + 10_000);
  }
});
