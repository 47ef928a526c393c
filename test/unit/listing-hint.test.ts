// The hint of UNPERSISTED_STATE and LEVEL_BELOW_REQUIRED tells the user to list the service in
// x-persistence. The entry it shows is pasted as written: its key is printed by the one scalar
// rule (a service "1.0" written plain would be read as the service 1), and a name Compose takes
// but the block refuses (`_db`, `.cache`) gets no entry, it gets the reason.
import { describe, expect, it } from 'vitest';
import { buildText, errorsOf } from '../helpers/run.js';

const service = (name: string) => `services:\n  ${JSON.stringify(name)}:\n    image: postgres:16\n`;
const hintOf = (src: string, code = 'UNPERSISTED_STATE') => buildText(src).diagnostics.find((d) => d.code === code)?.hint ?? '';

describe('the hint to list a stateful service in x-persistence', () => {
  it.each(['db', '1.0', '007', 'true', 'on', 'null', 'a.b', 'web-1', '0x1F', '1e3'])('%s: the entry it shows, pasted into the block, lists the service', (name) => {
    const hint = hintOf(service(name));
    const entry = /e\.g\. (.+): \{ pattern: volume \}/.exec(hint)?.[1];
    expect(entry, hint).toBeDefined();
    const pasted = buildText(`${service(name)}x-persistence:\n  services:\n    ${entry}: { pattern: volume }\n`);
    expect(errorsOf(pasted)).toEqual([]);
    expect(pasted.diagnostics.map((d) => d.code)).not.toContain('UNPERSISTED_STATE');
    expect(pasted.text).toContain('/var/lib/postgresql/data');
  });

  it('quotes a key YAML would read as another type, and no other', () => {
    expect(hintOf(service('1.0'))).toContain('e.g. "1.0": { pattern: volume }');
    expect(hintOf(service('on'))).toContain('e.g. "on": { pattern: volume }');
    expect(hintOf(service('db'))).toContain('e.g. db: { pattern: volume }');
  });

  it.each(['_db', '.cache', '-x', '__proto__'])('%s: Compose takes the name, the block cannot list it, and the hint says so instead of an entry', (name) => {
    const hint = hintOf(service(name));
    expect(hint).not.toContain('e.g.');
    expect(hint).toContain(`x-persistence cannot list a service named ${JSON.stringify(name)}`);
    expect(hint).toContain('a name starts with a letter or digit');
    // What the hint says is so: the block refuses the name.
    const listed = buildText(`${service(name)}x-persistence:\n  services:\n    ${JSON.stringify(name)}: { pattern: volume }\n`);
    expect(errorsOf(listed)[0]).toMatchObject({ code: 'SCHEMA_FORMAT' });
  });

  it('LEVEL_BELOW_REQUIRED: the same rule', () => {
    const own = (name: string) => `services:\n  ${JSON.stringify(name)}:\n    image: postgres:16\n    volumes: ["pg:/var/lib/postgresql/data"]\nvolumes:\n  pg: {}\nx-persistence:\n  require: host\n  services: {}\n`;
    expect(hintOf(own('db'), 'LEVEL_BELOW_REQUIRED')).toBe('list it in x-persistence with pattern shared or plugin');
    expect(hintOf(own('_db'), 'LEVEL_BELOW_REQUIRED')).toContain('x-persistence cannot list a service named "_db"');
  });
});
