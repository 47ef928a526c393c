// The e2e suite's "engine as found" check (test/e2e/snapshot.ts) and where its swarm and plugin tests run.
import { describe, expect, it } from 'vitest';
import { decideChangeable, noPrivateDockerd } from '../e2e/lib.js';
import { diffSnapshots, otherRuns, type EngineSnapshot } from '../e2e/snapshot.js';

const empty = (): EngineSnapshot => ({ containers: [], volumes: [], networks: [], images: [], swarm: ['inactive'], plugins: ['volume driver local'] });
const found = (): EngineSnapshot => ({
  ...empty(),
  containers: ['abc123 someones-db'],
  volumes: ['local someones-data'],
  networks: ['n1 host host', 'n2 none null'],
  images: ['cp-test:v1 sha256:1', 'busybox:latest sha256:1'],
});

describe('engine snapshot diff', () => {
  it('the same engine: nothing to report', () => {
    expect(diffSnapshots(found(), found())).toEqual([]);
  });

  it('reports each kind the suite could leave changed', () => {
    const after = found();
    after.containers.push('def456 cpe2eabc123vol_db_1');
    after.volumes.push('local cpe2eabc123vol_data');
    after.networks.push('n3 docker_gwbridge bridge');
    after.images.push('cp-test:v2 sha256:2');
    after.swarm = ['active'];
    after.plugins.push('volume driver cp-e2e-plugin');
    expect(diffSnapshots(found(), after)).toEqual([
      '+ containers: def456 cpe2eabc123vol_db_1',
      '+ volumes: local cpe2eabc123vol_data',
      '+ networks: n3 docker_gwbridge bridge',
      '+ images: cp-test:v2 sha256:2',
      '+ swarm: active',
      '- swarm: inactive',
      '+ plugins: volume driver cp-e2e-plugin',
    ]);
  });

  it('reports what is gone, and an image tag that now names another image', () => {
    const after = found();
    after.volumes = [];
    after.images = ['cp-test:v1 sha256:9', 'busybox:latest sha256:1'];
    expect(diffSnapshots(found(), after)).toEqual([
      '- volumes: local someones-data',
      '+ images: cp-test:v1 sha256:9',
      '- images: cp-test:v1 sha256:1',
    ]);
  });

  it('ignores other runs of the suite, never this run', () => {
    const ignore = otherRuns('cpe2eabc123');
    const after = found();
    after.volumes.push('local cpe2ezzz999vol_data', 'local cpe2eabc123vol_data');
    after.containers.push('x cpe2ezzz999vol_db_1');
    expect(diffSnapshots(found(), after, ignore)).toEqual(['+ volumes: local cpe2eabc123vol_data']);
  });

  it('CP_E2E_SNAPSHOT_IGNORE: a regex for objects other people make meanwhile', () => {
    const after = found();
    after.volumes.push('local alice-scratch', 'local bob');
    expect(diffSnapshots(found(), after, otherRuns('cpe2eabc123', '^local alice-'))).toEqual(['+ volumes: local bob']);
  });
});

describe('where the swarm and plugin tests run (decideChangeable)', () => {
  it('a private dockerd whenever one can be started, disposable or not', () => {
    expect(decideChangeable('/tmp/d', {}, undefined)).toEqual({ mode: 'private', dir: '/tmp/d', disposable: false });
    expect(decideChangeable('/tmp/d', { CP_E2E_DISPOSABLE: '1' }, undefined)).toEqual({ mode: 'private', dir: '/tmp/d', disposable: true });
  });
  it('else the current engine only when it is marked disposable', () => {
    expect(decideChangeable('/tmp/d', { CP_E2E_DISPOSABLE: '1' }, 'not root')).toEqual({ mode: 'disposable' });
  });
  it('else skipped, saying why; with CI=true a failure', () => {
    const c = decideChangeable('/tmp/d', { CP_E2E_DISPOSABLE: 'yes' }, 'not root');
    expect(c.mode).toBe('skip');
    expect(c.mode === 'skip' && c.reason).toMatch(/not marked disposable \(CP_E2E_DISPOSABLE=1\).*private dockerd \(not root\)/);
    expect(() => decideChangeable('/tmp/d', { CI: 'true' }, 'no dockerd on PATH')).toThrow(/CI=true/);
  });
  it('CP_E2E_PRIVATE_DOCKERD=0 turns the private dockerd off', () => {
    expect(noPrivateDockerd({ CP_E2E_PRIVATE_DOCKERD: '0' })).toBe('CP_E2E_PRIVATE_DOCKERD=0');
  });
});
