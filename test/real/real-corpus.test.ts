/**
 * init then build on real compose files written by other people
 * (../shared/corpus/real): every file whose services run a catalog image.
 * Prints the figures: recognised, built without edits, valid Compose.
 */
import { readFileSync, readdirSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { build, type Diagnostic } from '../../src/index.js';
import { initBlock } from '../../src/init/init.js';
import { matchImage } from '../../src/resolve/catalog.js';
import { composeSpecValidator } from '../helpers/compose-spec.js';

const ROOT = '../shared/corpus/real';
const rows = existsSync(join(ROOT, 'INDEX.tsv'))
  ? readFileSync(join(ROOT, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'))
  : [];
const header = existsSync(join(ROOT, 'INDEX.tsv')) ? readFileSync(join(ROOT, 'INDEX.tsv'), 'utf8').split('\n')[0]!.split('\t') : [];
const col = (name: string) => header.indexOf(name);
const withImages = rows.filter((r) => (r[col('stateful_images')] ?? '').trim() !== '');

const HAS_COMPOSE = spawnSync('docker-compose', ['version'], { encoding: 'utf8' }).status === 0;
const scratch = mkdtempSync(join(tmpdir(), 'cp-real-'));

/** docker-compose config -q as INDEX.tsv ran it: an empty environment, then dummy values for variables. */
function composeConfigOk(text: string): boolean {
  const file = join(scratch, 'docker-compose.yml');
  writeFileSync(file, text);
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LANG: 'C.UTF-8' };
  const run = (env: Record<string, string>) => spawnSync('docker-compose', ['-f', file, 'config', '-q'], { cwd: scratch, env, encoding: 'utf8' }).status === 0;
  if (run(base)) return true;
  const names = [...text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!);
  return run({ ...base, ...Object.fromEntries(names.map((n) => [n, 'dummy'])) });
}

/** A CATALOG_PATH_MOVED error at a service's own volumes: entry (and, given init's diagnostics, one init warned of at the same place). */
function ownOldPath(e: Diagnostic, warned?: readonly Diagnostic[]): boolean {
  const own = e.code === 'CATALOG_PATH_MOVED' && e.path[0] === 'services' && e.path[2] === 'volumes';
  return own && (!warned || warned.some((w) => w.code === e.code && w.severity === 'warning' && JSON.stringify(w.path) === JSON.stringify(e.path)));
}

describe.skipIf(rows.length === 0)('real compose files: init then build', () => {
  it('the run-time Compose schema accepts every real file the pinned specification accepts', async () => {
    const { readdirSync } = await import('node:fs');
    const { checkComposeSpec } = await import('../../src/check/compose-spec.js');
    const validate = composeSpecValidator();
    let accepted = 0;
    const refused: string[] = [];
    for (const dir of ['awesome-compose', 'compose-spec', 'compose-go']) {
      for (const f of readdirSync(join(ROOT, dir)).filter((n) => /\.ya?ml$/.test(n))) {
        let data: unknown;
        try {
          data = parse(readFileSync(join(ROOT, dir, f), 'utf8'), { merge: true, maxAliasCount: 1000, logLevel: 'silent' });
        } catch {
          continue;
        }
        if (!data || typeof data !== 'object' || !validate(data)) continue;
        accepted++;
        const d = checkComposeSpec(data, f);
        if (d.length) refused.push(`${dir}/${f}: ${d[0]!.message}`);
      }
    }
    console.log(`run-time schema: ${accepted} real files valid by the pinned specification, ${refused.length} refused`);
    expect(refused).toEqual([]);
    expect(accepted).toBeGreaterThan(100);
  });

  it('recognises the catalog images, and what init writes builds without edits as valid Compose', () => {
    const validate = composeSpecValidator();
    let recognised = 0;
    let blocks = 0;
    let built = 0;
    let valid = 0;
    let composeOk = 0;
    let composeChecked = 0;
    const failures: string[] = [];
    const refusedOldPath: string[] = [];
    for (const r of withImages) {
      const file = join(ROOT, r[col('file')]!);
      const images = r[col('stateful_images')]!.split(',').map((s) => s.trim()).filter(Boolean);
      if (images.some((i) => matchImage(i))) recognised++;
      const text = readFileSync(file, 'utf8');
      const init = initBlock({ file, text });
      expect(init.diagnostics.filter((d) => d.code === 'INTERNAL')).toEqual([]);
      if (!init.text) continue; // every stateful service already mounts its data
      blocks++;
      const out = build([{ file, text: init.text }]);
      const errors = out.diagnostics.filter((d) => d.severity === 'error');
      // The file's own mount on a path its image version refuses (postgres:alpine = 18 on
      // /var/lib/postgresql/data): a real fault, which init warned of at that mount.
      if (errors.length && errors.every((e) => ownOldPath(e, init.diagnostics))) {
        refusedOldPath.push(r[col('file')]!);
        continue;
      }
      if (errors.length || !out.text) {
        failures.push(`${r[col('file')]}: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
        continue;
      }
      built++;
      if (validate(parse(out.text, { merge: true }))) valid++;
      else failures.push(`${r[col('file')]}: output invalid: ${JSON.stringify(validate.errors?.[0])}`);
      // A file docker-compose 1.29 accepted (INDEX dc_config ok) must stay accepted.
      if (HAS_COMPOSE && r[col('dc_config')] === 'ok') {
        composeChecked++;
        if (composeConfigOk(out.text)) composeOk++;
        else failures.push(`${r[col('file')]}: docker-compose config -q refuses the output`);
      }
    }
    console.log(
      `real corpus: ${withImages.length} files with stateful images; recognised ${recognised}; init wrote a block for ${blocks} (the rest already mount their data); built without edits ${built}/${blocks} (${refusedOldPath.length} refused: their own mount is on a path the image version refuses: ${refusedOldPath.join(', ')}); valid Compose ${valid}/${built}; docker-compose config -q ${HAS_COMPOSE ? `${composeOk}/${composeChecked} (of those 1.29 accepted before)` : 'not installed: skipped'}`,
    );
    if (failures.length) console.log(failures.join('\n'));
    expect(recognised).toBe(withImages.length);
    expect(built + refusedOldPath.length).toBe(blocks);
    expect(valid).toBe(built);
    expect(composeOk).toBe(composeChecked);
    // It runs docker-compose (Python, ~1 s a start) once or twice per file: on the shared 2-core
    // machine under load that alone passes the 20 s default.
  }, 120_000);

  it('a block added to every real file builds valid Compose and leaves everything else as it meant', () => {
    const validate = composeSpecValidator();
    let tried = 0;
    let refusedOldPath = 0;
    const problems: string[] = [];
    for (const dir of ['awesome-compose', 'compose-spec', 'compose-go']) {
      for (const f of readdirSync(join(ROOT, dir)).filter((n) => /\.ya?ml$/.test(n))) {
        const text = readFileSync(join(ROOT, dir, f), 'utf8');
        let input: Record<string, any>;
        try {
          input = parse(text, { merge: true, logLevel: 'silent', maxAliasCount: 1000 });
        } catch {
          continue;
        }
        const first = input && typeof input === 'object' && input.services && typeof input.services === 'object' ? Object.keys(input.services)[0] : undefined;
        if (!first || !validate(input)) continue;
        tried++;
        const withBlock = `${text.replace(/\s*$/, '\n')}x-persistence:\n  services:\n    ${JSON.stringify(first)}: {pattern: volume, mounts: [{target: /cp-probe, name: cp-probe-vol}]}\n`;
        const r = build([{ file: f, text: withBlock }]);
        if (!r.text && r.diagnostics.filter((d) => d.severity === 'error').every((e) => ownOldPath(e))) {
          refusedOldPath++;
          continue;
        }
        if (!r.text) {
          problems.push(`${dir}/${f}: refused: ${r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code).join(', ')}`);
          continue;
        }
        const output = parse(r.text, { merge: true, logLevel: 'silent', maxAliasCount: -1 }) as Record<string, any>;
        if (!validate(output)) problems.push(`${dir}/${f}: output invalid: ${JSON.stringify(validate.errors?.[0])}`);
        // Meaning outside what the block adds: identical.
        const { volumes: inVolumes = {}, ...inRest } = input;
        const { volumes: outVolumes = {}, ...outRest } = output;
        const inFirst = { ...inRest.services[first] };
        const outFirst = { ...outRest.services[first] };
        const added = (outFirst.volumes ?? []).filter((v: unknown) => JSON.stringify(v).includes('cp-probe'));
        outFirst.volumes = (outFirst.volumes ?? []).filter((v: unknown) => !JSON.stringify(v).includes('cp-probe'));
        if (!inFirst.volumes && outFirst.volumes.length === 0) delete outFirst.volumes;
        const strip = (o: Record<string, any>, svc: Record<string, unknown>) => ({ ...o, services: { ...o.services, [first]: svc } });
        try {
          expect(strip(outRest, outFirst)).toEqual(strip(inRest, inFirst));
          expect(added).toEqual([{ type: 'volume', source: 'cp-probe-vol', target: '/cp-probe' }]);
          expect({ ...(outVolumes ?? {}) }).toEqual({ ...(inVolumes ?? {}), 'cp-probe-vol': {} });
        } catch (e) {
          problems.push(`${dir}/${f}: meaning changed: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
    console.log(`real corpus with a block: ${tried} files valid by the specification, ${tried - problems.length - refusedOldPath} built and unchanged in meaning outside the block, ${refusedOldPath} refused for their own mount on a path the image version refuses`);
    expect(problems).toEqual([]);
    expect(tried).toBeGreaterThan(100);
  });
});

