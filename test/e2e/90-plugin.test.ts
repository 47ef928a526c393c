// plugin: a named volume with `driver:` and `driver_opts:`, run against the suite's own
// volume plugin (plugin/volume-plugin.mjs), whose store outlives hosts. The sample
// names its driver `${VOLUME_DRIVER:-local-persist}`: the test sets VOLUME_DRIVER to
// the test plugin's name, so Compose's interpolation of the driver is exercised too. The engine must
// send exactly the generated options, an upgrade keeps the data, and so does a host
// failure (every container and volume of the project removed, the plugin restarted
// with no memory of this host: only the store is left).
//
// Runs last (see vitest.e2e.config.ts): once the plugin is stopped, the engine keeps it
// registered and volume lookups get slow until the daemon restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, hostLoss, IMAGE_V1, makeWorkDir, MARKER_FILE, mustDocker, plan,
  Project, readMarkers, REPO, report, sample, upgradeCheck, type MarkerWrite, type PlannedService,
} from './lib.js';

const sortKeys = (o: Record<string, any>): Record<string, any> =>
  Object.fromEntries(Object.keys(o).sort().map((k) => [k, typeof o[k] === 'object' ? sortKeys(o[k]) : o[k]]));

const DRIVER = 'cp-e2e-plugin';
const PLUGIN = path.join(REPO, 'test/e2e/plugin/volume-plugin.mjs');

interface LogLine {
  op: string;
  body: { Name?: string; Opts?: Record<string, string> };
}

describe.skipIf(!inject('engine'))('plugin', () => {
  let p: Project;
  let planned: PlannedService[];
  let written: MarkerWrite[] = [];
  let driver = '';
  let store = '';
  let logFile = '';
  let plugin: ChildProcess | undefined;
  /** volume name -> generated driver_opts, as strings (what the engine sends) */
  let wanted: Record<string, Record<string, string>> = {};

  const socket = () => `/run/docker/plugins/${driver}.sock`;

  async function startPlugin(): Promise<void> {
    plugin = spawn(process.execPath, [PLUGIN, '--name', driver, '--store', store, '--log', logFile], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    for (let i = 0; i < 100; i++) {
      if (fs.existsSync(socket())) return;
      if (plugin.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`test volume plugin did not start (socket ${socket()})`);
  }

  async function stopPlugin(): Promise<void> {
    const child = plugin;
    plugin = undefined;
    if (!child || child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  }

  const creates = (): LogLine[] =>
    fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.op === '/VolumeDriver.Create' && l.body.Name?.startsWith(`${p.name}_`));

  beforeAll(async () => {
    const built = buildPersist(sample('plugin'), makeWorkDir('plugin'));
    p = new Project(`${inject('runPrefix')}plug`, built, { VOLUME_DRIVER: DRIVER });
    planned = plan(built.input).filter((s) => s.pattern === 'plugin' && s.targets.length > 0);
    driver = DRIVER;
    store = path.join(built.workDir, 'plugin-store');
    logFile = path.join(built.workDir, 'plugin-requests.jsonl');
    fs.writeFileSync(logFile, '');
    // the options as Compose resolves them (interpolation), as strings (as the engine sends them)
    p.setImages({ image: IMAGE_V1 });
    const resolved = YAML.parse(p.mustCompose(['config']).replace(/^WARNING.*$/gm, ''));
    for (const [name, v] of Object.entries<any>(resolved.volumes ?? {})) {
      if (v?.driver === driver) {
        wanted[`${p.name}_${name}`] = Object.fromEntries(
          Object.entries<any>(v.driver_opts ?? {}).map(([k, x]) => [k, String(x)]),
        );
      }
    }
    await startPlugin();
  });

  afterAll(async () => {
    try {
      if (p && !plugin) await startPlugin(); // the engine needs the plugin to remove its volumes
      p?.destroy();
      expect(p ? p.objects() : null).toEqual(p ? { containers: [], volumes: [], networks: [] } : null);
    } finally {
      await stopPlugin();
      if (driver) fs.rmSync(socket(), { force: true });
      if (p) fs.rmSync(p.built.workDir, { recursive: true, force: true });
    }
  });

  it('the engine sends exactly the generated driver and driver_opts; an upgrade keeps the data', () => {
    expect(planned.length).toBeGreaterThan(0);
    expect(Object.keys(wanted).length).toBeGreaterThan(0);
    const r = upgradeCheck(p, planned);
    written = r.written;
    for (const c of Object.values(r.containers)) {
      expect(c.recreated).toBe(true);
      expect(c.onNewImage).toBe(true);
    }
    for (const name of Object.keys(wanted)) {
      expect(mustDocker(['volume', 'inspect', '-f', '{{.Driver}}', name])).toBe(driver);
    }
    const got = Object.fromEntries(creates().map((c) => [c.body.Name!, c.body.Opts ?? {}]));
    const same = JSON.stringify(sortKeys(got)) === JSON.stringify(sortKeys(wanted));
    report(`plugin: engine sent Create with exactly the generated driver_opts (${Object.entries(wanted).map(([n, o]) => `${n} ${JSON.stringify(o)}`).join('; ')}): ${same ? 'PASS' : 'FAIL'}`);
    expect(got).toEqual(wanted);
    report(`plugin: upgrade keeps data: ${r.kept ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(true);
  });

  it('a host failure keeps the data (level host)', async () => {
    expect(written.length).toBeGreaterThan(0);
    const before = creates().length;
    hostLoss(p, undefined, false);
    // a new host: the plugin process starts again with no memory, only the store is left
    await stopPlugin();
    await startPlugin();
    p.up();
    const m = readMarkers(p, written);
    const kept = m.every((x) => x.kept);
    const again = creates().slice(before);
    expect(again.map((c) => c.body.Name).sort()).toEqual(Object.keys(wanted).sort());
    for (const c of again) expect(c.body.Opts ?? {}).toEqual(wanted[c.body.Name!]);
    const inStore = fs.readdirSync(path.join(store, 'volumes'))
      .filter((v) => fs.existsSync(path.join(store, 'volumes', v, MARKER_FILE)));
    report(`plugin: host failure (containers and volumes removed, plugin restarted) keeps data: ${kept ? 'PASS' : 'FAIL'} [${describeMarkers(m)}; volumes created again: ${again.length}; ${inStore.length} marker(s) in the store]`);
    expect(kept).toBe(true);
  });
});
