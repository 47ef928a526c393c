/** init through the CLI: what it writes, build accepts (issue 13, point 10). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/run.js';

const dir = () => mkdtempSync(join(tmpdir(), 'cp-init-'));

describe('init writes what build accepts', () => {
  it('--pattern shared or plugin (a back-end init cannot choose) is a usage error, not a block build refuses', async () => {
    const d = dir();
    writeFileSync(join(d, 'docker-compose.yml'), 'services:\n  db:\n    image: postgres:16\n');
    for (const p of ['shared', 'plugin']) {
      const r = await cli(['init', '-f', join(d, 'docker-compose.yml'), '--pattern', p]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${p} needs a back-end`);
    }
    for (const p of ['volume', 'bind', 'data-container', 'none']) {
      const out = join(d, `${p}.persist.yaml`);
      expect((await cli(['init', '-f', join(d, 'docker-compose.yml'), '--pattern', p, '-o', out])).code).toBe(0);
      expect((await cli(['build', '-f', out])).code).toBe(0);
    }
  });

  it('a service name Compose refuses: exit 1 with the position, nothing written', async () => {
    const d = dir();
    writeFileSync(join(d, 'docker-compose.yml'), 'services:\n  "my db":\n    image: postgres:16\n');
    const r = await cli(['init', '-f', join(d, 'docker-compose.yml')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/docker-compose\.yml:2:3: error SCHEMA_FORMAT service name "my db" is not a valid Compose service name/);
  });

  it('a file ending in ... : init --write then build succeeds', async () => {
    const d = dir();
    const f = join(d, 'compose.persist.yaml');
    writeFileSync(f, 'services:\n  db:\n    image: postgres:16\n...\n');
    expect((await cli(['init', '--write', '-f', f])).code).toBe(0);
    const b = await cli(['build', '-f', f]);
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
  });
});
