import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dataSafety } from '../../src/check/data-safety.js';
import { buildText } from '../helpers/run.js';
import { cli } from '../helpers/run.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const built = (block: string) => parse(buildText(`services:\n  db: {image: "postgres:16"}\nx-persistence:\n  services:\n    db: ${block}\n`).text!, { merge: true });

describe('data safety between two builds', () => {
  it('the same setup leaves nothing behind', () => {
    expect(dataSafety(built('{pattern: volume}'), built('{pattern: volume}'), 'new')).toEqual([]);
  });
  it('a renamed volume strands the data, with a migration hint', () => {
    const d = dataSafety(built('{pattern: volume}'), built('{pattern: volume, mounts: [{target: /var/lib/postgresql/data, name: pg}]}'), 'new');
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ code: 'DATA_ORPHANED', severity: 'warning' });
    expect(d[0]!.message).toBe('volume db-data no longer used: its data stays on the host but the service will start empty at /var/lib/postgresql/data (now volume pg)');
    expect(d[0]!.hint).toContain('cp -a /from/. /to/');
  });
  it('volume -> bind strands the data', () => {
    const d = dataSafety(built('{pattern: volume}'), built('{pattern: bind, mounts: [{target: /var/lib/postgresql/data, source: ./pg}]}'), 'new');
    expect(d[0]!.message).toContain('volume db-data no longer used');
    expect(d[0]!.message).toContain('(now bind ./pg)');
  });
  it('volume -> data-container under the same name keeps the data (volumes_from is followed)', () => {
    const d = dataSafety(built('{pattern: volume}'), built('{pattern: data-container}'), 'new');
    expect(d).toEqual([]);
  });
  it('volume -> none strands the data', () => {
    expect(dataSafety(built('{pattern: volume}'), built('{pattern: none}'), 'new')[0]!.message).toContain('will start empty');
  });
  it('changed driver options under the same name are flagged', () => {
    const a = { services: { s: { volumes: [{ type: 'volume', source: 'v', target: '/d' }] } }, volumes: { v: { driver: 'local', driver_opts: { type: 'nfs', o: 'addr=a', device: ':/x' } } } };
    const b = { ...a, volumes: { v: { driver: 'local', driver_opts: { type: 'nfs', o: 'addr=b', device: ':/x' } } } };
    expect(dataSafety(a, b, 'new').map((d) => d.code)).toEqual(['DRIVER_CHANGED']);
  });
});

describe('compose-persist diff and build --check', () => {
  it('diff exits 1 and names the stranded volume; exit 0 when nothing is left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-diff-'));
    const src = (b: string) => `services:\n  db: {image: "postgres:16"}\nx-persistence:\n  services:\n    db: ${b}\n`;
    writeFileSync(join(dir, 'old.yaml'), src('{pattern: volume}'));
    writeFileSync(join(dir, 'new.yaml'), src('{pattern: bind}'));
    const r = await cli(['diff', join(dir, 'old.yaml'), join(dir, 'new.yaml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('warning DATA_ORPHANED volume db-data no longer used: its data stays on the host but the service will start empty');
    expect((await cli(['diff', join(dir, 'old.yaml'), join(dir, 'old.yaml')])).code).toBe(0);
  });
  it('build --check reports stranded data when the output is stale', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-diff-'));
    const src = (b: string) => `services:\n  db: {image: "postgres:16"}\nx-persistence:\n  services:\n    db: ${b}\n`;
    writeFileSync(join(dir, 'compose.persist.yaml'), src('{pattern: volume}'));
    await cli(['build', '-f', join(dir, 'compose.persist.yaml'), '-o', join(dir, 'out.yml')]);
    writeFileSync(join(dir, 'compose.persist.yaml'), src('{pattern: volume, mounts: [{target: /var/lib/postgresql/data, name: pg}]}'));
    const r = await cli(['build', '--check', '-f', join(dir, 'compose.persist.yaml'), '-o', join(dir, 'out.yml')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('DATA_ORPHANED volume db-data no longer used');
  });
});
