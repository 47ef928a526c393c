// Every sample's output is accepted by docker-compose 1.29 (`config -q`).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLI, compose, envFor, makeWorkDir, report, run, SAMPLES } from './lib.js';

const samples = fs.existsSync(SAMPLES)
  ? fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.persist.yaml')).sort()
  : [];

describe.skipIf(!inject('engine'))('every sample builds to Compose that docker-compose 1.29 accepts', () => {
  let workDir = '';
  let dir = '';

  beforeAll(() => {
    // the whole samples directory is copied, so relative paths resolve as they would there
    workDir = makeWorkDir('config');
    dir = path.join(workDir, 'samples');
    fs.cpSync(SAMPLES, dir, { recursive: true });
  });

  afterAll(() => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('samples exist', () => {
    expect(samples.length).toBeGreaterThan(0);
  });

  it.each(samples)('%s', (file) => {
    const out = `${file.replace(/\.persist\.yaml$/, '')}.compose.yml`;
    const b = run(process.execPath, [CLI, 'build', '-f', file, '-o', out], { cwd: dir });
    expect(b.code, `build failed: ${b.stderr}`).toBe(0);
    const c = compose(['-f', out, 'config', '-q'], {
      cwd: dir,
      env: { ...envFor(path.join(dir, out)), COMPOSE_PROJECT_NAME: `${inject('runPrefix')}cfg` },
    });
    report(`config: ${file}: docker-compose config -q: ${c.code === 0 ? 'PASS' : `FAIL (${c.stderr.trim().split('\n').pop()})`}`);
    expect(c.code, c.stderr).toBe(0);
  });
});
