// keep: true: the kept volume is external, `volumes create` makes it, `down -v` leaves it.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { docker, report } from './lib.js';
import { DataProject, STAY } from './dataops-lib.js';

describe.skipIf(!inject('engine'))('keep: true', () => {
  const prefix = inject('runPrefix');
  const p = new DataProject(`${prefix}keep`, 'keep');
  const kept = `${prefix}keep-db`;
  afterAll(() => p.destroy([kept]));

  it('volumes create makes the external volume; down -v leaves it and its data', () => {
    p.write(`services:\n  db:\n    image: busybox:latest\n    command: ${STAY}\nx-persistence:\n  services:\n    db: { pattern: volume, mounts: [{ target: /data, keep: ${kept} }] }\n`);
    // up refuses a missing external volume: that is what volumes create is for
    expect(docker(['volume', 'inspect', kept]).code).not.toBe(0);
    const c = p.cp(['volumes', 'create']);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain(`created volume ${kept} (local)`);
    expect(p.cp(['volumes', 'create']).stdout).toContain(`volume ${kept} exists`);
    p.compose(['up', '-d']);
    p.sh('db', 'echo kept-marker > /data/m');
    p.compose(['down', '-v', '-t', '1']);
    expect(docker(['volume', 'inspect', kept]).code).toBe(0);
    p.compose(['up', '-d']);
    const back = p.sh('db', 'cat /data/m').trim();
    report(`keep: kept volume survives down -v: ${back === 'kept-marker' ? 'PASS' : 'FAIL'}`);
    expect(back).toBe('kept-marker');
  });
});
