// shared, nfs and cifs back-ends. No NFS/CIFS server and no kernel support for those
// filesystems here, so a mount cannot succeed. What is proven instead: the engine's
// local driver accepts the generated driver_opts when Compose creates the volume (it
// validates option keys and their combination at create), it stores them unchanged,
// and it rejects a wrong key (so the check can fail).
// The engine is only ever pointed at 127.0.0.1: the samples' file servers (10.0.0.5,
// fileserver.example.internal) are replaced in a copy before the build, and the test
// asserts that no other address reaches the generated options.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  buildPersist, IMAGE_V1, makeWorkDir, mustDocker, Project, report, sample, writeYaml,
} from './lib.js';

const prefix = inject('runPrefix');

/** A copy of the sample whose back-end addresses are the loopback address. */
function loopbackCopy(src: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-e2e-loopback-'));
  const text = fs.readFileSync(src, 'utf8').replace(/^(\s*address:\s*)\S+\s*$/gm, '$1127.0.0.1');
  const copy = path.join(dir, path.basename(src));
  fs.writeFileSync(copy, text);
  return copy;
}

describe.skipIf(!inject('engine')).each([
  ['nfs', 'shared-nfs', 'nfs'],
  ['cifs', 'shared-cifs', 'cifs'],
])('shared (%s)', (kind, sampleName, type) => {
  const projects: Project[] = [];

  afterAll(() => {
    for (const p of projects) {
      p.destroy();
      expect(p.objects()).toEqual({ containers: [], volumes: [], networks: [] });
    }
    if (projects[0]) fs.rmSync(projects[0].built.workDir, { recursive: true, force: true });
  });

  it('the engine accepts the generated driver_opts; the mount is attempted', () => {
    const src = loopbackCopy(sample(sampleName));
    const built = buildPersist(src, makeWorkDir(kind));
    fs.rmSync(path.dirname(src), { recursive: true, force: true });
    const p = new Project(`${prefix}${kind}`, built, { CIFS_USER: 'e2e', CIFS_PASSWORD: 'e2e-secret' });
    projects.push(p);
    p.setImages({ image: IMAGE_V1 });
    const resolved = YAML.parse(p.mustCompose(['config']).replace(/^WARNING.*$/gm, ''));
    const vols = Object.entries<any>(resolved.volumes ?? {}).filter(([, v]) => v?.driver_opts?.type === type);
    expect(vols.length).toBeGreaterThan(0);
    for (const [, v] of vols) {
      const addrs = [...String(v.driver_opts.o ?? '').matchAll(/(?:^|,)addr=([^,]*)/g)].map((m) => m[1]);
      expect(addrs).toEqual(['127.0.0.1']);
    }

    // create (no start): Compose creates the volumes, the local driver validates them
    p.mustCompose(['up', '--no-start']);
    for (const [name, v] of vols) {
      const opts = JSON.parse(mustDocker(['volume', 'inspect', '-f', '{{json .Options}}', `${p.name}_${name}`]));
      const want = Object.fromEntries(Object.entries<any>(v.driver_opts).map(([k, x]) => [k, String(x)]));
      expect(opts).toEqual(want);
      expect(mustDocker(['volume', 'inspect', '-f', '{{.Driver}}', `${p.name}_${name}`])).toBe('local');
    }
    report(`shared-${kind}: engine accepted and stored the generated driver_opts (${vols.map(([n]) => n).join(', ')}): PASS`);

    // the mount: expected to fail here; record what the engine says
    const r = p.compose(['up', '-d'], 120_000);
    const said = (r.stdout + r.stderr).match(/error while mounting volume '[^']*': ([^\n]*)/)?.[1]
      ?? (r.stdout + r.stderr).split('\n').filter((l) => /error/i.test(l)).shift() ?? '';
    if (r.code === 0) {
      report(`shared-${kind}: the ${type.toUpperCase()} mount succeeded on this machine`);
    } else {
      report(`shared-${kind}: a kernel ${type.toUpperCase()} mount is not possible here (engine: "${said.trim().slice(0, 200)}"); proven instead: the engine accepted and stored the generated options at create (line above) and rejects a wrong option key (line below)`);
      expect(r.stdout + r.stderr).toMatch(/error while mounting volume/);
    }
  });

  it('a wrong option key is rejected by the engine (the check can fail)', () => {
    const good = projects[0]!;
    const broken = structuredClone(good.built.output);
    for (const v of Object.values<any>(broken.volumes ?? {})) {
      if (v?.driver_opts?.type === type) v.driver_opts.foo = 'bar';
    }
    const outPath = writeYaml(path.join(good.built.workDir, 'broken.yml'), broken);
    const p = new Project(`${prefix}${kind}bad`, { ...good.built, outPath, output: broken }, good.env);
    projects.push(p);
    p.setImages({ image: IMAGE_V1 });
    const r = p.compose(['up', '--no-start']);
    const rejected = r.code !== 0 && /invalid option: "foo"/.test(r.stdout + r.stderr);
    report(`shared-${kind}: a wrong option key (foo=bar) is rejected by the engine: ${rejected ? 'PASS' : 'FAIL'}`);
    expect(rejected).toBe(true);
  });
});
