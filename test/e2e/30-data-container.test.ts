// data-container: a sidecar owns named volumes; the app borrows them with volumes_from.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, helperServices, hostLoss, IMAGE_V2, makeWorkDir, plan, Project,
  readMarkers, recreateCheck, report, sample, upgradeCheck, type MarkerWrite, type PlannedService,
} from './lib.js';
import { destroyProject, expectRecreatedOnNewImage } from './checks.js';

describe.skipIf(!inject('engine'))('data-container', () => {
  let p: Project;
  let planned: PlannedService[];
  let written: MarkerWrite[] = [];

  beforeAll(() => {
    const built = buildPersist(sample('data-container'), makeWorkDir('datac'));
    p = new Project(`${inject('runPrefix')}dc`, built);
    planned = plan(built.input).filter((s) => s.pattern === 'data-container' && s.targets.length > 0);
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('an upgrade of the app keeps the data', () => {
    expect(planned.length).toBeGreaterThan(0);
    const r = upgradeCheck(p, planned);
    written = r.written;
    expectRecreatedOnNewImage(r);
    report(`data-container: upgrade keeps data: ${r.kept ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(true);
  });

  it('recreating the sidecar with a new image keeps the data', () => {
    const sidecars = helperServices(p);
    for (const s of planned) expect(sidecars).toContain(`${s.service}-data`);
    const r = recreateCheck(p, written, { image: IMAGE_V2, helperImage: IMAGE_V2 }, sidecars);
    expect(Object.keys(r.containers).sort()).toEqual([...sidecars].sort());
    expectRecreatedOnNewImage(r);
    report(`data-container: sidecar recreated on a new image keeps data: ${r.kept ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(true);
  });

  it('a host loss loses the data (level container)', () => {
    hostLoss(p);
    const m = readMarkers(p, written);
    const lost = m.every((x) => !x.kept);
    report(`data-container: host loss loses data (level container, as documented): ${lost ? 'PASS' : 'FAIL'} [${describeMarkers(m)}]`);
    expect(lost).toBe(true);
  });
});
