/**
 * Issue 12.5: init understands the file's own mounts. A catalog path the service already
 * mounts is reported as kept (not proposed again); with nothing to add the block is still
 * written so that build works; --adopt moves a plain named volume or bind into the block
 * under the same name or host path, so the data stays where it is (diff: nothing orphaned).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { initBlock } from '../../src/init/init.js';
import { compareOutputs } from '../../src/check/data-safety.js';
import { buildText, cli, errorsOf } from '../helpers/run.js';

const FILE = 'compose.yaml';
const plain = `# my stack
services:
  db:
    image: postgres:16
    volumes:
      - db-data:/var/lib/postgresql/data
      - ./init:/docker-entrypoint-initdb.d:ro
  cache:
    image: redis:7
    volumes:
      - ./redis:/data:ro
  search:
    image: elasticsearch:8.15.0
    volumes:
      - type: volume
        source: es
        target: /usr/share/elasticsearch/data
        volume: { nocopy: true }
volumes:
  db-data:
  es:
`;

describe('init: the file\'s own mounts of catalog paths', () => {
  it('without --adopt: reported as kept, not proposed again, and the block is still written', () => {
    const r = initBlock({ file: FILE, text: plain });
    expect(errorsOf(r)).toEqual([]);
    expect(r.services).toEqual([]);
    expect(r.persisted.map((p) => [p.service, p.target, p.note, p.adopted])).toEqual([
      ['db', '/var/lib/postgresql/data', 'named volume db-data', false],
      ['cache', '/data', 'bind ./redis', false],
      ['search', '/usr/share/elasticsearch/data', 'named volume es', false],
    ]);
    expect(r.text).toContain('#   db /var/lib/postgresql/data: named volume db-data (level container)');
    expect(r.text!.startsWith(plain)).toBe(true);
    const b = buildText(r.text!);
    expect(errorsOf(b)).toEqual([]);
  });

  it('--adopt: the named volume and the bind move into the block under the same name and path; the data stays', () => {
    const r = initBlock({ file: FILE, text: plain }, { adopt: true });
    expect(errorsOf(r)).toEqual([]);
    expect(r.persisted.filter((p) => p.adopted).map((p) => p.service)).toEqual(['db', 'cache']);
    const block = (parse(r.text!) as { 'x-persistence': { services: Record<string, { mounts: unknown[] }> } })['x-persistence'].services;
    expect(block.db!.mounts).toEqual([{ target: '/var/lib/postgresql/data', pattern: 'volume', name: 'db-data' }]);
    expect(block.cache!.mounts).toEqual([{ target: '/data', pattern: 'bind', source: './redis', read_only: true }]);
    // The long form with volume: options the block cannot say is left by hand, and said so.
    expect(block.search).toBeUndefined();
    expect(r.text).toContain('#   search /usr/share/elasticsearch/data: named volume es');
    // The comment above the services stays; the other mount of db stays by hand.
    expect(r.text).toContain('# my stack');
    expect(r.text).toContain('- ./init:/docker-entrypoint-initdb.d:ro');
    const b = buildText(r.text!);
    expect(errorsOf(b)).toEqual([]);
    expect(b.diagnostics.filter((d) => d.code === 'MOUNT_CONFLICT')).toEqual([]);
    // What build writes keeps every mount where the hand-written file had it.
    expect(compareOutputs(plain, b.text!, FILE, 'app')).toEqual([]);
    const out = parse(b.text!) as { services: Record<string, { volumes: unknown[] }> };
    expect(out.services.db!.volumes).toContainEqual({ type: 'volume', source: 'db-data', target: '/var/lib/postgresql/data' });
    expect(out.services.cache!.volumes).toContainEqual('./redis:/data:ro');
  });

  it('--adopt leaves a service whose volumes come through a merge key', () => {
    const text = `x-base: &base\n  volumes:\n    - db-data:/var/lib/postgresql/data\nservices:\n  db:\n    <<: *base\n    image: postgres:16\nvolumes:\n  db-data:\n`;
    const r = initBlock({ file: FILE, text }, { adopt: true });
    expect(r.persisted.map((p) => p.adopted)).toEqual([false]);
    expect(r.text!.startsWith(text)).toBe(true);
    expect(errorsOf(buildText(r.text!))).toEqual([]);
  });

  it('a file without a stateful image still gets a block that builds', () => {
    const text = 'services:\n  web: {image: nginx}\n';
    const r = initBlock({ file: FILE, text });
    expect(r.text).toContain('services: {}');
    expect(r.text).toContain('No stateful image recognised');
    expect(errorsOf(buildText(r.text!))).toEqual([]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'cp-init-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('CLI: init -o writes the file with nothing to add, says what is kept, and build works on it', async () => {
    writeFileSync(join(dir, 'docker-compose.yml'), plain);
    const out = join(dir, 'compose.persist.yaml');
    const r = await cli(['init', '-f', join(dir, 'docker-compose.yml'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('init: db (postgres:16): /var/lib/postgresql/data already kept by its own named volume db-data (level container); --adopt moves it into the block');
    expect(readFileSync(out, 'utf8')).toContain('x-persistence:');
    const b = await cli(['build', '-f', out]);
    expect(b.code).toBe(0);
  });

  it('CLI: init --adopt says what it moved', async () => {
    writeFileSync(join(dir, 'docker-compose.yml'), plain);
    const r = await cli(['init', '--adopt', '-f', join(dir, 'docker-compose.yml')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('init: cache (redis:7): /data adopted into the block (its own bind ./redis, level container: the data stays where it is)');
    expect(r.stdout).toContain('pattern: bind, source: ./redis, read_only: true');
  });
});
