/**
 * Every command line the tool prints for a user to paste quotes each argument
 * for POSIX sh: hostile names from a compose file are pasted into a real sh
 * (with docker / compose-persist replaced by a function that records its
 * arguments) and nothing they hold may run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellCommand, shellQuote } from '../../src/shell-quote.js';
import { dataSafety } from '../../src/check/data-safety.js';
import { cli } from '../helpers/run.js';

/** Names that run something when pasted unquoted (each touches a file named pwned*). */
const HOSTILE = [
  'a$(touch pwned1)b',
  'c`touch pwned2`d',
  'e;touch pwned3',
  "f'$(touch pwned4)'g",
  'h"$(touch pwned5)"i',
  'j k|touch pwned6',
  '$HOME&&touch pwned7',
  "it's \\ ${X:-y} * ? [a] ~ # <x >y !z",
];

/** Run `line` in sh in a fresh directory with `cmd` (a script on PATH) recording its arguments, NUL-separated. */
function paste(line: string, cmd: string): { args: string[]; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cp-paste-'));
  const bin = mkdtempSync(join(tmpdir(), 'cp-paste-bin-'));
  writeFileSync(join(bin, cmd), `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a"; done > "$ARGS"\n`, { mode: 0o755 });
  execFileSync('sh', ['-c', line], { cwd: dir, env: { PATH: `${bin}:${process.env.PATH}`, ARGS: join(bin, 'args'), HOME: dir, COMPOSE_PROJECT_NAME: 'proj' } });
  const args = readFileSync(join(bin, 'args'), 'utf8').split('\0').slice(0, -1);
  return { args, files: readdirSync(dir) };
}

describe('shellQuote', () => {
  it('leaves plain words alone and quotes the rest so sh reads them back unchanged', () => {
    expect(shellQuote('db-data')).toBe('db-data');
    expect(shellQuote('/from/.')).toBe('/from/.');
    expect(shellQuote('')).toBe("''");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const { args, files } = paste(shellCommand(['tool', ...HOSTILE])!, 'tool');
    expect(args).toEqual(HOSTILE);
    expect(files).toEqual([]);
  });
  it('refuses what no pasted line can carry (NUL, line breaks, other control characters)', () => {
    for (const w of ['a\nb', 'a\rb', 'a\u0000b', 'a\u001bb', 'a\tb']) expect(shellQuote(w)).toBeUndefined();
    expect(shellCommand(['docker', 'volume', 'rm', 'x\ny'])).toBeUndefined();
  });
});

const volumeSvc = (name: string) => ({ services: { db: { image: 'postgres:16', volumes: [{ type: 'volume', source: name, target: '/data' }] } }, volumes: { [name]: {} } });
const bindSvc = (path: string) => ({ services: { db: { image: 'postgres:16', volumes: [{ type: 'bind', source: path, target: '/data' }] } } });

describe('DATA_ORPHANED and DRIVER_CHANGED hints paste safely', () => {
  for (const name of HOSTILE) {
    it(`volume -> volume: ${JSON.stringify(name)}`, () => {
      const [d] = dataSafety(volumeSvc('old-data'), volumeSvc(name), 'new');
      const cmd = /: (docker run .*)$/.exec(d!.hint!)![1]!;
      const { args, files } = paste(cmd, 'docker');
      expect(files).toEqual([]);
      expect(args).toEqual(['run', '--rm', '-v', 'proj_old-data:/from', '-v', `proj_${name}:/to`, 'busybox', 'cp', '-a', '/from/.', '/to/']);
    });
    it(`bind -> volume and a dropped bind: ${JSON.stringify(name)}`, () => {
      const [d] = dataSafety(bindSvc(`./${name}`), volumeSvc(name), 'new');
      const { args, files } = paste(/: (docker run .*)$/.exec(d!.hint!)![1]!, 'docker');
      expect(files).toEqual([]);
      expect(args.slice(4, 6)).toEqual(['-v', `proj_${name}:/to`]);
      expect(args[3]).toMatch(/^\/.*\/cp-paste-[^/]+\//);
      expect(args[3]!.endsWith(`/${name}:/from`)).toBe(true);
      const [gone] = dataSafety(bindSvc(`/srv/${name}`), { services: { db: { image: 'postgres:16' } } }, 'new');
      const read = paste(/: (docker run .*)$/.exec(gone!.hint!)![1]!, 'docker');
      expect(read.files).toEqual([]);
      expect(read.args).toEqual(['run', '--rm', '-v', `/srv/${name}:/from`, 'busybox', 'ls', '/from']);
    });
    it(`changed driver options: ${JSON.stringify(name)}`, () => {
      const a = volumeSvc(name);
      const b = { ...a, volumes: { [name]: { driver_opts: { type: 'tmpfs', device: 'tmpfs' } } } };
      const [d] = dataSafety(a, b, 'new');
      expect(d!.code).toBe('DRIVER_CHANGED');
      const { args, files } = paste(/\((docker volume rm .*?) \(with COMPOSE_PROJECT_NAME/.exec(d!.hint!)![1]!, 'docker');
      expect(files).toEqual([]);
      expect(args).toEqual(['volume', 'rm', `proj_${name}`]);
    });
  }
  it('a name that cannot be pasted gets no command (line break)', () => {
    const [d] = dataSafety(volumeSvc('old-data'), volumeSvc('x\ntouch pwned'), 'new');
    expect(d!.hint).not.toContain('docker run');
    expect(d!.hint).toContain('control character');
  });
  it('the CLI prints the same quoted hint in text and in JSON (diff of two plain files)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-hint-'));
    const yaml = (name: string) => `services:\n  db:\n    image: "postgres:16"\n    volumes: [{type: volume, source: ${JSON.stringify(name)}, target: /data}]\nvolumes:\n  ${JSON.stringify(name)}: {}\n`;
    writeFileSync(join(dir, 'old.yml'), yaml('old-data'));
    writeFileSync(join(dir, 'new.yml'), yaml(HOSTILE[0]!));
    const text = await cli(['diff', join(dir, 'old.yml'), join(dir, 'new.yml')]);
    const json = await cli(['diff', '--format', 'json', join(dir, 'old.yml'), join(dir, 'new.yml')]);
    const hint = (JSON.parse(json.stdout) as { diagnostics: { hint: string }[] }).diagnostics[0]!.hint;
    expect(text.stderr).toContain(hint);
    const { args, files } = paste(/: (docker run .*)$/.exec(hint)![1]!, 'docker');
    expect(files).toEqual([]);
    expect(args[5]).toBe(`proj_${HOSTILE[0]}:/to`);
  });
});

describe('STALE_OUTPUT: the rebuild command pastes safely', () => {
  it('file names with $(...), backticks, quotes and spaces stay arguments', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cp-stale-'));
    const src = join(dir, "my src $(touch pwned1) 'q'.persist.yaml");
    const out = join(dir, 'out `touch pwned2`;x.yml');
    writeFileSync(src, 'services:\n  db: {image: "postgres:16"}\nx-persistence:\n  services:\n    db: {pattern: volume}\n');
    const r = await cli(['build', '--check', '--target', 'swarm', '-f', src, '-o', out]);
    expect(r.code).toBe(1);
    const line = /STALE_OUTPUT .*; run: (.*)$/m.exec(r.stderr)![1]!;
    const { args, files } = paste(line, 'compose-persist');
    expect(files).toEqual([]);
    expect(args).toEqual(['build', '-f', src, '--target', 'swarm', '-o', out]);
    expect(existsSync(join(dir, 'pwned1'))).toBe(false);
  });
});
