// compose-persist verify on the real engine: every sample passes; a generated file with a
// mount dropped by hand is a mismatch (exit 1); nothing of the throwaway project is left
// after a pass, a failure and a SIGINT; the user's real project of the same file is untouched.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLI, COMPOSE, compose, docker, IMAGE_V1, makeWorkDir, report, run, SAMPLES, STAY_UP } from './lib.js';

const samples = fs.existsSync(SAMPLES) ? fs.readdirSync(SAMPLES).filter((f) => f.endsWith('.persist.yaml')).sort() : [];

interface Report {
  ok: boolean;
  project: string;
  dir?: string;
  rows: { service: string; target: string; observed: Record<string, string>; claims: Record<string, string>; match: boolean }[];
  diagnostics: { code: string; message: string; step?: string; paths?: string[] }[];
  run?: { findings: { service: string; paths: string[]; suggest?: string }[] };
  cleanup: { done: boolean };
}

/** What is left of a throwaway project on the engine (containers, volumes, networks) and on the host. */
function remains(project: string, dir?: string): string[] {
  const out: string[] = [];
  for (const [kind, args] of [
    ['container', ['ps', '-a', '--format', '{{.Names}}', '--filter', `label=com.docker.compose.project=${project}`]],
    ['container', ['ps', '-a', '--format', '{{.Names}}', '--filter', `label=dev.compose-persist.verify=${project}`]],
    ['container', ['ps', '-a', '--format', '{{.Names}}', '--filter', `name=${project}`]],
    ['volume', ['volume', 'ls', '-q', '--filter', `name=${project}`]],
    ['network', ['network', 'ls', '--format', '{{.Name}}', '--filter', `name=${project}`]],
  ] as const) {
    const r = docker([...args]);
    out.push(...r.stdout.split('\n').map((l) => l.trim()).filter(Boolean).map((n) => `${kind} ${n}`));
  }
  if (dir && fs.existsSync(dir)) out.push(`directory ${dir}`);
  return [...new Set(out)];
}

/** An override source giving every user service of a sample the test image (the images the samples name are not on this engine). */
function override(input: string, dir: string, extra: Record<string, unknown> = {}): string {
  const doc = YAML.parse(fs.readFileSync(input, 'utf8'), { merge: true }) ?? {};
  const services = Object.fromEntries(Object.keys(doc.services ?? {}).map((s) => [s, { image: IMAGE_V1, ...extra }]));
  const file = path.join(dir, `override-${path.basename(input)}`);
  fs.writeFileSync(file, YAML.stringify({ services }));
  return file;
}

const verifyCli = (args: string[], cwd: string, env: Record<string, string> = {}) => run(process.execPath, [CLI, 'verify', '--compose', COMPOSE.join(' '), '--format', 'json', ...args], { cwd, env, timeoutMs: 240_000 });
const parse = (stdout: string): Report => JSON.parse(stdout) as Report;

describe.skipIf(!inject('engine'))('verify', () => {
  let dir = '';
  beforeAll(() => {
    dir = path.join(makeWorkDir('verify'), 'samples');
    fs.cpSync(SAMPLES, dir, { recursive: true });
  });
  afterAll(() => {
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it.each(samples)('passes on %s and leaves nothing behind', (file) => {
    const ov = override(path.join(dir, file), dir);
    const r = verifyCli(['-f', file, '-f', path.basename(ov)], dir);
    const rep = parse(r.stdout);
    const left = remains(rep.project, rep.dir);
    const exercised = rep.rows.filter((x) => Object.values(x.observed).some((o) => o === 'kept' || o === 'lost')).length;
    report(`verify: ${file}: exit ${r.code}, ${rep.rows.length} mount(s), ${exercised} exercised, nothing left: ${r.code === 0 && !left.length ? 'PASS' : `FAIL (${rep.diagnostics.map((d) => d.message).join('; ')} ${left.join(', ')})`}`);
    expect(r.code, r.stderr).toBe(0);
    expect(rep.ok).toBe(true);
    expect(left).toEqual([]);
    // every row matches what explain claims, and the stateful samples are exercised
    expect(rep.rows.every((x) => x.match)).toBe(true);
    if (/^(volume|bind|data-container|none|stack)\./.test(file)) expect(exercised).toBeGreaterThan(0);
  });

  it('shared storage with --include-shared: the canary survives the host loss on the share, and is removed from it', () => {
    const store = fs.mkdtempSync(path.join(path.dirname(dir), 'store-'));
    fs.mkdirSync(path.join(store, 'media-media'));
    const ov = override(path.join(dir, 'shared-hostpath.persist.yaml'), dir);
    const r = verifyCli(['-f', 'shared-hostpath.persist.yaml', '-f', path.basename(ov), '--include-shared'], dir, { SHARED_ROOT: store });
    const rep = parse(r.stdout);
    const row = rep.rows.find((x) => x.target === '/var/lib/media')!;
    report(`verify: shared hostpath --include-shared: host loss ${row?.observed.hostLoss}: ${r.code === 0 && row?.observed.hostLoss === 'kept' ? 'PASS' : 'FAIL'}`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(row.observed).toEqual({ upgrade: 'kept', downUp: 'kept', hostLoss: 'kept' });
    expect(fs.readdirSync(path.join(store, 'media-media'))).toEqual([]);
    expect(remains(rep.project, rep.dir)).toEqual([]);
  });

  it('a generated file with one mount dropped by hand: VERIFY_MISMATCH naming the claim, the step and what was seen; exit 1; nothing left', () => {
    const b = run(process.execPath, [CLI, 'build', '-f', 'stack.persist.yaml', '-f', path.basename(override(path.join(dir, 'stack.persist.yaml'), dir)), '-o', 'stack.compose.yml'], { cwd: dir });
    expect(b.code, b.stderr).toBe(0);
    const text = fs.readFileSync(path.join(dir, 'stack.compose.yml'), 'utf8');
    const doc = YAML.parse(text, { merge: true });
    doc.services.cache.volumes = (doc.services.cache.volumes ?? []).filter((v: { target?: string }) => v.target !== '/data');
    // the header stays: it names the source whose claims the file is checked against
    const header = text.split('\n').filter((l) => l.startsWith('#')).slice(0, 2).join('\n');
    fs.writeFileSync(path.join(dir, 'edited.yml'), `${header}\n${YAML.stringify(doc)}`);
    const r = verifyCli(['-f', 'edited.yml'], dir);
    const rep = parse(r.stdout);
    const mismatch = rep.diagnostics.filter((d) => d.code === 'VERIFY_MISMATCH');
    report(`verify: mount dropped by hand: exit ${r.code}, ${mismatch.map((d) => d.step).join(', ')}: ${r.code === 1 && mismatch.length ? 'PASS' : 'FAIL'}`);
    expect(r.code).toBe(1);
    expect(mismatch.map((d) => d.step)).toEqual(['upgrade', 'down/up']);
    expect(mismatch[0]!.message).toMatch(/^cache \/data: explain claims pattern volume \(level container\) keeps the data on upgrade, but the canary was lost/);
    expect(rep.rows.filter((x) => !x.match).map((x) => x.service)).toEqual(['cache']);
    expect(remains(rep.project, rep.dir)).toEqual([]);
    // the same in text: the table row and the error line
    const t = run(process.execPath, [CLI, 'verify', '--compose', COMPOSE.join(' '), '-f', 'edited.yml'], { cwd: dir, timeoutMs: 240_000 });
    expect(t.code).toBe(1);
    expect(t.stdout).toMatch(/cache +\/data +volume +container +LOST \(claims kept\) +LOST \(claims kept\) +lost +MISMATCH/);
    expect(t.stderr).toMatch(/error VERIFY_MISMATCH cache \/data: explain claims/);
  });

  it('a failing step (an image that does not exist): VERIFY_FAILED, exit 1, nothing left', () => {
    const ov = path.join(dir, 'override-missing.yaml');
    fs.writeFileSync(ov, YAML.stringify({ services: { db: { image: 'cp-test:does-not-exist', pull_policy: 'never' } } }));
    const r = verifyCli(['-f', 'volume.persist.yaml', '-f', 'override-missing.yaml'], dir);
    const rep = parse(r.stdout);
    report(`verify: failing step: exit ${r.code}, ${rep.diagnostics[0]?.code}: ${r.code === 1 && rep.diagnostics[0]?.code === 'VERIFY_FAILED' ? 'PASS' : 'FAIL'}`);
    expect(r.code).toBe(1);
    expect(rep.diagnostics[0]?.code).toBe('VERIFY_FAILED');
    expect(remains(rep.project, rep.dir)).toEqual([]);
  });

  it('SIGINT in the middle: the run stops, cleans up, and nothing of the throwaway project is left', async () => {
    const ov = override(path.join(dir, 'stack.persist.yaml'), dir);
    const child = spawn(process.execPath, [CLI, 'verify', '--compose', COMPOSE.join(' '), '-f', 'stack.persist.yaml', '-f', path.basename(ov)], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    const code = await new Promise<number>((resolve) => {
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        // after the canaries are written, in the middle of the upgrade
        if (!sent && /^create: /m.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('close', (c) => resolve(c ?? 128));
    });
    const m = /throwaway project (cpverify-[0-9a-f]{8}), directory (\S+)/.exec(stderr);
    expect(m, stderr).not.toBeNull();
    const left = remains(m![1]!, m![2]);
    report(`verify: SIGINT mid-run: exit ${code}, nothing left: ${sent && code === 1 && !left.length ? 'PASS' : `FAIL (${left.join(', ')})`}`);
    expect(sent).toBe(true);
    expect(code).toBe(1);
    expect(stderr).toMatch(/interrupted/);
    expect(left).toEqual([]);
  });

  it('the user\'s real project of the same file, brought up before, is untouched', () => {
    const project = `${inject('runPrefix')}vreal`;
    const b = run(process.execPath, [CLI, 'build', '-f', 'volume.persist.yaml', '-o', 'volume.compose.yml'], { cwd: dir });
    expect(b.code, b.stderr).toBe(0);
    const ovr = path.join(dir, 'real-override.yml');
    fs.writeFileSync(ovr, YAML.stringify({ services: { db: { image: IMAGE_V1, command: STAY_UP, environment: { POSTGRES_PASSWORD: 'x' } } } }));
    const files = ['-f', 'volume.compose.yml', '-f', 'real-override.yml'];
    const up = compose(['-p', project, ...files, 'up', '-d'], { cwd: dir, env: { DB_PASSWORD: 'x' } });
    expect(up.code, up.stderr).toBe(0);
    try {
      const id = docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim();
      expect(docker(['exec', id, 'sh', '-c', 'echo real-canary > /var/lib/postgresql/data/real']).code).toBe(0);
      const volumesBefore = docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout;
      const r = verifyCli(['-f', 'volume.persist.yaml', '-f', path.basename(override(path.join(dir, 'volume.persist.yaml'), dir))], dir, { COMPOSE_PROJECT_NAME: project });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const idAfter = docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]).stdout.trim();
      const canary = docker(['exec', id, 'cat', '/var/lib/postgresql/data/real']).stdout.trim();
      const volumesAfter = docker(['volume', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]).stdout;
      const listing = docker(['exec', id, 'ls', '-A', '/var/lib/postgresql/data']).stdout.trim();
      const ok = idAfter === id && canary === 'real-canary' && volumesAfter === volumesBefore && listing === 'real';
      report(`verify: the real project is untouched (same container, volume, canary, nothing added): ${ok ? 'PASS' : 'FAIL'}`);
      expect(idAfter).toBe(id);
      expect(canary).toBe('real-canary');
      expect(volumesAfter).toBe(volumesBefore);
      expect(listing).toBe('real');
    } finally {
      compose(['-p', project, ...files, 'down', '-v', '-t', '1'], { cwd: dir, env: { DB_PASSWORD: 'x' } });
    }
  });
});

describe.skipIf(!inject('engine'))('verify --run', () => {
  // An image whose process writes under /var/lib/app/18 (as postgres 18 writes under
  // /var/lib/postgresql/18), plus /tmp and a pid file (ignored), then stays up.
  const image = `${inject('runPrefix')}writer:v1`;
  let dir = '';
  beforeAll(() => {
    dir = makeWorkDir('verify-run');
    const c = docker(['create', 'busybox:latest']).stdout.trim();
    const script = 'mkdir -p /var/lib/app/18/main /data && echo s > /var/lib/app/18/main/state && echo ok > /data/ok && echo 1 > /tmp/t && echo 1 > /var/run/app.pid && trap "exit 0" TERM; while :; do sleep 1; done';
    const r = run('sh', ['-c', `docker export ${c} | docker import --change 'CMD ["sh","-c",${JSON.stringify(script).replace(/'/g, "'\\''")}]' - ${image}`]);
    docker(['rm', c]);
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(() => {
    docker(['rmi', image]);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const source = (mounts: string) => `services:\n  app:\n    image: ${image}\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: ${mounts}}\n`;

  it('flags the path the process wrote outside every mount, with the mount that would keep it', () => {
    fs.writeFileSync(path.join(dir, 'app.persist.yaml'), source('[/var/lib/app/data, {target: /data, name: app-ok}]'));
    const r = verifyCli(['-f', 'app.persist.yaml', '--run', '3'], dir);
    const rep = parse(r.stdout);
    const d = rep.diagnostics.find((x) => x.code === 'STATE_OUTSIDE_MOUNTS');
    report(`verify --run: writes outside mounts flagged: ${r.code === 1 && d?.paths?.includes('/var/lib/app/18/main/state') ? 'PASS' : `FAIL (${r.stdout} ${r.stderr})`}`);
    expect(r.code).toBe(1);
    expect(d?.paths).toEqual(['/var/lib/app/18/main/state']);
    expect(d?.message).toMatch(/a mount at \/var\/lib\/app would keep it/);
    expect(rep.run?.findings[0]?.suggest).toBe('/var/lib/app');
    // the canary steps ran too, and matched
    expect(rep.rows.every((x) => x.match && x.observed.upgrade === 'kept')).toBe(true);
    expect(remains(rep.project, rep.dir)).toEqual([]);
  });

  it('passes when the mount covers what the process writes (/tmp and the pid file are not state)', () => {
    fs.writeFileSync(path.join(dir, 'app2.persist.yaml'), source('[/var/lib/app, {target: /data, name: app-ok}]'));
    const r = verifyCli(['-f', 'app2.persist.yaml', '--run', '3'], dir);
    const rep = parse(r.stdout);
    report(`verify --run: mounted state passes: ${r.code === 0 ? 'PASS' : `FAIL (${rep.diagnostics.map((x) => x.message).join('; ')})`}`);
    expect(r.code, r.stdout).toBe(0);
    expect(rep.run?.findings).toEqual([]);
    expect(remains(rep.project, rep.dir)).toEqual([]);
  });
});
