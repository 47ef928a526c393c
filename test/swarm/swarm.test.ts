/**
 * --target swarm: every sample the tool builds for Swarm is accepted by the
 * Docker CLI's own stack loader (`docker stack config`, where the installed
 * docker has it), and each Swarm restriction (REFERENCE.md) is caught by the
 * tool, with its line, on a file the stack loader refuses too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFile, buildText, errorsOf } from '../helpers/run.js';

const hasStackConfig = /docker stack config/.test(spawnSync('docker', ['stack', 'config', '--help'], { encoding: 'utf8' }).stdout ?? '');
const ENV = { ...process.env, DB_PASSWORD: 'x', CIFS_USER: 'u', CIFS_PASSWORD: 'p' };
const dir = mkdtempSync(join(tmpdir(), 'cp-swarm-'));

function stackConfig(text: string): { ok: boolean; stderr: string } {
  const file = join(dir, `stack-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const r = spawnSync('docker', ['stack', 'config', '-c', file], { encoding: 'utf8', env: ENV });
  return { ok: r.status === 0, stderr: r.stderr };
}

describe('samples built with --target swarm', () => {
  if (!hasStackConfig) console.log('swarm: docker stack config not available here: stack-loader checks skipped');
  for (const sample of readdirSync('samples').filter((f) => f.endsWith('.persist.yaml')).sort()) {
    it(`${sample}: built for Swarm and accepted by the stack loader, or refused with a reason`, () => {
      const r = buildFile(join('samples', sample), { target: 'swarm' });
      if (!r.text) {
        // Refused by the tool: it must say why, in Swarm terms.
        expect(errorsOf(r).map((d) => d.code).some((c) => ['SWARM_UNSUPPORTED', 'SWARM_NEEDS_NODE', 'LEVEL_BELOW_REQUIRED'].includes(c))).toBe(true);
        return;
      }
      expect(r.text).toMatch(/^version: "3\.8"$/m);
      expect(r.text).not.toContain('depends_on');
      expect(r.text).not.toContain('volumes_from');
      if (hasStackConfig) expect(stackConfig(r.text)).toMatchObject({ ok: true });
    });
  }
});

describe('Swarm restrictions are caught before Swarm', () => {
  const block = `x-persistence:\n  services:\n    db: {pattern: volume, node: n1, mounts: [/data]}\n`;
  const cases: [string, string, string, number][] = [
    ['volumes_from in a service', `services:\n  db: {image: p}\n  app:\n    image: a\n    volumes_from: [db]\n${block}`, 'volumes_from', 5],
    ['extends', `services:\n  db: {image: p}\n  app:\n    image: a\n    extends: {service: db}\n${block}`, 'extends', 5],
    ['volume_driver', `services:\n  db: {image: p}\n  app:\n    image: a\n    volume_driver: flocker\n${block}`, 'volume_driver', 5],
    ['long-form depends_on', `services:\n  db: {image: p}\n  app:\n    image: a\n    depends_on:\n      db: {condition: service_started}\n${block}`, 'depends_on', 5],
  ];
  for (const [name, src, key, line] of cases) {
    it(`${name}: an error at its line; the stack loader refuses it too`, () => {
      const r = buildText(src, { target: 'swarm' });
      expect(errorsOf(r)[0]).toMatchObject({ code: 'SWARM_UNSUPPORTED', line });
      expect(errorsOf(r)[0]!.message).toContain(key);
      expect(r.text).toBeUndefined();
      // The same services, as Swarm would get them without the tool's check.
      if (hasStackConfig) expect(stackConfig(`version: "3.8"\n${src.replace(/x-persistence:[\s\S]*$/, '')}`).ok).toBe(false);
    });
  }

  it('data-container is refused with the alternative', () => {
    const r = buildText(`services:\n  w: {image: w}\nx-persistence:\n  services:\n    w: {pattern: data-container, mounts: [/d]}\n`, { target: 'swarm' });
    expect(errorsOf(r)[0]).toMatchObject({ code: 'SWARM_UNSUPPORTED', line: 5 });
    expect(errorsOf(r)[0]!.hint).toContain('shared');
    expect(buildText(`services:\n  w: {image: w}\nx-persistence:\n  services:\n    w: {pattern: data-container, mounts: [/d]}\n`).text).toBeDefined();
  });

  it('bind needs node:, and gets a placement constraint with it', () => {
    const src = (node: string) => `services:\n  w: {image: w}\nx-persistence:\n  services:\n    w: {pattern: bind, ${node} mounts: [{target: /d, source: /srv/d}]}\n`;
    expect(errorsOf(buildText(src(''), { target: 'swarm' }))[0]).toMatchObject({ code: 'SWARM_NEEDS_NODE' });
    const ok = buildText(src('node: n1,'), { target: 'swarm' });
    expect(ok.text).toContain('- node.hostname == n1');
  });

  it('a local volume: a warning and level none unless pinned; pinned it is container', () => {
    const src = (node: string) => `services:\n  w: {image: w}\nx-persistence:\n  services:\n    w: {pattern: volume, ${node} mounts: [/d]}\n`;
    const loose = buildText(src(''), { target: 'swarm' });
    expect(loose.diagnostics.find((d) => d.code === 'SWARM_PER_NODE')?.severity).toBe('warning');
    expect(loose.plan!.services[0]!.level).toBe('none');
    expect(buildText(src('node: n1,'), { target: 'swarm' }).plan!.services[0]!.level).toBe('container');
    expect(buildText(src('')).plan!.services[0]!.level).toBe('container');
  });

  it('require is enforced per target', () => {
    const src = `services:\n  w: {image: w}\nx-persistence:\n  require: container\n  services:\n    w: {pattern: volume, mounts: [/d]}\n`;
    expect(errorsOf(buildText(src))).toEqual([]);
    expect(errorsOf(buildText(src, { target: 'swarm' }))[0]?.code).toBe('LEVEL_BELOW_REQUIRED');
  });

  it('shared and plugin keep level host on Swarm', () => {
    const r = buildFile('samples/swarm.persist.yaml', { target: 'swarm' });
    const levels = Object.fromEntries(r.plan!.services.map((s) => [s.service, s.level]));
    expect(levels).toEqual({ db: 'container', web: 'container', media: 'host', legacy: 'host' });
  });
});
