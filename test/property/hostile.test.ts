/**
 * Hostile strings in every user-controlled field: the build never throws; it
 * either refuses with well-formed diagnostics (known code, file, line, col,
 * one line each) or writes output whose parsed structure is exactly what the
 * oracle says: the same services, top-level keys and volume names the plan
 * names, and the hostile string only where the field's value belongs (never
 * adding keys, list items, YAML structure or mount options).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/index.js';
import { modelArb, render, type Model } from './support/model.js';
import { hostileString, SLOTS, withSlot } from './support/hostile.js';
import { KNOWN_MULTILINE_CODES, knownHostileBug } from './support/known-bugs.js';
import { expectedOutput, normalise, parseYaml } from './support/oracle.js';
import { buildOne, Counter, errorsOf, expectComposeSpecValid, expectWellFormed, params, TIMEOUT } from './support/run.js';

type Obj = Record<string, unknown>;

const caseArb = fc.record({
  slot: fc.constantFrom(...SLOTS),
  hostile: hostileString,
  prefix: fc.nat(),
  raw: fc.boolean(),
}).chain((c) => fc.record({ c: fc.constant(c), base: modelArb({ target: c.slot.target ?? 'compose', maxServices: 2 }) }));

function check(base: Model, c: { slot: (typeof SLOTS)[number]; hostile: string; prefix: number; raw: boolean }, counter: Counter): void {
  const target = c.slot.target ?? 'compose';
  const value = c.slot.prefixes[c.prefix % c.slot.prefixes.length] + c.hostile;
  const bug = knownHostileBug({ slot: c.slot.name, value, raw: Boolean(c.raw && c.slot.rawPath) });
  if (bug) {
    counter.hit(`skipped ${bug}`);
    return;
  }
  const model = withSlot(base, c.slot.apply(value));
  const raw = c.raw && c.slot.rawPath;
  if (raw) model.raws = [{ where: c.slot.rawPath!(model.blockKey).join('\u0000'), text: value }];
  const text = render(model);

  let r: ReturnType<typeof buildOne> | undefined;
  expect(() => {
    r = buildOne(text, target);
  }, `${c.slot.name} ${JSON.stringify(value)}`).not.toThrow();

  for (const d of r!.diagnostics) {
    const line = formatDiagnostic(d);
    if (/[\n\r]/.test(line) && KNOWN_MULTILINE_CODES.has(d.code)) counter.hit('BUG-4 multi-line diagnostic (checked on)');
    else expect(line, 'one diagnostic, one line').not.toMatch(/[\n\r]/);
  }
  const errors = errorsOf(r!.diagnostics);
  if (errors.length) {
    counter.hit(raw ? 'refused (raw)' : 'refused');
    expectWellFormed(errors);
    expect(r!.text).toBeUndefined();
    return;
  }
  counter.hit(raw ? 'accepted (raw)' : 'accepted');
  // Which printer wrote it: the property holds for the spliced text and the Document's alike.
  counter.hit(`printed by ${r!.printedBy?.path}`);
  const out = parseYaml(r!.text!) as Obj;
  expectComposeSpecValid(out);
  const input = parseYaml(text) as Obj;
  const expected = expectedOutput(input, target);
  const actual = normalise(out);
  // Structure first (clear messages), then everything.
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  expect(Object.keys(actual.services as Obj).sort()).toEqual(Object.keys(expected.services as Obj).sort());
  expect(Object.keys((actual.volumes ?? {}) as Obj).sort()).toEqual(Object.keys((expected.volumes ?? {}) as Obj).sort());
  // The plan names the same generated services and volumes.
  const plan = r!.plan!;
  const planned = plan.services.flatMap((s) => [...(s.sidecar ? [s.sidecar.name] : []), ...(s.init ? [s.init.name] : [])]);
  for (const n of planned) expect(Object.keys(actual.services as Obj)).toContain(n);
  for (const v of plan.services.flatMap((s) => s.volumes.map((x) => x.name))) expect(Object.keys(actual.volumes as Obj)).toContain(v);
  expect(actual).toEqual(expected);
}

describe('property: hostile strings in every user-controlled field', () => {
  it('never throws; refuses with positioned diagnostics or emits exactly the expected structure', () => {
    const counter = new Counter();
    const perSlot = new Counter();
    fc.assert(
      fc.property(caseArb, ({ c, base }) => {
        counter.hit('cases');
        perSlot.hit(c.slot.name);
        check(base, c, counter);
      }),
      params(80),
    );
    counter.report('hostile strings');
    perSlot.report('hostile strings per slot');
  }, TIMEOUT);

  it('a raw NUL byte in the file is refused with a position, never parsed', () => {
    const counter = new Counter();
    fc.assert(
      fc.property(modelArb({ target: 'compose', maxServices: 2 }), fc.nat(), (m, at) => {
        counter.hit('cases');
        const text = render(m);
        const i = at % text.length;
        const r = buildOne(`${text.slice(0, i)}\u0000${text.slice(i)}`);
        const errors = errorsOf(r.diagnostics);
        expect(errors.map((e) => e.code)).toEqual(['YAML_SYNTAX']);
        expectWellFormed(errors);
        expect(r.text).toBeUndefined();
      }),
      params(10),
    );
    counter.report('raw NUL byte');
  }, TIMEOUT);
});
