/** The exit code of every command (src/cli/exit.ts): diagnostics and how the command ended -> one number. */
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/diagnostics.js';
import { exitCode, type Outcome } from '../../src/cli/exit.js';
import { generatedFrom, outputPlacementProblems, staleOutput } from '../../src/output-file.js';
import { header } from '../../src/emit/emit.js';

const diag = (severity: Diagnostic['severity']): Diagnostic => ({ code: 'UNSAFE_PATH', severity, file: 'x.yaml', path: [], message: 'm' });
const none: Diagnostic[] = [];
const warning = [diag('warning'), diag('info')];
const error = [diag('warning'), diag('error')];

describe('exitCode', () => {
  const table: [string, readonly Diagnostic[], Outcome, number][] = [
    ['done, nothing found', none, 'done', 0],
    ['done with warnings and notes', warning, 'done', 0],
    ['done with an error (invalid input, a stale output)', error, 'done', 1],
    ['failed without diagnostics (an operation, a diff finding)', none, 'failed', 1],
    ['failed with only warnings (diff: data left behind)', warning, 'failed', 1],
    ['failed with an error', error, 'failed', 1],
    ['usage error', none, 'usage', 2],
    ['usage error wins over diagnostics', error, 'usage', 2],
    ['internal error (a bug)', none, 'internal', 3],
    ['internal error with an error', error, 'internal', 3],
    ['an INTERNAL diagnostic (an output that did not read back) is an internal error', [...error, { ...diag('error'), code: 'INTERNAL' }], 'failed', 3],
    ['an INTERNAL diagnostic, however the command ended', [{ ...diag('error'), code: 'INTERNAL' }], 'done', 3],
    ['SIGINT stopped the write', error, { interrupted: 'SIGINT' }, 130],
    ['SIGTERM stopped the write', none, { interrupted: 'SIGTERM' }, 143],
    ['SIGHUP stopped the write', warning, { interrupted: 'SIGHUP' }, 129],
  ];
  it.each(table)('%s', (_, diagnostics, outcome, code) => {
    expect(exitCode(diagnostics, outcome)).toBe(code);
  });
});

describe('build --check and -o (src/output-file.ts)', () => {
  it('a fresh file is not stale; a missing or different one is STALE_OUTPUT, an error, with the command that rebuilds it', () => {
    const built = 'services:\n  a:\n    image: x\n';
    expect(staleOutput({ file: 'out.yml', built, current: built, rebuild: 'compose-persist build -o out.yml' })).toBeUndefined();
    const missing = staleOutput({ file: 'out.yml', built, current: undefined, rebuild: 'compose-persist build -o out.yml' })!;
    expect(missing).toEqual({ stale: { code: 'STALE_OUTPUT', severity: 'error', file: 'out.yml', path: [], message: 'the file is missing; run: compose-persist build -o out.yml' }, findings: [] });
    const other = staleOutput({ file: 'out.yml', built, current: 'services:\n  a:\n    image: y\n', rebuild: undefined })!;
    expect(other.stale.message).toBe('the file is not what build would write; build it again (a file name holds a control character)');
    expect(exitCode([other.stale], 'done')).toBe(1);
  });

  it('a stale file whose rebuild strands data lists the data-safety findings', () => {
    const before = 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - old:/var/lib/postgresql/data\nvolumes:\n  old: {}\n';
    const built = 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - new:/var/lib/postgresql/data\nvolumes:\n  new: {}\n';
    const r = staleOutput({ file: 'out.yml', built, current: before, rebuild: 'x' })!;
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((d) => d.file === 'out.yml')).toBe(true);
  });

  it('-o placement: inside the pattern directory, or elsewhere than the source with relative paths', () => {
    const base = { output: 'out/c.yml', firstInput: 'c.persist.yaml', built: true, relativePaths: false, outputInPatternsDir: false };
    expect(outputPlacementProblems(base)).toEqual([]);
    expect(outputPlacementProblems({ ...base, relativePaths: true }).map((d) => d.code)).toEqual(['RELOCATED_OUTPUT']);
    expect(outputPlacementProblems({ ...base, output: 'c.yml', relativePaths: true })).toEqual([]);
    expect(outputPlacementProblems({ ...base, relativePaths: true, built: false })).toEqual([]);
    expect(outputPlacementProblems({ ...base, patternsDir: 'out', outputInPatternsDir: true }).map((d) => d.code)).toEqual(['OUTPUT_IS_INPUT']);
  });

  it("the sources named in emit's header, resolved next to the generated file", () => {
    expect(generatedFrom(`#${header(['a.persist.yaml', 'b.yaml'], 'compose').split('\n').join('\n#')}\n\nservices: {}\n`, 'dir/out.yml')).toEqual([`${process.cwd()}/dir/a.persist.yaml`, `${process.cwd()}/dir/b.yaml`]);
    expect(generatedFrom('services: {}\n', 'out.yml')).toEqual([]);
    // a Swarm output's header names its target after the sources: not part of a file name
    expect(generatedFrom(`#${header(['stack.persist.yaml'], 'swarm').split('\n').join('\n#')}\n\nservices: {}\n`, 'out.yml')).toEqual([`${process.cwd()}/stack.persist.yaml`]);
  });
});

describe('what main.ts asks the library', () => {
  it('init writes volume, data-container, bind or none; shared and plugin are refused with why', async () => {
    const { INIT_PATTERNS, initPatternRefusal } = await import('../../src/init/init.js');
    expect([...INIT_PATTERNS].sort()).toEqual(['bind', 'data-container', 'none', 'volume']);
    for (const p of INIT_PATTERNS) expect(initPatternRefusal(p)).toBeUndefined();
    expect(initPatternRefusal('shared')).toMatch(/^expected one of .*\(shared needs a back-end init cannot choose: run init, then declare backends: and set pattern: shared\)$/);
    expect(initPatternRefusal('nope')).toBe(`expected one of ${INIT_PATTERNS.join(', ')}`);
  });

  it("the project of a generated file: -p, then COMPOSE_PROJECT_NAME, then name:, then the file's directory", async () => {
    const { outputProject } = await import('../../src/output-file.js');
    expect(outputProject({ name: 'Named' }, 'app/out.yml', { flag: 'Flag' })).toEqual({ name: 'flag' });
    expect(outputProject({ name: 'Named' }, 'app/out.yml', { env: 'env' })).toEqual({ name: 'env' });
    expect(outputProject({ name: 'Named' }, 'app/out.yml')).toEqual({ name: 'named' });
    expect(outputProject({}, 'my-app/out.yml')).toEqual({ name: 'my-app' });
    expect(outputProject({ name: '!!' }, 'x/out.yml', { flag: '..' })).toHaveProperty('error');
  });

  it('diff: a volume renamed between OLD and NEW is data left behind, positioned in NEW', async () => {
    const { dataLeftBehind } = await import('../../src/output-file.js');
    const oldText = 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - old:/var/lib/postgresql/data\nvolumes:\n  old: {}\n';
    const newText = 'services:\n  db:\n    image: postgres:16\n    volumes:\n      - new:/var/lib/postgresql/data\nvolumes:\n  new: {}\n';
    const found = dataLeftBehind({ old: { file: 'old.yml', text: oldText }, new: { file: 'new.yml', text: newText }, project: 'p', sources: [{ file: 'old.yml', text: oldText }, { file: 'new.yml', text: newText }] });
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatchObject({ file: 'new.yml' });
    expect(found[0]!.line).toBeGreaterThan(0);
    expect(dataLeftBehind({ old: { file: 'old.yml', text: oldText }, new: { file: 'new.yml', text: oldText }, project: 'p', sources: [] })).toEqual([]);
  });

  it("validate's summary of the services' own mounts without a block", async () => {
    const { ownMountsSummary } = await import('../../src/explain.js');
    expect(ownMountsSummary(undefined)).toBe('');
    const plan = { services: [], unlisted: [{ service: 'a', mounts: [{ target: '/d', level: 'none' }, { target: '/e', level: 'host' }] }] } as unknown as Parameters<typeof ownMountsSummary>[0];
    expect(ownMountsSummary(plan)).toBe("; 2 mount(s) of the services' own, of which 1 at level none (a:/d): compose-persist explain lists them");
  });
});
