/**
 * --target swarm: every sample the tool builds for Swarm is accepted by the
 * Docker CLI's own stack loader (`docker stack config`, where the installed
 * docker has it), and each Swarm restriction (REFERENCE.md) is caught by the
 * tool, with its line, on a file the stack loader refuses too.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFile, buildText, errorsOf } from '../helpers/run.js';
import { readPatternDir } from '../../src/cli/io.js';

const hasStackConfig = /docker stack config/.test(spawnSync('docker', ['stack', 'config', '--help'], { encoding: 'utf8' }).stdout ?? '');
const ENV = { ...process.env, DB_PASSWORD: 'x', CIFS_USER: 'u', CIFS_PASSWORD: 'p' };
const dir = mkdtempSync(join(tmpdir(), 'cp-swarm-'));

function stackConfig(text: string): { ok: boolean; stderr: string } {
  const file = join(dir, `stack-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, text);
  const r = spawnSync('docker', ['stack', 'config', '-c', file], { encoding: 'utf8', env: ENV });
  return { ok: r.status === 0, stderr: r.stderr };
}

/**
 * docker stack config where the file would be deployed: every variable it names set
 * (to 1: a number, a path, a name; a boolean is given in `values`), and the
 * env files it names present (empty), in a directory of its own.
 */
function stackConfigDeployed(text: string, values: Record<string, string> = {}): { ok: boolean; stderr: string } {
  const home = mkdtempSync(join(dir, 'deploy-'));
  const file = join(home, 'stack.yml');
  writeFileSync(file, text);
  const data = parse(text, { merge: true }) as { services?: Record<string, { env_file?: unknown }> };
  for (const svc of Object.values(data.services ?? {})) {
    for (const f of [svc?.env_file ?? []].flat()) {
      if (typeof f !== 'string' || isAbsolute(f)) continue;
      mkdirSync(dirname(join(home, f)), { recursive: true });
      writeFileSync(join(home, f), '');
    }
  }
  const names = [...text.replace(/\$\$/g, '').matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...Object.fromEntries(names.map((n) => [n, '1'])), ...values };
  const r = spawnSync('docker', ['stack', 'config', '-c', file], { encoding: 'utf8', env, cwd: home });
  return { ok: r.status === 0, stderr: r.stderr.trim() };
}

const CORPUS = '../shared/corpus/real';
const corpusFiles = existsSync(join(CORPUS, 'INDEX.tsv'))
  ? readFileSync(join(CORPUS, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => join(CORPUS, l.split('\t')[0]!))
  : [];

/** A corpus file with a block: a pinned volume, a shared (hostpath) and a plugin volume, by turns. */
function withSwarmBlock(text: string): string | undefined {
  let data: { services?: unknown };
  try {
    data = parse(text, { merge: true, logLevel: 'silent', maxAliasCount: 1000 }) as typeof data;
  } catch {
    return undefined;
  }
  const names = data && typeof data === 'object' && data.services && typeof data.services === 'object' && !Array.isArray(data.services) ? Object.keys(data.services) : [];
  if (!names.length) return undefined;
  const entry = (n: string, i: number) =>
    `    ${JSON.stringify(n)}: ${[`{pattern: volume, node: n1, mounts: [{target: /cp-${i}, name: cp-swarm-${i}}]}`, `{pattern: shared, backend: store, mounts: [{target: /cp-${i}, name: cp-swarm-${i}}]}`, `{pattern: plugin, backend: ebs, mounts: [{target: /cp-${i}, name: cp-swarm-${i}}]}`][i % 3]}`;
  return `${text.replace(/\s*$/, '\n')}x-persistence:\n  backends:\n    store: {type: hostpath, path: /mnt/shared/cp}\n    ebs: {type: plugin, preset: rexray, driver: rexray/ebs, options: {size: 10}}\n  services:\n${names.map(entry).join('\n')}\n`;
}

describe('every Swarm output is a stack file docker accepts', () => {
  const samples = readdirSync('samples').filter((f) => f.endsWith('.persist.yaml')).sort().map((f) => join('samples', f));
  if (!corpusFiles.length) console.log(`swarm: no corpus at ${CORPUS}: only the samples are built`);
  it(`each of ${samples.length} samples and ${corpusFiles.length} corpus files, as they are and with a block: refused with a positioned error, or accepted by docker stack config`, () => {
    const refused: string[] = [];
    const accepted: string[] = [];
    const problems: string[] = [];
    const inputs = [
      ...[...samples, ...corpusFiles].map((path) => ({ path, text: readFileSync(path, 'utf8') })),
      ...corpusFiles.flatMap((path) => {
        const text = withSwarmBlock(readFileSync(path, 'utf8'));
        return text ? [{ path: `${path} (with a block)`, text }] : [];
      }),
    ];
    for (const { path, text } of inputs) {
      const r = buildText(text, { target: 'swarm', loadPatterns: readPatternDir }, path);
      if (r.text === undefined) {
        const errors = errorsOf(r);
        expect(errors.length, path).toBeGreaterThan(0);
        for (const e of errors) if (e.line === undefined || e.col === undefined) problems.push(`${path}: error without a position: ${e.code} ${e.message}`);
        refused.push(path);
        continue;
      }
      expect(r.text, path).toMatch(/^version: "3\.8"$/m);
      if (!hasStackConfig) continue;
      const c = stackConfigDeployed(r.text);
      if (c.ok) accepted.push(path);
      else problems.push(`${path}: built, but docker stack config refuses it: ${c.stderr.split('\n').pop()}`);
    }
    console.log(`swarm: ${inputs.length} inputs (samples, corpus files, corpus files with a block): ${refused.length} refused with a positioned error, ${hasStackConfig ? `${accepted.length} built and accepted by docker stack config` : `${inputs.length - refused.length} built (docker stack config not available here: not run)`}`);
    expect(problems).toEqual([]);
  }, 300_000);

  it('a file without a block is a stack file too: version set, long depends_on left out with a warning at its line', () => {
    const src = 'services:\n  db:\n    image: postgres:16\n  app:\n    image: a\n    depends_on:\n      db:\n        condition: service_healthy\n    ports: ["8080:80"]\n';
    const r = buildText(src, { target: 'swarm' });
    expect(errorsOf(r)).toEqual([]);
    expect(r.diagnostics.find((d) => d.code === 'SWARM_CONVERTED')).toMatchObject({ severity: 'warning', line: 6, col: 5 });
    expect(r.text).toMatch(/^version: "3\.8"$/m);
    expect(parse(r.text!)).toEqual({ version: '3.8', services: { db: { image: 'postgres:16' }, app: { image: 'a', ports: ['8080:80'] } } });
    expect(r.printedBy).toEqual({ path: 'splice' });
    // Printed from yaml's Document, the same file.
    const full = buildText(src, { target: 'swarm', fast: false });
    expect(full.printedBy?.path).toBe('document');
    expect(parse(full.text!)).toEqual(parse(r.text!));
    // And building the output again changes nothing.
    expect(buildText(r.text!, { target: 'swarm' }).text).toBe(r.text);
    if (hasStackConfig) {
      expect(stackConfig(src).ok).toBe(false);
      expect(stackConfig(r.text!)).toMatchObject({ ok: true });
    }
  });

  it('a long depends_on inherited through << is overridden by an empty list (the anchor stays as its other users see it)', () => {
    const src = 'x-dep: &dep\n  depends_on:\n    db: {condition: service_started}\nservices:\n  db:\n    image: p\n  app:\n    <<: *dep\n    image: a\n';
    const r = buildText(src, { target: 'swarm' });
    expect(errorsOf(r)).toEqual([]);
    const out = parse(r.text!, { merge: true }) as { services: Record<string, Record<string, unknown>> };
    expect(out.services.app!.depends_on ?? []).toEqual([]);
    if (hasStackConfig) expect(stackConfig(r.text!)).toMatchObject({ ok: true });
  });

  const refusedKeys: [string, string, number, number][] = [
    ['pids_limit', 'services:\n  app:\n    image: a\n    pids_limit: 100\n', 4, 5],
    ['profiles', 'services:\n  app:\n    image: a\n    profiles: [debug]\n', 4, 5],
    ['a deploy key of a later format', 'services:\n  app:\n    image: a\n    deploy:\n      resources:\n        limits: {pids: 10}\n', 6, 18],
    ['a port that is not a port', 'services:\n  app:\n    image: a\n    ports:\n      - "80:80/xyz"\n', 5, 9],
    ['a duration without a unit', 'services:\n  app:\n    image: a\n    healthcheck:\n      interval: "10"\n', 5, 7],
    ['a variable where docker does not cast', 'services:\n  app:\n    image: a\n    volumes:\n      - {type: tmpfs, target: /t, tmpfs: {size: "${SIZE}"}}\n', 5, 43],
  ];
  for (const [name, text, line, col] of refusedKeys) {
    for (const withBlock of [false, true]) {
      it(`${name}${withBlock ? ' (with a block)' : ''}: an error at the offending key, as docker stack config refuses it`, () => {
        const src = withBlock ? `${text}x-persistence:\n  services:\n    app: {pattern: none, reason: test}\n` : text;
        const r = buildText(src, { target: 'swarm' });
        expect(r.text).toBeUndefined();
        expect(errorsOf(r)).toEqual([expect.objectContaining({ code: 'SWARM_STACK_INVALID', line, col })]);
        if (hasStackConfig) expect(stackConfigDeployed(`version: "3.8"\n${text}`).ok).toBe(false);
        // The Compose target is not concerned.
        expect(errorsOf(buildText(src))).toEqual([]);
      });
    }
  }

  it('a ${VAR} where docker casts it (ports, replicas, read_only) passes, as docker stack config takes it', () => {
    const src = 'services:\n  app:\n    image: a\n    read_only: "${RO}"\n    ports:\n      - {target: 80, published: "${PORT}"}\n    deploy: {replicas: "${N:-2}"}\n';
    const r = buildText(src, { target: 'swarm' });
    expect(errorsOf(r)).toEqual([]);
    if (hasStackConfig) expect(stackConfigDeployed(r.text!, { RO: 'true' })).toMatchObject({ ok: true });
  });
});

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
