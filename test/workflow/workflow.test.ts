/**
 * The daily workflow, for real: the Makefile sample rebuilds only when a
 * source changed, the plain git hook blocks a commit with a stale output,
 * and the pre-commit framework's hook file says what it must.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const CLI = `node ${resolve('dist/cli.js')}`;
const hasMake = spawnSync('make', ['--version']).status === 0;
const hasGit = spawnSync('git', ['--version']).status === 0;

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cp-flow-'));
  for (const f of ['Makefile', 'compose.persist.yaml', 'pre-commit']) copyFileSync(join('samples/workflow', f), join(dir, f));
  return dir;
}

describe.skipIf(!hasMake)('Makefile sample', () => {
  it('builds once, then only when the source changed; make check fails on a stale file', () => {
    const dir = workdir();
    const make = (...args: string[]) => spawnSync('make', ['-C', dir, `COMPOSE_PERSIST=${CLI}`, ...args], { encoding: 'utf8' });
    expect(make().status).toBe(0);
    const out = join(dir, 'docker-compose.yml');
    expect(readFileSync(out, 'utf8')).toContain('source: db-data');
    const first = statSync(out).mtimeMs;
    const again = make();
    expect(again.stdout).toContain("'docker-compose.yml' is up to date");
    expect(statSync(out).mtimeMs).toBe(first);
    expect(make('check').status).toBe(0);
    // A source edit: check fails with a diff, make rebuilds.
    const src = join(dir, 'compose.persist.yaml');
    writeFileSync(src, readFileSync(src, 'utf8').replace('db: {}', 'db: {mounts: [{target: /var/lib/postgresql/data, name: pgdata}]}'));
    const t = new Date(Date.now() + 2000);
    const { utimesSync } = require('node:fs') as typeof import('node:fs');
    utimesSync(src, t, t);
    const check = make('check');
    expect(check.status).not.toBe(0);
    expect(check.stdout).toContain('+        source: pgdata');
    expect(check.stderr).toContain('DATA_ORPHANED volume db-data no longer used');
    expect(make().status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('source: pgdata');
  });
});

describe.skipIf(!hasGit)('plain git hook', () => {
  it('blocks a commit whose docker-compose.yml is stale, lets a fresh one through', () => {
    const dir = workdir();
    const git = (...args: string[]) => spawnSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { encoding: 'utf8', env: { ...process.env, COMPOSE_PERSIST: CLI } });
    git('init', '-q');
    copyFileSync(join(dir, 'pre-commit'), join(dir, '.git/hooks/pre-commit'));
    execFileSync('sh', ['-c', `${CLI} build -f compose.persist.yaml -o docker-compose.yml`], { cwd: dir });
    git('add', 'compose.persist.yaml', 'docker-compose.yml');
    expect(git('commit', '-qm', 'fresh').status).toBe(0);
    const src = join(dir, 'compose.persist.yaml');
    writeFileSync(src, readFileSync(src, 'utf8').replace('db: {}', 'db: {mounts: [{target: /var/lib/postgresql/data, name: pgdata}]}'));
    git('add', 'compose.persist.yaml');
    const blocked = git('commit', '-qm', 'stale');
    expect(blocked.status).not.toBe(0);
    expect(blocked.stderr).toContain('STALE_OUTPUT');
    expect(git('log', '--oneline').stdout.trim().split('\n')).toHaveLength(1);
  });
});

describe('pre-commit framework hook', () => {
  it('runs build --check on the source files, without file names', () => {
    const hooks = parse(readFileSync('.pre-commit-hooks.yaml', 'utf8')) as Record<string, unknown>[];
    const hook = hooks.find((h) => h.id === 'compose-persist')!;
    expect(hook.entry).toBe('compose-persist build --check');
    expect(hook.pass_filenames).toBe(false);
    const files = new RegExp(String(hook.files));
    for (const f of ['compose.persist.yaml', 'deploy/compose.persist.yml', 'docker-compose.yml', 'patterns/acme.yaml.hbs']) expect(f).toMatch(files);
    expect('README.md').not.toMatch(files);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.bin['compose-persist']).toBe('dist/cli.js');
    expect(existsSync('dist/cli.js')).toBe(true);
  });
});

describe('colors', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  const bad = resolve('test/bad/03-pattern-typo.persist.yaml');
  const onTty = (env: Record<string, string | undefined>, flags = '') =>
    spawnSync('script', ['-qec', `node ${resolve('dist/cli.js')} validate ${flags} -f ${bad}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;
  it.skipIf(!hasScript)('on a terminal errors are colored, never with NO_COLOR or --no-color', () => {
    const { NO_COLOR: _drop, ...env } = process.env;
    void _drop;
    expect(onTty({ ...env, NO_COLOR: undefined })).toContain('\u001b[31merror\u001b[0m');
    expect(onTty({ NO_COLOR: '1' })).not.toContain('\u001b[');
    expect(onTty({ ...env, NO_COLOR: undefined }, '--no-color')).not.toContain('\u001b[');
    expect(onTty({ ...env, NO_COLOR: undefined }, '--no-color')).toContain(' error ');
  });
  it('never when the output is not a terminal', () => {
    const r = spawnSync('node', [resolve('dist/cli.js'), 'validate', '-f', bad], { encoding: 'utf8' });
    expect(r.stderr).toContain(' error ');
    expect(r.stderr).not.toContain('\u001b[');
  });
});

describe('init on a stack with a database, a cache and a search engine', () => {
  it('writes a block that builds without edits, keeping the comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-init-'));
    const src = join(dir, 'compose.persist.yaml');
    writeFileSync(
      src,
      `# our shop\nservices:\n  db:\n    image: docker.io/library/postgres:16.4   # primary\n    environment:\n      POSTGRES_PASSWORD: \${PG_PASSWORD}\n  cache:\n    image: redis:7-alpine\n  search:\n    image: docker.elastic.co/elasticsearch/elasticsearch:8.15.0\n  web:\n    image: nginx:1.27\n`,
    );
    const init = spawnSync('node', [resolve('dist/cli.js'), 'init', '--write', '-f', src], { encoding: 'utf8' });
    expect(init.status).toBe(0);
    const text = readFileSync(src, 'utf8');
    expect(text.startsWith('# our shop\nservices:\n  db:\n    image: docker.io/library/postgres:16.4   # primary\n')).toBe(true);
    const block = (parse(text) as { 'x-persistence': { services: Record<string, { mounts: string[] }> } })['x-persistence'];
    expect(block.services).toEqual({ db: { mounts: ['/var/lib/postgresql/data'] }, cache: { mounts: ['/data'] }, search: { mounts: ['/usr/share/elasticsearch/data'] } });
    const build = spawnSync('node', [resolve('dist/cli.js'), 'build', '-f', src, '-o', join(dir, 'docker-compose.yml')], { encoding: 'utf8' });
    expect(build.status).toBe(0);
    expect(build.stderr).toBe('');
    const out = parse(readFileSync(join(dir, 'docker-compose.yml'), 'utf8')) as { volumes: Record<string, unknown> };
    expect(Object.keys(out.volumes).sort()).toEqual(['cache-data', 'db-data', 'search-data']);
  });
});

describe('pipes', () => {
  it('a reader that stops early (| head -1) gets no stack trace', () => {
    // A large output, so that the CLI is still writing when head has gone.
    const dir = mkdtempSync(join(tmpdir(), 'cp-pipe-'));
    const big = join(dir, 'big.persist.yaml');
    execFileSync('sh', ['-c', `node ${resolve('bench/generate.mjs')} 2000 > ${big}`]);
    const r = spawnSync('sh', ['-c', `node ${resolve('dist/cli.js')} build -q -f ${big} | head -1`], { encoding: 'utf8' });
    expect(r.stdout).toBe(`# Generated by compose-persist from ${big}.\n`);
    expect(r.stderr).toBe('');
  });
});
