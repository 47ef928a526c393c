// none: nothing is added, so an upgrade (container recreated) loses the data.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, makeWorkDir, plan, Project, report, sample, upgradeCheck,
  type PlannedService,
} from './lib.js';
import { destroyProject, expectRecreatedOnNewImage } from './checks.js';

describe.skipIf(!inject('engine'))('none', () => {
  let p: Project;
  let planned: PlannedService[];

  beforeAll(() => {
    const built = buildPersist(sample('none'), makeWorkDir('none'));
    p = new Project(`${inject('runPrefix')}none`, built);
    planned = plan(built.input).filter((s) => s.pattern === 'none');
    // a service of pattern none may list no mounts: check a path it would write to
    for (const s of planned) if (s.targets.length === 0) s.targets = ['/data'];
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('an upgrade loses the data (level none)', () => {
    expect(planned.length).toBeGreaterThan(0);
    const r = upgradeCheck(p, planned);
    expectRecreatedOnNewImage(r);
    const ok = r.lost;
    report(`none: upgrade loses data (as documented): ${ok ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.lost).toBe(true);
  });
});
