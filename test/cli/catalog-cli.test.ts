import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/run.js';

/** A project directory holding the given files. */
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cp-catalog-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const ENV = { PATH: process.env.PATH ?? '' };

describe('init and the image version (issue 12.1)', () => {
  it('init on postgres:latest proposes /var/lib/postgresql and names the version it assumed', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  db:\n    image: postgres:latest\n' });
    const out = join(dir, 'compose.persist.yaml');
    const r = await cli(['init', '-f', join(dir, 'compose.yaml'), '-o', out], ENV);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain('        - /var/lib/postgresql\n');
    expect(text).not.toMatch(/^ *- \/var\/lib\/postgresql\/data/m);
    expect(r.stderr).toMatch(/compose\.yaml:3:12: warning CATALOG_VERSION_UNKNOWN .*assumed postgres 18/);
    // ... and what it wrote builds.
    const b = await cli(['build', '-f', out], ENV);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('target: /var/lib/postgresql\n');
  });

  it('build with /var/lib/postgresql/data on postgres:18 is exit 1, CATALOG_PATH_MOVED at the mount', async () => {
    const dir = project({
      'compose.persist.yaml': 'services:\n  db:\n    image: postgres:18\nx-persistence:\n  services:\n    db:\n      pattern: volume\n      mounts:\n        - /var/lib/postgresql/data\n',
    });
    const r = await cli(['build', '-f', join(dir, 'compose.persist.yaml')], ENV);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/compose\.persist\.yaml:9:11: error CATALOG_PATH_MOVED postgres:18 is postgres 18, which refuses .*\/var\/lib\/postgresql\/data.*mount \/var\/lib\/postgresql instead/);
  });

  it('the same on the service\'s own volumes: entry, without a block', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  db:\n    image: postgres\n    volumes:\n      - db:/var/lib/postgresql/data\nvolumes:\n  db: {}\n' });
    const r = await cli(['validate', '-f', join(dir, 'compose.yaml')], ENV);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/compose\.yaml:5:9: error CATALOG_PATH_MOVED postgres is postgres 18 \(what a tag without a version gives as of 2026-08-21\)/);
  });
});

describe('variables in image tags (issue 12.2)', () => {
  const PLAIN = 'services:\n  db:\n    image: postgres:${POSTGRES_VERSION:-17-alpine}\n  es:\n    image: elasticsearch:${ES_VERSION:-9.4.3}\n  cache:\n    image: redis:${REDIS_VERSION:-8.8-alpine}\n';

  it('validate on a file with no block warns that each stateful image is unpersisted', async () => {
    const dir = project({ 'compose.yaml': PLAIN });
    const r = await cli(['validate', '-f', join(dir, 'compose.yaml')], ENV);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/compose\.yaml:3:12: warning UNPERSISTED_STATE service "db" runs postgres:\$\{POSTGRES_VERSION:-17-alpine\}, which keeps its data in \/var\/lib\/postgresql\/data/);
    expect(r.stderr).toMatch(/compose\.yaml:5:12: warning UNPERSISTED_STATE service "es"/);
    expect(r.stderr).toMatch(/compose\.yaml:7:12: warning UNPERSISTED_STATE service "cache"/);
    expect(r.stderr).not.toContain('IMAGE_VARIABLE_UNSET');
  });

  it('the .env next to the first -f file is read, the environment wins over it, and the output keeps the text', async () => {
    const dir = project({ 'compose.yaml': PLAIN, '.env': '# versions\nPOSTGRES_VERSION=18\n' });
    const init = await cli(['init', '-f', join(dir, 'compose.yaml')], ENV);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('image: postgres:${POSTGRES_VERSION:-17-alpine}\n');
    expect(init.stdout).toMatch(/    db:\n(      #.*\n)+      mounts:\n        - \/var\/lib\/postgresql\n/);
    const env = await cli(['init', '-f', join(dir, 'compose.yaml')], { ...ENV, POSTGRES_VERSION: '16' });
    expect(env.stdout).toMatch(/    db:\n(      #.*\n)+      mounts:\n        - \/var\/lib\/postgresql\/data\n/);
  });

  it('--env-file replaces the default .env; a missing one is exit 1', async () => {
    const dir = project({ 'compose.yaml': PLAIN, '.env': 'POSTGRES_VERSION=18\n', 'prod.env': 'POSTGRES_VERSION="16"\n' });
    const r = await cli(['validate', '-f', join(dir, 'compose.yaml'), '--env-file', join(dir, 'prod.env')], ENV);
    expect(r.stderr).toMatch(/service "db" runs postgres:\$\{POSTGRES_VERSION:-17-alpine\}, which keeps its data in \/var\/lib\/postgresql\/data,/);
    const missing = await cli(['validate', '-f', join(dir, 'compose.yaml'), '--env-file', join(dir, 'nope.env')], ENV);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nope\.env: error FILE_READ the env file cannot be read: no such file/);
    const initMissing = await cli(['init', '-f', join(dir, 'compose.yaml'), '--env-file', join(dir, 'nope.env')], ENV);
    expect(initMissing.code).toBe(1);
  });

  it('an unset variable is a warning naming it, and the repository still matches', async () => {
    const dir = project({ 'compose.yaml': 'services:\n  db:\n    image: postgres:${PG_TAG}\n' });
    const r = await cli(['validate', '-f', join(dir, 'compose.yaml')], ENV);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/compose\.yaml:3:12: warning IMAGE_VARIABLE_UNSET image postgres:\$\{PG_TAG\}: PG_TAG is not set/);
    expect(r.stderr).toMatch(/UNPERSISTED_STATE service "db"/);
    const required = project({ 'compose.yaml': 'services:\n  db:\n    image: postgres:${PG_TAG:?give PG_TAG}\n' });
    const q = await cli(['validate', '-f', join(required, 'compose.yaml')], ENV);
    expect(q.code).toBe(0);
    expect(q.stderr).toMatch(/IMAGE_VARIABLE_UNSET .*PG_TAG is not set/);
  });
});
