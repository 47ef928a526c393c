// shared, hostpath back-end: a local volume {type: none, o: bind, device: ROOT/NAME}.
// A directory plays the shared store; a host failure (every container and local
// volume of the project removed, as on a new host) keeps the data.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, hostLoss, IMAGE_V1, makeWorkDir, MARKER_FILE, plan, Project,
  readMarkers, report, sample, upgradeCheck, type MarkerWrite, type PlannedService,
} from './lib.js';
import { destroyProject, expectRecreatedOnNewImage } from './checks.js';

describe.skipIf(!inject('engine'))('shared (hostpath)', () => {
  let p: Project;
  let planned: PlannedService[];
  let written: MarkerWrite[] = [];
  let store = '';
  /** volume name -> device directory, as Compose resolves it with SHARED_ROOT set */
  let devices: Record<string, string> = {};

  beforeAll(() => {
    const built = buildPersist(sample('shared-hostpath'), makeWorkDir('hostpath'));
    store = path.join(built.workDir, 'store');
    fs.mkdirSync(store);
    p = new Project(`${inject('runPrefix')}hp`, built, { SHARED_ROOT: store });
    planned = plan(built.input).filter((s) => s.pattern === 'shared' && s.targets.length > 0);
    p.setImages({ image: IMAGE_V1 });
    const resolved = YAML.parse(p.mustCompose(['config']).replace(/^WARNING.*$/gm, ''));
    for (const [name, v] of Object.entries<any>(resolved.volumes ?? {})) {
      if (v?.driver_opts?.type === 'none') devices[name] = v.driver_opts.device;
    }
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('the engine refuses a missing shared directory (no silent local fallback)', () => {
    const devs = Object.values(devices);
    expect(devs.length).toBeGreaterThan(0);
    for (const d of devs) expect(d.startsWith(store + '/')).toBe(true);
    const r = p.compose(['up', '-d']);
    const refused = r.code !== 0 && /no such file or directory/i.test(r.stdout + r.stderr);
    const why = (r.stdout + r.stderr).match(/failed to mount local volume: .*no such file or directory/i)?.[0] ?? '';
    report(`shared-hostpath: missing store directory refused by the engine: ${refused ? 'PASS' : 'FAIL'} (${why.replace(/, flags.*/, '').slice(0, 200)})`);
    expect(refused).toBe(true);
    p.compose(['down', '-v', '-t', '2']);
    for (const d of devs) expect(fs.existsSync(d)).toBe(false);
  });

  it('an upgrade keeps the data', () => {
    for (const d of Object.values(devices)) fs.mkdirSync(d, { recursive: true });
    const r = upgradeCheck(p, planned);
    written = r.written;
    expectRecreatedOnNewImage(r);
    report(`shared-hostpath: upgrade keeps data: ${r.kept ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(true);
  });

  it('a host failure keeps the data (level host)', () => {
    expect(written.length).toBeGreaterThan(0);
    hostLoss(p);
    const m = readMarkers(p, written);
    const kept = m.every((x) => x.kept);
    // and the data is in the store, not in the engine
    const inStore = Object.values(devices).filter((d) => fs.existsSync(path.join(d, MARKER_FILE)));
    report(`shared-hostpath: host failure (all containers and local volumes removed) keeps data: ${kept ? 'PASS' : 'FAIL'} [${describeMarkers(m)}; ${inStore.length} marker(s) in the store]`);
    expect(kept).toBe(true);
    expect(inStore.length).toBeGreaterThan(0);
  });
});
