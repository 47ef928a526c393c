// The commands that need an engine (backup, restore, migrate --apply, volumes create), run as
// a real process with DOCKER_HOST at a socket nobody listens on (issue 16 point 5): one error
// line that says there is no engine, exit 1, no stack trace, nothing written.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../helpers/cli-bundle.js';

let work = '';
let cliPath = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cp-no-engine-'));
  cliPath = bundleCli(work);
  const src = `services:\n  db:\n    image: postgres:16\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [/var/lib/postgresql/data] }\n`;
  writeFileSync(join(work, 'compose.persist.yaml'), src);
  writeFileSync(join(work, 'new.persist.yaml'), src.replace('pattern: volume', 'pattern: bind, owner: "999:999"'));
  writeFileSync(join(work, 'kept.persist.yaml'), src.replace('pattern: volume,', 'pattern: volume, keep: true,'));
  // a complete-looking backup directory (restore looks at the manifest first, then the engine)
  mkdirSync(join(work, 'bk'));
  writeFileSync(join(work, 'bk', 'manifest.json'), JSON.stringify({ format: 'compose-persist-backup/1', archives: [] }));
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/compose-persist-test/docker.sock', DOCKER_CONTEXT: '', PATH: process.env.PATH ?? '' };

describe('no engine reachable', () => {
  const cases: [string, string[]][] = [
    ['backup', ['backup', '-p', 'app', '-o', 'out']],
    ['restore', ['restore', '-p', 'app', 'bk']],
    ['migrate --apply', ['migrate', 'compose.persist.yaml', 'new.persist.yaml', '-p', 'app', '--apply']],
    ['volumes create', ['volumes', 'create', '-f', 'kept.persist.yaml', '-p', 'app']],
  ];
  it.each(cases)('%s: one error line naming the missing engine, exit 1, no stack trace, nothing written', (_name, args) => {
    const before = readdirSync(work).sort();
    const r = spawnSync(process.execPath, [cliPath, ...args], { cwd: work, encoding: 'utf8', env: NO_ENGINE, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    const errors = r.stderr.split('\n').filter((l) => l.startsWith('compose-persist: error'));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(/no Docker engine reachable/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(work).sort()).toEqual(before);
    expect(existsSync(join(work, 'out'))).toBe(false);
  });
  it('restore --dry-run without an engine says so too (it must look at the targets)', () => {
    cpSync(join(work, 'bk'), join(work, 'bk2'), { recursive: true });
    const r = spawnSync(process.execPath, [cliPath, 'restore', '-p', 'app', 'bk2', '--dry-run'], { cwd: work, encoding: 'utf8', env: NO_ENGINE, timeout: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^compose-persist: error no Docker engine reachable/m);
  });
});
