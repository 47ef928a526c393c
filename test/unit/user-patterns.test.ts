import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { build } from '../../src/index.js';
import { BUILTIN_PATTERNS } from '../../src/patterns/index.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const PATTERN = `---
level: host
summary: fixed in-house driver
parameters:
  type: object
  additionalProperties: false
  properties: { tier: { enum: [gold, silver] } }
  required: [tier]
---
{{> _named-volumes}}
top_volumes:
{{#each volumes}}
  {{q name}}: { driver: acme/ssd, driver_opts: { tier: {{q ../params.tier}} } }
{{/each}}
`;
const SRC = (params: string) => `services:\n  l: {image: l}\nx-persistence:\n  patterns: ./p\n  services:\n    l: {pattern: acme, ${params} mounts: [/data]}\n`;
const run = (src: string, files: Record<string, string>) =>
  build([{ file: 'compose.persist.yaml', text: src }], { loadPatterns: (dir) => Object.entries(files).map(([f, text]) => ({ file: `${dir}/${f}`, text })) });

describe('user-defined patterns', () => {
  it('render with the built-in helpers, at their declared level', () => {
    const r = run(SRC('params: {tier: gold},'), { 'acme.yaml.hbs': PATTERN });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const data = parse(r.text!) as Record<string, any>;
    expect(data.volumes['l-data']).toEqual({ driver: 'acme/ssd', driver_opts: { tier: 'gold' } });
    expect(r.plan!.services[0]).toMatchObject({ pattern: 'acme', level: 'host' });
  });
  it('check params against the declared parameters', () => {
    const r = run(SRC('params: {tier: bronze},'), { 'acme.yaml.hbs': PATTERN });
    expect(r.diagnostics[0]).toMatchObject({ code: 'SCHEMA_FORMAT', line: 6, message: 'params.tier must be one of "gold", "silver" (pattern acme)' });
    expect(r.text).toBeUndefined();
  });
  it('refuse a header that is not valid, naming the pattern file', () => {
    const r = run(SRC('params: {tier: gold},'), { 'acme.yaml.hbs': PATTERN.replace('level: host', 'level: planet') });
    expect(r.diagnostics[0]).toMatchObject({ code: 'PATTERN_DEFINITION', file: 'p/acme.yaml.hbs', line: 2 });
    const shadow = run(SRC(''), { 'volume.yaml.hbs': PATTERN });
    expect(shadow.diagnostics[0]!.message).toContain('"volume" is a built-in pattern');
  });
  it('a hostile param value stays one scalar', () => {
    const lax = PATTERN.replace('properties: { tier: { enum: [gold, silver] } }', 'properties: { tier: { type: string } }');
    const r = run(SRC('params: {tier: "x\\n  injected: true"},'), { 'acme.yaml.hbs': lax });
    const data = parse(r.text!) as Record<string, any>;
    expect(data.volumes['l-data'].driver_opts).toEqual({ tier: 'x\n  injected: true' });
  });
});

describe('built-in patterns', () => {
  it('every pattern has a template, and every template a pattern', () => {
    // A built-in pattern's template is its folder's template.yaml.hbs (templates/ holds only the shared partials).
    expect(readdirSync('templates').filter((f) => f.endsWith('.yaml.hbs') && !f.startsWith('_'))).toEqual([]);
    const templates = readdirSync('src/patterns', { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(`src/patterns/${d.name}/template.yaml.hbs`)).map((d) => d.name).sort();
    expect(templates).toEqual(BUILTIN_PATTERNS.map((p) => p.name).sort());
  });
  it('pattern names fit the schema of a pattern name', () => {
    const schema = JSON.parse(readFileSync('schemas/persistence.schema.json', 'utf8'));
    const re = new RegExp(schema.definitions.patternName.pattern);
    for (const p of BUILTIN_PATTERNS) expect(p.name).toMatch(re);
  });
});
