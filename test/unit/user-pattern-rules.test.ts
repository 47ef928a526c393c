/**
 * The rules a user-defined pattern is held to (issue 13 points 5 and 7, README "User-defined
 * patterns"): what its template may write, checked when it is read (positioned in the
 * template file) or when it is rendered (positioned at the service), never an internal error.
 */
import { describe, expect, it } from 'vitest';
import { build } from '../../src/index.js';
import { cli } from '../helpers/run.js';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const HEADER = '---\nlevel: container\nsummary: test pattern\n---\n';
const SRC = 'services:\n  db: {image: postgres:16}\nx-persistence:\n  patterns: ./p\n  services:\n    db: {pattern: x, mounts: [/var/lib/postgresql/data]}\n';

function run(template: string, header = HEADER, src = SRC) {
  return build([{ file: 'compose.persist.yaml', text: src }], { loadPatterns: (dir) => [{ file: `${dir}/x.yaml.hbs`, text: header + template }] });
}
const errors = (r: ReturnType<typeof run>) => r.diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, file: d.file, line: d.line, col: d.col, message: d.message }));

describe('a user template is checked when it is read (positioned in the template)', () => {
  it('an unknown helper', () => {
    const r = run('{{> _named-volumes}}\n{{q (upper name)}}\n');
    expect(errors(r)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 6, col: 5, message: expect.stringContaining('unknown helper "upper"') }]);
  });
  it('an unknown block helper and an unknown partial', () => {
    expect(errors(run('{{#repeat 3}}x{{/repeat}}\n'))[0]).toMatchObject({ line: 5, col: 1, message: expect.stringContaining('unknown block helper "repeat"') });
    expect(errors(run('volumes: []\n{{> _secret-partial}}\n'))[0]).toMatchObject({ line: 6, col: 1, message: expect.stringContaining('unknown partial "_secret-partial"') });
    expect(errors(run('{{> (lookup . "p")}}\n'))[0]!.message).toContain('dynamic partials are not available');
    expect(errors(run('{{#*inline "p"}}x{{/inline}}\n'))[0]!.message).toContain('inline partials');
  });
  it('a value written without {{q}}, double or triple braces', () => {
    const r = run('{{> _named-volumes}}\ntop_volumes:\n{{#each volumes}}\n  {{name}}: {}\n{{/each}}\n');
    expect(errors(r)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 8, col: 3, message: expect.stringContaining('{{name}} writes a value without {{q ...}}') }]);
    expect(errors(run('volumes:\n  - {{{params.spec}}}\n'))[0]).toMatchObject({ line: 6, col: 5, message: expect.stringContaining('write {{q params.spec}}') });
    expect(errors(run('x: {{concat "a" name}}\n'))[0]!.message).toContain('write {{q (concat ...)}}');
    expect(errors(run('x: {{@index}}\n'))[0]!.message).toContain('without {{q');
  });
  it('log is not available: nothing reaches stdout or --format json', () => {
    expect(errors(run('{{log "pwned"}}{}\n'))[0]).toMatchObject({ line: 5, col: 1, message: expect.stringContaining('log is not available') });
    expect(errors(run('x: {{q (log "pwned")}}\n'))[0]!.message).toContain('log is not available');
  });
  it('a template that does not parse points at its line', () => {
    expect(errors(run('volumes: []\n\n{{#if readOnly}}\n')) [0]).toMatchObject({ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 8, message: expect.stringContaining('does not compile') });
  });
  it('the built-in helpers and partials stay available', () => {
    const t = '{{> _named-volumes}}\ntop_volumes:\n{{#each volumes}}\n  {{q name}}: { labels: { a: {{q (concat "x-" @index)}}, b: {{q (lookup ../params "k")}} } }\n{{/each}}\n{{> _placement}}\n';
    expect(errors(run(t))).toEqual([]);
  });
});

describe('the header parameters: schema is checked when it is read', () => {
  const header = (params: string) => `---\nlevel: container\nsummary: s\nparameters:\n${params}---\n`;
  const T = '{{> _named-volumes}}\n{{> _top-volumes}}\n';
  it('a regular expression that does not compile, at its line', () => {
    const r = run(T, header('  type: object\n  properties:\n    tier: { type: string, pattern: "([a-z]" }\n'));
    expect(errors(r)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 7, col: 36, message: expect.stringContaining('parameters.properties.tier.pattern is not a regular expression') }]);
    const keys = run(T, header('  type: object\n  patternProperties:\n    "[": { type: string }\n'));
    expect(errors(keys)[0]).toMatchObject({ line: 7, col: 5, message: expect.stringContaining('patternProperties.[ is not a regular expression') });
  });
  it('a $ref that leads nowhere (or out of the file), at its line', () => {
    const r = run(T, header('  type: object\n  properties:\n    tier: { $ref: "#/definitions/tier" }\n'));
    expect(errors(r)[0]).toMatchObject({ code: 'PATTERN_DEFINITION', line: 7, col: 19, message: expect.stringContaining('"#/definitions/tier" leads nowhere') });
    expect(errors(run(T, header('  $ref: "https://example.com/s.json"\n')))[0]!.message).toContain('leads nowhere');
    expect(errors(run(T, header('  definitions: { t: { enum: [a] } }\n  properties: { tier: { $ref: "#/definitions/t" } }\n')))).toEqual([]);
  });
  it('a schema that is not a JSON Schema', () => {
    expect(errors(run(T, header('  type: planet\n')))[0]).toMatchObject({ line: 5, col: 9, message: expect.stringContaining('parameters.type is not a valid JSON Schema') });
  });
});

describe('a user template is checked when it is rendered (positioned at the service)', () => {
  it('text that is not YAML', () => {
    const r = run('volumes: [\n{{#each volumes}}\n  {{q name}}\n{{/each}}\n');
    expect(errors(r)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'compose.persist.yaml', line: 6, col: 19, message: expect.stringContaining('the template p/x.yaml.hbs rendered text that is not valid YAML') }]);
  });
  it('a key twice in the rendered text', () => {
    const r = run('{{> _named-volumes}}\n{{> _top-volumes}}\ntop_volumes: {}\n');
    expect(errors(r)[0]!.message).toContain('a key is written twice in one mapping');
  });
});

describe('validate and build agree, with exit 1 (not 3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cp-rules-'));
  mkdirSync(join(dir, 'p'));
  const cases: Record<string, string> = {
    helper: '{{q (nope 1)}}\n',
    partial: '{{> nope}}\n',
    yaml: 'volumes: [\n',
    log: '{{log "x"}}{}\n',
  };
  for (const [name, template] of Object.entries(cases)) {
    it(name, async () => {
      writeFileSync(join(dir, 'p', 'x.yaml.hbs'), HEADER + template);
      writeFileSync(join(dir, 'c.yaml'), SRC);
      const v = await cli(['validate', '-f', join(dir, 'c.yaml')]);
      const b = await cli(['build', '-f', join(dir, 'c.yaml')]);
      expect(v.code).toBe(1);
      expect(b.code).toBe(1);
      expect(b.stdout).toBe('');
      expect(b.stderr).toBe(v.stderr);
      expect(v.stderr).toMatch(/:\d+:\d+: error PATTERN_DEFINITION /);
      expect(v.stderr).not.toContain('internal error');
    });
  }
});

describe('names and keys the output could not carry (issue 13 point 7)', () => {
  const src = (service: string, target: string) => `services:\n  ${service}: {image: postgres:16}\nx-persistence:\n  services:\n    ${service}: {pattern: volume, mounts: [${target}]}\n`;
  it('a generated volume name over 255 characters asks for a name:', () => {
    const svc = 's'.repeat(63);
    const r = build([{ file: 'c.yaml', text: src(svc, `/data/${'a'.repeat(250)}`) }]);
    expect(errors(r)).toEqual([{ code: 'SCHEMA_RANGE', file: 'c.yaml', line: 5, col: 97, message: expect.stringContaining('the volume name generated from service') }]);
  });
  it('a target segment over 255 bytes', () => {
    const r = build([{ file: 'c.yaml', text: src('db', `/data/${'é'.repeat(130)}/x`) }]);
    expect(errors(r)[0]).toMatchObject({ code: 'SCHEMA_RANGE', message: expect.stringContaining('a path segment of 260 bytes') });
  });
});

describe('what a rendered user template may hold (issue 13 point 5)', () => {
  const T = (body: string, level = 'container') => [body, `---\nlevel: ${level}\nsummary: s\n---\n`] as const;
  const only = (body: string, level?: string) => errors(run(...T(body, level))).map((e) => e.message);
  it('the hostile template of the review: every escalation refused, nothing written', () => {
    const [body, header] = T('volumes:\n  - "/:/host"\n  - "/var/run/docker.sock:/var/run/docker.sock"\nset:\n  privileged: true\n  pid: host\n  network_mode: host\n  cap_add: [SYS_ADMIN]\nservices:\n  web: { image: evil }\n', 'host');
    const src = 'services:\n  web: {image: nginx}\n  db: {image: postgres:16}\nx-persistence:\n  patterns: ./p\n  require: host\n  services:\n    db: {pattern: x, mounts: [/var/lib/postgresql/data]}\n';
    const r = run(body, header, src);
    expect(r.text).toBeUndefined();
    const msgs = errors(r).map((e) => e.message).join('\n');
    for (const want of ['adds the services web', 'exposes the whole host file system', '/var/run/docker.sock', 'sets privileged:', 'sets pid:', 'sets network_mode:', 'sets cap_add:', 'declares level host in its header, but what it mounts gives container']) expect(msgs).toContain(want);
    for (const e of errors(r)) expect(e).toMatchObject({ code: 'PATTERN_DEFINITION', file: 'compose.persist.yaml', line: 8 });
  });
  it('no depends_on, volumes_from, foreign volumes or declaration keys', () => {
    expect(only('depends_on: { web: { condition: service_started } }\n{{> _named-volumes}}\n{{> _top-volumes}}\n').join()).toContain('sets depends_on');
    expect(only('volumes_from: [web]\n{{> _named-volumes}}\n{{> _top-volumes}}\n').join()).toContain('sets volumes_from');
    expect(only('volumes: ["other:/x"]\n').join()).toContain('mounts the volume "other"');
    expect(only('{{> _named-volumes}}\ntop_volumes:\n  web: {}\n  {{#each volumes}}{{q name}}: { external: true }{{/each}}\n').join()).toMatch(/declares the top-level volume "web"[\s\S]*writes external:/);
  });
  it('a local bind device at a sensitive path, and a header level the mounts do not give', () => {
    const dev = '{{> _named-volumes}}\ntop_volumes:\n{{#each volumes}}\n  {{q name}}: { driver: local, driver_opts: { type: none, o: bind, device: /etc } }\n{{/each}}\n';
    expect(only(dev).join()).toContain('points at the sensitive host location /etc');
    const local = '{{> _named-volumes}}\ntop_volumes:\n{{#each volumes}}\n  {{q name}}: { driver: local, driver_opts: { type: none, o: bind, device: /srv/data } }\n{{/each}}\n';
    expect(only(local, 'host')).toEqual([expect.stringContaining('declares level host in its header, but what it mounts gives container')]);
    expect(only(local, 'container')).toEqual([]);
  });
  it('a bind inside the project and the plan volumes pass', () => {
    expect(only('volumes:\n{{#each volumes}}\n  - {{q (concat "./data/" name ":" target)}}\n{{/each}}\n')).toEqual([]);
    expect(only('volumes:\n{{#each volumes}}\n  - {{q (concat "../../" name ":" target)}}\n{{/each}}\n').join()).toContain('leaves the project directory');
  });
});

describe('a header fault is positioned in the pattern file (the header read where it stands, after its ---)', () => {
  const T = '{{> _named-volumes}}\n';
  it('a header that is not YAML, where the reader found the fault (the unclosed list ends there)', () => {
    const r = run(T, '---\nlevel: container\nsummary: [unclosed\n---\n');
    expect(errors(r)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 3, col: 19, message: expect.stringContaining('the header is not valid YAML') }]);
  });
  it('an unknown header key and a bad level, at their own line (CRLF line ends too)', () => {
    for (const nl of ['\n', '\r\n']) {
      const unknown = run(T, ['---', 'level: container', 'summary: s', 'colour: blue', '---', ''].join(nl));
      expect(errors(unknown)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 4, col: 1, message: expect.stringContaining('has the unknown key "colour"') }]);
      const level = run(T, ['---', 'summary: s', 'level: cloud', '---', ''].join(nl));
      expect(errors(level)).toEqual([{ code: 'PATTERN_DEFINITION', file: 'p/x.yaml.hbs', line: 3, col: 8, message: expect.stringContaining('must be one of') }]);
    }
  });
});
