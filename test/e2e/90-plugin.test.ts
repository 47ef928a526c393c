// plugin: a named volume with `driver:` and `driver_opts:`, run against the suite's own
// volume plugin (plugin/volume-plugin.mjs), whose store outlives hosts. The sample
// names its driver `${VOLUME_DRIVER:-local-persist}`: the test sets VOLUME_DRIVER to
// the test plugin's name, so Compose's interpolation of the driver is exercised too. The engine must
// send exactly the generated options, an upgrade keeps the data, and so does a host
// failure (every container and volume of the project removed, the plugin restarted
// with no memory of this host: only the store is left).
//
// Runs last, on the suite's private dockerd or a disposable engine (see README and
// vitest.e2e.config.ts): once the plugin is stopped, the engine keeps it
// registered and volume lookups get slow until the daemon restarts.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, hostLoss, IMAGE_V1, makeWorkDir, MARKER_FILE, mustDocker, plan,
  Project, readMarkers, report, sample, TEST_PLUGIN, TestPlugin, upgradeCheck, type MarkerWrite, type PlannedService,
  useChangeableEngine,
} from './lib.js';
import { expectRecreatedOnNewImage } from './checks.js';

const sortKeys = (o: Record<string, any>): Record<string, any> =>
  Object.fromEntries(Object.keys(o).sort().map((k) => [k, typeof o[k] === 'object' ? sortKeys(o[k]) : o[k]]));


interface LogLine {
  op: string;
  body: { Name?: string; Opts?: Record<string, string> };
}

// on the suite's private dockerd, or a disposable engine, or skipped (see README)
const ON_ENGINE = inject('engine') && useChangeableEngine(inject('changeable'), 'plugin');

describe.skipIf(!ON_ENGINE)('plugin', () => {
  let p: Project;
  let planned: PlannedService[];
  let written: MarkerWrite[] = [];
  let logFile = '';
  let plugin: TestPlugin | undefined;
  /** volume name -> generated driver_opts, as strings (what the engine sends) */
  let wanted: Record<string, Record<string, string>> = {};

  const creates = (): LogLine[] =>
    fs.readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine)
      .filter((l) => l.op === '/VolumeDriver.Create' && l.body.Name?.startsWith(`${p.name}_`));

  beforeAll(async () => {
    const built = buildPersist(sample('plugin'), makeWorkDir('plugin'));
    p = new Project(`${inject('runPrefix')}plug`, built, { VOLUME_DRIVER: TEST_PLUGIN });
    planned = plan(built.input).filter((s) => s.pattern === 'plugin' && s.targets.length > 0);
    logFile = path.join(built.workDir, 'plugin-requests.jsonl');
    plugin = new TestPlugin(TEST_PLUGIN, path.join(built.workDir, 'plugin-store'), logFile);
    fs.writeFileSync(logFile, '');
    // the options as Compose resolves them (interpolation), as strings (as the engine sends them)
    p.setImages({ image: IMAGE_V1 });
    const resolved = YAML.parse(p.mustCompose(['config']).replace(/^WARNING.*$/gm, ''));
    for (const [name, v] of Object.entries<any>(resolved.volumes ?? {})) {
      if (v?.driver === TEST_PLUGIN) {
        wanted[`${p.name}_${name}`] = Object.fromEntries(
          Object.entries<any>(v.driver_opts ?? {}).map(([k, x]) => [k, String(x)]),
        );
      }
    }
    await plugin.start();
  });

  afterAll(async () => {
    try {
      if (p && plugin && !plugin.running) await plugin.start(); // the engine needs the plugin to remove its volumes
      p?.destroy();
      expect(p ? p.objects() : null).toEqual(p ? { containers: [], volumes: [], networks: [] } : null);
    } finally {
      await plugin?.remove();
      if (p) fs.rmSync(p.built.workDir, { recursive: true, force: true });
    }
  });

  it('the engine sends exactly the generated driver and driver_opts; an upgrade keeps the data', () => {
    expect(planned.length).toBeGreaterThan(0);
    expect(Object.keys(wanted).length).toBeGreaterThan(0);
    const r = upgradeCheck(p, planned);
    written = r.written;
    expectRecreatedOnNewImage(r);
    for (const name of Object.keys(wanted)) {
      expect(mustDocker(['volume', 'inspect', '-f', '{{.Driver}}', name])).toBe(TEST_PLUGIN);
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
    await plugin!.stop();
    await plugin!.start();
    p.up();
    const m = readMarkers(p, written);
    const kept = m.every((x) => x.kept);
    const again = creates().slice(before);
    expect(again.map((c) => c.body.Name).sort()).toEqual(Object.keys(wanted).sort());
    for (const c of again) expect(c.body.Opts ?? {}).toEqual(wanted[c.body.Name!]);
    const inStore = fs.readdirSync(path.join(plugin!.store, 'volumes'))
      .filter((v) => fs.existsSync(path.join(plugin!.store, 'volumes', v, MARKER_FILE)));
    report(`plugin: host failure (containers and volumes removed, plugin restarted) keeps data: ${kept ? 'PASS' : 'FAIL'} [${describeMarkers(m)}; volumes created again: ${again.length}; ${inStore.length} marker(s) in the store]`);
    expect(kept).toBe(true);
  });
});
