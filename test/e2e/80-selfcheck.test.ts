// The suite can fail: the volume sample's output with its mount removed must make the
// upgrade check report the marker LOST (and the same check passes on the real output
// in 20-volume.test.ts).
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, makeWorkDir, mountOf, plan, Project, report, sample, upgradeCheck,
  writeYaml,
} from './lib.js';
import { destroyProject } from './checks.js';

describe.skipIf(!inject('engine'))('self-check', () => {
  let p: Project | undefined;

  afterAll(() => {
    destroyProject(p);
  });

  it('an output without the generated mount is reported as LOST', () => {
    const built = buildPersist(sample('volume'), makeWorkDir('selfcheck'));
    const planned = plan(built.input).filter((s) => s.pattern === 'volume' && s.targets.length > 0);
    expect(planned.length).toBeGreaterThan(0);
    // deliberately broken: drop the persisted mounts and the volumes they name
    const broken = structuredClone(built.output);
    for (const s of planned) {
      const svc = broken.services[s.service];
      svc.volumes = (svc.volumes ?? []).filter((v: any) => !s.targets.includes(mountOf(v).target));
      if (svc.volumes.length === 0) delete svc.volumes;
    }
    delete broken.volumes;
    const outPath = writeYaml(path.join(built.workDir, 'broken.yml'), broken);
    p = new Project(`${inject('runPrefix')}self`, { ...built, outPath, output: broken });
    const r = upgradeCheck(p, planned);
    report(`self-check: upgrade check on an output with the mount dropped reports LOST: ${r.lost ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(false);
    expect(r.lost).toBe(true);
  });
});
