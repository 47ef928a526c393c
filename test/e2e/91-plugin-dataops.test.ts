// backup -> destroy -> restore for the plugin pattern (issue 16 point 6), on the suite's
// test volume plugin (plugin/volume-plugin.mjs): every entry read back with its type,
// mode, owner, size, link count, link target and sha256, the volume created again with
// the plugin's driver and the generated driver_opts.
//
// "Destroyed" here is what a plugin user loses: `down -v` releases the volume from the
// host, and the back end's copy of it is deleted too (the store's directory of the
// volume; the test plugin keeps a released volume's data, as a real shared back end does).
//
// Runs after 90-plugin, on the same private dockerd or disposable engine (see README):
// a legacy plugin stays registered with the engine once looked up.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { docker, makeWorkDir, mustDocker, report, TEST_PLUGIN, TestPlugin, useChangeableEngine } from './lib.js';
import { DataProject, LIST_TREE, STAY, WRITE_TREE } from './dataops-lib.js';

const ON_ENGINE = inject('engine') && useChangeableEngine(inject('changeable'), 'plugin backup and restore');

describe.skipIf(!ON_ENGINE)('plugin: backup and restore', () => {
  const p = new DataProject(`${inject('runPrefix')}plugbk`, 'plugin-backup');
  // The plugin's store and log outlive the project's directory (p.destroy removes it while the
  // plugin still answers the engine, and a plugin that cannot write its log dies).
  const pluginDir = makeWorkDir('plugin-backup-store');
  const store = path.join(pluginDir, 'store');
  const plugin = new TestPlugin(TEST_PLUGIN, store, path.join(pluginDir, 'plugin-requests.jsonl'));
  const volume = `${p.name}_db-data`;
  let before = '';

  beforeAll(async () => {
    await plugin.start();
    p.write(
      `services:\n  db:\n    image: busybox:latest\n    command: ${STAY}\n` +
        `x-persistence:\n  backends:\n    pool: { type: plugin, driver: ${TEST_PLUGIN}, options: { tier: gold } }\n` +
        `  services:\n    db: { pattern: plugin, backend: pool, mounts: [/data] }\n`,
    );
    p.compose(['up', '-d']);
    p.sh('db', WRITE_TREE('/data'));
    before = p.sh('db', LIST_TREE('/data')).trim();
  });

  afterAll(async () => {
    try {
      if (!plugin.running) await plugin.start(); // the engine needs the plugin to remove its volumes
      p.destroy();
      expect(docker(['volume', 'inspect', volume]).code).not.toBe(0);
    } finally {
      await plugin.remove();
      // written by the engine as root: removed through a container
      docker(['run', '--rm', '-v', `${pluginDir}:/w`, 'busybox:latest', 'sh', '-c', 'rm -rf /w/* /w/.[!.]* 2>/dev/null; true']);
      fs.rmSync(pluginDir, { recursive: true, force: true });
    }
  });

  it('backs up, restores after down -v and the back end lost the volume, byte for byte with owners and modes', () => {
    const b = p.cp(['backup'], ['-o', 'bk', '--consistency', 'stop']);
    expect(b.code, b.stderr).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(p.dir, 'bk/manifest.json'), 'utf8'));
    expect(manifest.archives).toHaveLength(1);
    const [a] = manifest.archives;
    expect({ pattern: a.pattern, kind: a.kind, volume: a.volume, driver: a.driver, driver_opts: a.driver_opts, root: a.root }).toEqual({
      pattern: 'plugin', kind: 'volume', volume, driver: TEST_PLUGIN, driver_opts: { tier: 'gold' }, root: { uid: 1234, gid: 2345, mode: '0750' },
    });
    expect(p.running('db')).toBe(true);

    p.compose(['down', '-v', '-t', '1']);
    expect(docker(['volume', 'inspect', volume]).code).not.toBe(0);
    // the back end's copy too (written by the engine as root: removed through a container)
    mustDocker(['run', '--rm', '-v', `${store}:/s`, 'busybox:latest', 'rm', '-rf', `/s/volumes/${volume}`]);
    expect(fs.existsSync(path.join(store, 'volumes', volume))).toBe(false);

    const r = p.cp(['restore'], ['bk']);
    expect(r.code, r.stderr).toBe(0);
    // created again through the plugin, with the generated options
    expect(mustDocker(['volume', 'inspect', '-f', '{{.Driver}} {{json .Options}}', volume])).toBe(`${TEST_PLUGIN} {"tier":"gold"}`);
    p.compose(['up', '-d']);
    const after = p.sh('db', LIST_TREE('/data')).trim();
    report(`plugin backup: restored through the plugin after down -v and a lost back-end copy, byte for byte with owners and modes: ${after === before ? 'PASS' : 'FAIL'}`);
    expect(after).toBe(before);
  });

  it('refuses a non-empty target; --force replaces it (a file not in the backup is gone)', () => {
    p.sh('db', 'echo stale > /data/not-in-backup');
    const refused = p.cp(['restore'], ['bk']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^compose-persist: error .* is not empty: restoring would mix old and new files; nothing restored/m);
    const forced = p.cp(['restore'], ['bk', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const after = p.sh('db', LIST_TREE('/data')).trim();
    const ok = after === before && p.running('db');
    report(`plugin backup: restore refuses a non-empty plugin volume; --force replaces it: ${ok ? 'PASS' : 'FAIL'}`);
    expect(after).toBe(before);
    expect(p.running('db')).toBe(true);
  });
});
