// bind with owner: an init service chowns the host directory, the app (uid 1000 by its
// own `user:`) writes into it, the data survives an upgrade and is lost with the host.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, describeMarkers, hostLoss, makeWorkDir, MARKER_FILE, mountOf, plan, Project,
  readMarkers, report, sample, upgradeCheck, type MarkerWrite, type PlannedService,
} from './lib.js';
import { destroyProject, expectRecreatedOnNewImage } from './checks.js';

describe.skipIf(!inject('engine'))('bind', () => {
  let p: Project;
  let planned: PlannedService[];
  let written: MarkerWrite[] = [];

  /** host directory bound at `target` of `service`, from the generated file */
  const hostDir = (service: string, target: string): string => {
    const vols: Array<string | Record<string, any>> = p.built.output.services?.[service]?.volumes ?? [];
    const m = vols.map(mountOf).find((v) => v.target === target && v.type === 'bind');
    if (!m?.source) throw new Error(`no bind mount at ${service}:${target} in the output`);
    return path.resolve(p.built.workDir, m.source);
  };

  beforeAll(() => {
    const built = buildPersist(sample('bind'), makeWorkDir('bind'));
    p = new Project(`${inject('runPrefix')}bind`, built);
    planned = plan(built.input).filter((s) => s.pattern === 'bind' && s.targets.length > 0);
  });

  afterAll(() => {
    destroyProject(p);
  });

  it('the service writes as its own uid and an upgrade keeps the data', () => {
    const owned = planned.filter((s) => s.owner);
    expect(owned.length).toBeGreaterThan(0);
    // markers are written as the container's own user (the service's `user:`), not root
    const r = upgradeCheck(p, planned, undefined);
    written = r.written;
    expectRecreatedOnNewImage(r);
    for (const s of owned) {
      const [uid, gid] = s.owner!.split(':').map(Number);
      const id = p.exec(s.service, 'echo $(id -u):$(id -g)');
      expect(id.stdout.trim()).toBe(`${uid}:${gid}`);
      for (const t of s.targets) {
        const st = fs.statSync(path.join(hostDir(s.service, t), MARKER_FILE));
        const ok = st.uid === uid && st.gid === gid;
        report(`bind: service runs as ${id.stdout.trim()} and its file on the host is ${st.uid}:${st.gid} (${s.service}:${t}): ${ok ? 'PASS' : 'FAIL'}`);
        expect(`${st.uid}:${st.gid}`).toBe(`${uid}:${gid}`);
      }
    }
    report(`bind: upgrade keeps data: ${r.kept ? 'PASS' : 'FAIL'} [${describeMarkers(r.markers)}]`);
    expect(r.kept).toBe(true);
  });

  it('a host loss loses the data (level container)', () => {
    expect(written.length).toBeGreaterThan(0);
    // a replacement host has none of this host's directories
    const dirs = [...new Set(planned.flatMap((s) => s.targets.map((t) => hostDir(s.service, t))))];
    hostLoss(p, () => {
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    });
    const m = readMarkers(p, written);
    const lost = m.every((x) => !x.kept);
    report(`bind: host loss loses data (level container, as documented): ${lost ? 'PASS' : 'FAIL'} [${describeMarkers(m)}]`);
    expect(lost).toBe(true);
  });
});
