// scripts/test-images.sh (the e2e suite's and engine-setup's one way to make the test
// images) decides what to make and from what; run here against a fake `docker` on PATH
// that keeps its images as files and logs every call.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = resolve('scripts/test-images.sh');

const FAKE_DOCKER = `#!/usr/bin/env bash
echo "$*" >>"$FAKE/log"
file() { echo "$FAKE/images/\${1//[:\\/]/_}"; }
case "$1" in
  image)
    ref="\${@: -1}"; f=$(file "$ref"); [ -f "$f" ] || exit 1
    if [ "$3" = -f ]; then case "$4" in *cp-test.rev*) cut -d' ' -f2 "$f" ;; *) cut -d' ' -f1 "$f" ;; esac; fi ;;
  pull) exit 1 ;;
  import) echo "sha256:$RANDOM$RANDOM 2" >"$(file "\${@: -1}")" ;;
  tag) cp "$(file "$2")" "$(file "$3")" ;;
  create) echo fakecid ;;
  export) mkdir -p "$FAKE/src/bin" "$FAKE/src/etc"; echo 'root:x:0:0:root:/root:/bin/sh' >"$FAKE/src/etc/passwd"; tar -C "$FAKE/src" -cf - . ;;
  rm) ;;
  *) exit 1 ;;
esac
`;

interface Fake {
  dir: string;
  run: (args?: string[], env?: Record<string, string>) => { code: number; stdout: string; stderr: string; record: string[]; log: string[] };
  image: (ref: string, rev: string) => void;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function fake(): Fake {
  const dir = mkdtempSync(join(tmpdir(), 'cp-test-images-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'images'));
  writeFileSync(join(dir, 'bin', 'docker'), FAKE_DOCKER);
  chmodSync(join(dir, 'bin', 'docker'), 0o755);
  // a "static busybox": prints its applets
  writeFileSync(join(dir, 'busybox'), '#!/bin/sh\n[ "$1" = --list ] && printf "busybox\\nsh\\nls\\n"\n');
  chmodSync(join(dir, 'busybox'), 0o755);
  const record = join(dir, 'record');
  return {
    dir,
    image: (ref, rev) => writeFileSync(join(dir, 'images', ref.replace(/[:/]/g, '_')), `sha256:${ref} ${rev}\n`),
    run: (args = [], env = {}) => {
      writeFileSync(record, '');
      writeFileSync(join(dir, 'log'), '');
      const r = spawnSync('bash', [SCRIPT, '--record', record, ...args], {
        encoding: 'utf8',
        env: { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, FAKE: dir, CP_TEST_PULL: '0', CP_BUSYBOX: join(dir, 'busybox'), ...env },
      });
      const lines = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : []);
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, record: lines(record), log: lines(join(dir, 'log')) };
    },
  };
}

describe('scripts/test-images.sh', () => {
  it('an empty engine: all three from the binary, busybox:latest a tag of cp-test:v1, all recorded', () => {
    const f = fake();
    const r = f.run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.record).toEqual(['cp-test:v1', 'busybox:latest', 'cp-test:v2']);
    expect(r.log.filter((l) => l.startsWith('import')).length).toBe(2);
    expect(r.log).toContain('tag cp-test:v1 busybox:latest');
    expect(r.stdout).toMatch(/made cp-test:v1 cp-test:v2 busybox:latest from binary /);
  });

  it('everything present: nothing made, nothing recorded', () => {
    const f = fake();
    for (const ref of ['cp-test:v1', 'cp-test:v2']) f.image(ref, '2');
    f.image('busybox:latest', '');
    const r = f.run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.record).toEqual([]);
    expect(r.log.filter((l) => /^(import|tag|create|pull)/.test(l))).toEqual([]);
  });

  it('a busybox image present: cp-test images are made from it and it is left alone', () => {
    const f = fake();
    f.image('busybox:latest', '');
    const r = f.run();
    expect(r.code, r.stderr).toBe(0);
    expect(r.record).toEqual(['cp-test:v1', 'cp-test:v2']);
    expect(r.log).toContain('create busybox:latest sh');
    expect(r.log.some((l) => l.startsWith('tag'))).toBe(false);
    expect(r.stdout).toMatch(/from image busybox:latest/);
  });

  it('no busybox image, none pulled, no binary: exit 3 and a line saying so; nothing made', () => {
    const f = fake();
    const r = f.run([], { CP_BUSYBOX: join(f.dir, 'no-such-busybox') });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/no busybox source: no image busybox:latest, none pulled .*no-such-busybox/);
    expect(r.record).toEqual([]);
    expect(r.log.filter((l) => l.startsWith('import'))).toEqual([]);
  });

  it('pulls when allowed and no image is present (the fake registry refuses: the binary is used)', () => {
    const f = fake();
    const r = f.run([], { CP_TEST_PULL: '1' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.log).toContain('pull -q busybox:latest');
    expect(r.record).toEqual(['cp-test:v1', 'busybox:latest', 'cp-test:v2']);
  });

  it('an image of an older revision is kept (with a note), and rebuilt only with --rebuild-stale', () => {
    const f = fake();
    f.image('cp-test:v1', '1');
    f.image('cp-test:v2', '2');
    f.image('busybox:latest', '');
    const kept = f.run();
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.record).toEqual([]);
    expect(kept.stdout).toMatch(/note: cp-test:v1 is of rev '1'/);
    const rebuilt = f.run(['--rebuild-stale']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(rebuilt.record).toEqual(['cp-test:v1']);
  });
});
