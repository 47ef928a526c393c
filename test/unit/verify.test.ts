import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildText } from '../helpers/run.js';
import { simEngine, type SimOptions } from '../helpers/sim-engine.js';
import { claimsOf, suggestMount, tarOne, verify, verifyTable, type VerifyOptions } from '../../src/ops/verify.js';
import { rewriteForVerify } from '../../src/ops/verify-compose.js';
import { fakeEngine } from '../helpers/fake-engine.js';

const STACK = `services:
  db: {image: "postgres:16", container_name: realdb, ports: ["5432:5432"], environment: {P: "\${DB_PASSWORD:?set}"}}
  cache: {image: "redis:7"}
  web: {image: "nginx:1", volumes: ["./conf/nginx.conf:/etc/nginx/nginx.conf:ro", "/var/run/docker.sock:/var/run/docker.sock"], depends_on: [db]}
  wiki: {image: "wiki:1"}
  tmp: {image: "memcached:1"}
  files: {image: "files:1"}
x-persistence:
  default: volume
  backends:
    nas: {type: nfs, address: 10.0.0.5, export: /exports/app}
  services:
    db: {mounts: [/var/lib/postgresql/data]}
    cache: {mounts: [{target: /data, keep: true}]}
    web: {pattern: bind, mounts: [{target: /usr/share/nginx/html, source: ./site, read_only: true}]}
    wiki: {pattern: data-container, image: "busybox:latest", mounts: [/var/www/data]}
    tmp: {pattern: none}
    files: {pattern: shared, backend: nas, mounts: [/srv/files]}
`;

function setup(src = STACK, edit?: (out: Record<string, any>) => void) {
  const r = buildText(src);
  if (!r.text || !r.plan) throw new Error(JSON.stringify(r.diagnostics));
  const output = parse(r.text, { merge: true }) as Record<string, any>;
  edit?.(output);
  return { plan: r.plan, output };
}

async function run(sim: ReturnType<typeof simEngine>, extra: Partial<VerifyOptions> = {}, src?: string, edit?: (out: Record<string, any>) => void) {
  const { plan, output } = setup(src, edit);
  sim.host.files.set('/project/conf/nginx.conf', 'events {}');
  return verify({ engine: sim.engine, host: sim.host, plan, output, file: '/project/compose.persist.yaml', baseDir: '/project', ...extra });
}

const rowsOf = (r: Awaited<ReturnType<typeof verify>>) => Object.fromEntries(r.rows.map((x) => [`${x.service} ${x.target}`, [x.observed.upgrade, x.observed.downUp, x.observed.hostLoss, x.match]]));

describe('verify: steps and verdicts (simulated engine)', () => {
  it('every pattern behaves as claimed: exit ok, one table row per mount, nothing left', async () => {
    const sim = simEngine();
    const r = await run(sim);
    expect(r.diagnostics).toEqual([]);
    expect(r.ok).toBe(true);
    expect(rowsOf(r)).toEqual({
      'db /var/lib/postgresql/data': ['kept', 'kept', 'lost', true],
      'cache /data': ['kept', 'kept', 'lost', true],
      'web /usr/share/nginx/html': ['kept', 'kept', 'lost', true],
      'wiki /var/www/data': ['kept', 'kept', 'lost', true],
      // none: its canary is in the container's layer, lost on the upgrade as claimed
      'tmp /': ['lost', 'lost', 'lost', true],
      'files /srv/files': ['not exercised', 'not exercised', 'not exercised', true],
    });
    expect(r.project).toMatch(/^cpverify-[0-9a-f]{8}$/);
    expect(sim.containers).toEqual([]);
    expect([...sim.volumes.keys()]).toEqual([]);
    expect(sim.host.dirs.size + sim.host.files.size).toBe(1); // only the real nginx.conf of the test
    expect(r.cleanup).toEqual({ done: true, kept: false, left: [], commands: [] });
    const table = verifyTable(r);
    expect(table.split('\n')[0]).toMatch(/^SERVICE +MOUNT +PATTERN +CLAIMED +UPGRADE +DOWN\/UP +HOST LOSS +VERDICT$/);
    expect(table).toMatch(/files +\/srv\/files +shared +host +- +- +- +not exercised/);
  });

  it('runs Compose five times: create, recreate, down, create, down -v (one helper per group of services for each read)', async () => {
    const sim = simEngine();
    await run(sim);
    expect(sim.calls.filter((c) => c.startsWith('compose'))).toEqual(['compose up --no-start', 'compose up --no-start --force-recreate', 'compose down', 'compose up --no-start', 'compose down -v']);
    const helpers = sim.calls.filter((c) => c.startsWith('docker run'));
    // one write (the read-only bind through its source in the same helper) + the upgrade and down/up reads
    expect(helpers.length).toBe(3);
    expect(sim.calls.some((c) => c.includes('down -v') && c.startsWith('compose') && sim.calls.indexOf(c) < sim.calls.indexOf('compose down'))).toBe(false);
  });

  it('the user\'s real names are never used: project prefix, no container_name, ports, fixed names; binds under the temp dir', () => {
    const { plan, output } = setup();
    const rw = rewriteForVerify({ plan, output, project: 'cpverify-12345678', tempDir: '/tmp/t', baseDir: '/project', probe: (p) => (p.endsWith('.sock') ? 'socket' : p.endsWith('.conf') ? 'file' : 'missing') });
    const text = JSON.stringify(rw.compose);
    expect(text).not.toMatch(/realdb|5432|DB_PASSWORD/);
    expect(rw.compose.services).not.toHaveProperty('files');
    const web = (rw.compose.services as any).web;
    expect(web.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(web.volumes.some((v: unknown) => typeof v === 'string' && v.startsWith('/tmp/t/binds/') && v.endsWith(':/etc/nginx/nginx.conf:ro'))).toBe(true);
    expect(web.network_mode).toBe('none');
    expect(rw.binds.find((b) => b.real === '/project/conf/nginx.conf')?.make).toBe('copy');
    expect(rw.binds.find((b) => b.real === '/project/site')?.make).toBe('dir');
    // the kept (external) volume is replaced by one of the run's own
    expect((rw.compose.volumes as any)['cache-data']).toEqual({ external: true, name: 'cpverify-12345678_cache-data' });
    expect(rw.volumesToCreate).toEqual([{ name: 'cpverify-12345678_cache-data', driver: 'local', options: {} }]);
    expect(rw.mounts.find((m) => m.service === 'files')?.notExercised).toMatch(/--include-shared/);
  });

  it('a mount dropped from the generated file by hand: its data is in the layer, lost on upgrade: VERIFY_MISMATCH naming claim, step and observation', async () => {
    const sim = simEngine();
    const r = await run(sim, {}, undefined, (out) => {
      out.services.db.volumes = [];
    });
    expect(r.ok).toBe(false);
    expect(rowsOf(r)['db /var/lib/postgresql/data']).toEqual(['lost', 'lost', 'lost', false]);
    const d = r.diagnostics.filter((x) => x.code === 'VERIFY_MISMATCH');
    expect(d.map((x) => x.step)).toEqual(['upgrade', 'down/up']);
    expect(d[0]!.message).toMatch(/^db \/var\/lib\/postgresql\/data: explain claims pattern volume \(level container\) keeps the data on upgrade, but the canary was lost \(nothing is mounted at \/var\/lib\/postgresql\/data/);
    expect(verifyTable(r)).toMatch(/db +\/var\/lib\/postgresql\/data +volume +container +LOST \(claims kept\) +LOST \(claims kept\) +lost +MISMATCH/);
    expect(sim.containers).toEqual([]);
  });

  it('none must lose its data: an engine whose recreate keeps the container is a mismatch (and a failed recreate)', async () => {
    const sim = simEngine({ noRecreate: true });
    const r = await run(sim);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]).toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/was not recreated/) });
    expect(sim.containers).toEqual([]);
  });

  it('a host level claimed for local storage is caught on host loss', async () => {
    // a claim the engine does not bear out (as a user pattern declaring level host over a local volume would make)
    const src = `services:\n  app: {image: "app:1"}\nx-persistence:\n  services:\n    app: {pattern: volume, mounts: [/data]}\n`;
    const { plan, output } = setup(src);
    plan.services[0]!.level = 'host';
    const sim = simEngine();
    const r = await verify({ engine: sim.engine, host: sim.host, plan, output, file: '/p/c.yaml', baseDir: '/p' });
    expect(rowsOf(r)['app /data']).toEqual(['kept', 'kept', 'lost', false]);
    expect(r.diagnostics.map((d) => [d.code, d.step])).toEqual([['VERIFY_MISMATCH', 'host loss']]);
    expect(r.diagnostics[0]!.message).toBe('app /data: explain claims pattern volume (level host) keeps the data on host loss, but the canary was lost');
  });

  it('down -v that leaves volumes: the run removes them itself (what a new host has), then nothing is left', async () => {
    const sim = simEngine({ downVKeepsVolumes: true });
    const r = await run(sim);
    expect(r.ok).toBe(true);
    expect([...sim.volumes.keys()]).toEqual([]);
  });

  it('a failing step: VERIFY_FAILED with Compose\'s message, the steps not reached are "not run", and everything is cleaned up', async () => {
    const sim = simEngine({ failCompose: 'down' });
    const r = await run(sim);
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([{ code: 'VERIFY_FAILED', message: 'down: docker-compose down failed: down failed on purpose' }]);
    expect(r.rows[0]!.observed).toEqual({ upgrade: 'kept', downUp: 'not run', hostLoss: 'not run' });
    expect(sim.containers).toEqual([]);
    expect([...sim.volumes.keys()]).toEqual([]);
    expect(r.cleanup.done).toBe(true);
  });

  it('interrupted in the middle: no verdict, everything removed; a second signal stops the clean-up and says what is left', async () => {
    const first = new AbortController();
    const second = new AbortController();
    let sim = simEngine({ onCall: (k, a) => k === 'compose' && a[0] === 'down' && first.abort() });
    let r = await run(sim, { signal: first.signal });
    expect(r.interrupted).toBe(true);
    expect(r.ok).toBe(false);
    expect(sim.containers).toEqual([]);
    expect([...sim.volumes.keys()]).toEqual([]);
    expect(r.cleanup.done).toBe(true);

    const a1 = new AbortController();
    sim = simEngine({ onCall: (k, a) => {
      if (k === 'compose' && a[0] === 'down') a1.abort();
      if (a1.signal.aborted && k === 'docker' && a[0] === 'ps') second.abort();
    } });
    r = await run(sim, { signal: a1.signal, cleanupSignal: second.signal });
    expect(r.cleanup.done).toBe(false);
    expect(r.cleanup.left.join(' ')).toMatch(new RegExp(`project ${r.project}`));
    expect(r.cleanup.commands.some((c) => c.includes(`label=com.docker.compose.project=${r.project}`))).toBe(true);
  });

  it('--keep leaves the project and prints the commands that remove it', async () => {
    const sim = simEngine({ failCompose: 'down' });
    const r = await run(sim, { keep: true });
    expect(sim.containers.length).toBeGreaterThan(0);
    expect(r.cleanup.kept).toBe(true);
    expect(r.cleanup.commands.join('\n')).toMatch(/xargs -r docker rm -f[\s\S]*rm -rf \/tmp\/cpverify-/);
  });

  it('--services checks only those (and what they need: the data-container sidecar)', async () => {
    const sim = simEngine();
    const r = await run(sim, { services: ['wiki'] });
    expect(r.rows.map((x) => x.service)).toEqual(['wiki']);
    expect(r.ok).toBe(true);
  });

  it('no engine: ENGINE_UNAVAILABLE and no call made', async () => {
    const engine = fakeEngine(() => undefined, { error: 'no Docker engine reachable: Cannot connect to the Docker daemon' });
    const { plan, output } = setup();
    const sim = simEngine();
    const r = await verify({ engine, host: sim.host, plan, output, file: 'x', baseDir: '/p' });
    expect(r.diagnostics).toEqual([{ code: 'ENGINE_UNAVAILABLE', message: 'no Docker engine reachable: Cannot connect to the Docker daemon' }]);
    expect(engine.calls).toEqual([]);
  });

  it('claims follow explain: none loses on upgrade, container keeps until host loss, host keeps', () => {
    expect(claimsOf({ level: 'none', pattern: 'none' })).toEqual({ upgrade: 'lost', downUp: 'lost', hostLoss: 'lost' });
    expect(claimsOf({ level: 'container', pattern: 'volume' })).toEqual({ upgrade: 'kept', downUp: 'kept', hostLoss: 'lost' });
    expect(claimsOf({ level: 'host', pattern: 'shared' })).toEqual({ upgrade: 'kept', downUp: 'kept', hostLoss: 'kept' });
    // on Swarm an unpinned volume is none for rescheduling; on one host it keeps
    expect(claimsOf({ level: 'none', pattern: 'volume' }, 'swarm')).toEqual({ upgrade: 'kept', downUp: 'kept', hostLoss: 'lost' });
  });

  it('--run: the services start first (up -d), docker diff outside every mount is STATE_OUTSIDE_MOUNTS naming the paths and the mount that would keep them; /tmp, /run, pid and socket files are ignored; none may write anywhere', async () => {
    const diff = ['C /var', 'C /var/lib', 'C /var/lib/postgresql', 'A /var/lib/postgresql/18', 'A /var/lib/postgresql/18/main', 'A /var/lib/postgresql/18/main/PG_VERSION', 'A /tmp/x', 'A /run/db.pid', 'A /var/run/x.sock', 'A /var/lib/postgresql/data/inside'].join('\n');
    // a parent of a mount point (the engine makes it for the mount) is no finding
    const sim = simEngine({ diff: { db: diff, tmp: 'A /cache/blob', wiki: 'C /var\nA /var/www' } });
    const r = await run(sim, { run: 5, sleep: async () => undefined });
    expect(sim.calls.filter((c) => c.startsWith('compose'))[0]).toBe('compose up -d');
    expect(sim.calls.some((c) => c.startsWith('docker kill'))).toBe(true);
    const d = r.diagnostics.filter((x) => x.code === 'STATE_OUTSIDE_MOUNTS');
    expect(d).toHaveLength(1);
    expect(d[0]!.paths).toEqual(['/var/lib/postgresql/18/main/PG_VERSION']);
    expect(d[0]!.message).toMatch(/^db: its process wrote outside every mount.*\/var\/lib\/postgresql\/18\/main\/PG_VERSION; a mount at \/var\/lib\/postgresql would keep it/);
    expect(r.run?.findings.map((f) => f.service)).toEqual(['db', 'tmp']);
    expect(r.ok).toBe(false);
    // the canary steps still ran, after the run
    expect(rowsOf(r)['db /var/lib/postgresql/data']).toEqual(['kept', 'kept', 'lost', true]);
    expect(sim.containers).toEqual([]);
  });

  it('tarOne writes a ustar header the engine reads (long paths split into prefix)', () => {
    const t = tarOne('/var/lib/x/.c', 'abc');
    expect(t.length).toBe(512 * 2 + 1024);
    expect(t.subarray(0, 12).toString()).toBe('var/lib/x/.c');
    expect(t.subarray(257, 262).toString()).toBe('ustar');
    const long = '/' + 'd'.repeat(80) + '/' + 'e'.repeat(60) + '/f';
    const tl = tarOne(long, 'x');
    expect(tl.subarray(345, 345 + 80).toString()).toBe('d'.repeat(80));
  });

  it('suggests the mount that would keep what was written outside', () => {
    expect(suggestMount(['/var/lib/postgresql/18/main/PG_VERSION'], new Set(['/var/lib/postgresql/18', '/var/lib/postgresql/18/main']), ['/var/lib/postgresql/data'])).toBe('/var/lib/postgresql');
    expect(suggestMount(['/srv/state/a', '/srv/state/b'], new Set(['/srv/state']), [])).toBe('/srv/state');
  });
});
