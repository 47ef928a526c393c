// Stage 5, render (src/render/render.ts), on its own: service plans, written out here, and the
// fragment each pattern's template renders for them (what merge adds to the service, the new
// services and the top-level volumes), per target; user templates and what renderUserPlans
// reports about them. Every input is deep-frozen: render must not edit what it is given.
import { describe, expect, it } from 'vitest';
import type { YamlPath } from '../../src/diagnostics.js';
import type { Fragment, Level, PlannedBind, PlannedVolume, ServicePlan, Target } from '../../src/model.js';
import { BUILTIN_TABLE, patternTable, type PatternDef } from '../../src/patterns/index.js';
import { compileUserTemplate, renderPlan, renderPlans, renderUserPlans, RenderError } from '../../src/render/render.js';
import { deepFreeze } from '../helpers/freeze.js';

const P = (service = 'db'): YamlPath => ['x-persistence', 'services', service];

const sp = (pattern: string, level: Level, extra: Partial<ServicePlan> = {}): ServicePlan => ({
  service: 'db', pattern, level, volumes: [], binds: [], generated: [], path: P(extra.service), ...extra,
});
const vol = (name: string, target: string, extra: Partial<PlannedVolume> = {}): PlannedVolume => ({ name, target, readOnly: false, ...extra });
const bind = (source: string, target: string, name: string, readOnly = false): PlannedBind => ({ source, target, readOnly, initTarget: `/mnt/${name}` });

/** A fragment of db with nothing in it but what is given. */
const frag = (extra: Partial<Fragment> = {}): Fragment => ({
  service: 'db', volumes: [], volumesFrom: [], dependsOn: {}, set: {}, services: {}, topVolumes: {}, ...extra,
});
const entry = (source: string, target: string, readOnly = false) => ({ type: 'volume', source, target, ...(readOnly ? { read_only: true } : {}) });
const pin = (node: string) => ({ deploy: { placement: { constraints: [`node.hostname == ${node}`] } } });
const NFS = { driver: 'local', driverOpts: { type: 'nfs', o: 'addr=10.0.0.5,rw,nfsvers=4', device: ':/exports/app/db-data' } };
const labels = (role: string, service = 'db') => ({ 'dev.compose-persist.role': role, 'dev.compose-persist.service': service });

interface Case {
  name: string;
  plans: ServicePlan[];
  target?: Target;
  declared?: string[];
  expected: Fragment[];
}

const cases: Case[] = [
  { name: 'none adds nothing', plans: [sp('none', 'none')], expected: [frag()] },
  { name: 'none with scratch mounts still adds nothing', plans: [sp('none', 'none', { scratch: ['/tmp/cache'] })], expected: [frag()] },
  { name: 'volume: a long-form entry and a plain declaration', plans: [sp('volume', 'container', { volumes: [vol('db-data', '/data')] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })] },
  { name: 'volume: read_only is written only when true', plans: [sp('volume', 'container', { volumes: [vol('db-data', '/data'), vol('conf', '/conf', { readOnly: true, nameGiven: true })] })], expected: [frag({ volumes: [entry('db-data', '/data'), entry('conf', '/conf', true)], topVolumes: { 'db-data': {}, conf: {} } })] },
  { name: 'volume kept: external with its fixed name (the driver is for volumes create)', plans: [sp('volume', 'container', { volumes: [vol('db-data', '/data', { external: 'prod-data' })] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { external: true, name: 'prod-data' } } })] },
  { name: 'volume on Swarm with node: placement on the service', target: 'swarm', plans: [sp('volume', 'container', { node: 'n1', volumes: [vol('db-data', '/data')] })], expected: [frag({ volumes: [entry('db-data', '/data')], set: pin('n1'), topVolumes: { 'db-data': {} } })] },
  { name: 'volume on Swarm without node: no placement', target: 'swarm', plans: [sp('volume', 'none', { volumes: [vol('db-data', '/data')] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } })] },
  { name: 'data-container: volumes_from and depends_on a sidecar that mounts the volumes', plans: [sp('data-container', 'container', { volumes: [vol('db-data', '/data', { readOnly: true })], sidecar: { name: 'db-data', image: 'busybox:latest' } })], expected: [frag({ volumesFrom: ['db-data'], dependsOn: { 'db-data': { condition: 'service_started' } }, services: { 'db-data': { image: 'busybox:latest', command: ['true'], labels: labels('data-container'), volumes: [entry('db-data', '/data', true)] } }, topVolumes: { 'db-data': {} } })] },
  { name: 'data-container: the sidecar\'s profiles', plans: [sp('data-container', 'container', { volumes: [vol('v', '/v')], sidecar: { name: 'db-data', image: 'alpine', profiles: ['debug'] } })], expected: [frag({ volumesFrom: ['db-data'], dependsOn: { 'db-data': { condition: 'service_started' } }, services: { 'db-data': { image: 'alpine', profiles: ['debug'], command: ['true'], labels: labels('data-container'), volumes: [entry('v', '/v')] } }, topVolumes: { v: {} } })] },
  { name: 'bind: short form, :ro when read-only', plans: [sp('bind', 'container', { binds: [bind('./data/db-data', '/data', 'db-data'), bind('./conf', '/etc/app', 'conf', true)] })], expected: [frag({ volumes: ['./data/db-data:/data', './conf:/etc/app:ro'] })] },
  { name: 'bind with owner: an init service the service waits for; it mounts each source rw', plans: [sp('bind', 'container', { binds: [bind('./d', '/data', 'db-data', true)], init: { name: 'db-init', image: 'busybox:latest', owner: '999:999' } })], expected: [frag({ volumes: ['./d:/data:ro'], dependsOn: { 'db-init': { condition: 'service_completed_successfully' } }, services: { 'db-init': { image: 'busybox:latest', user: '0:0', command: ['chown', '-R', '999:999', '/mnt/db-data'], volumes: ['./d:/mnt/db-data'], labels: labels('init') } } })] },
  { name: 'bind with owner: the init\'s profiles', plans: [sp('bind', 'container', { binds: [bind('./d', '/data', 'db-data')], init: { name: 'db-init', image: 'busybox:latest', owner: '1:1', profiles: ['p'] } })], expected: [frag({ volumes: ['./d:/data'], dependsOn: { 'db-init': { condition: 'service_completed_successfully' } }, services: { 'db-init': { image: 'busybox:latest', profiles: ['p'], user: '0:0', command: ['chown', '-R', '1:1', '/mnt/db-data'], volumes: ['./d:/mnt/db-data'], labels: labels('init') } } })] },
  { name: 'bind with owner on Swarm: no depends_on; the init task restarts on failure, pinned like the service', target: 'swarm', plans: [sp('bind', 'container', { node: 'n1', binds: [bind('./d', '/data', 'db-data')], init: { name: 'db-init', image: 'busybox:latest', owner: '1:1' } })], expected: [frag({ volumes: ['./d:/data'], set: pin('n1'), services: { 'db-init': { image: 'busybox:latest', user: '0:0', command: ['chown', '-R', '1:1', '/mnt/db-data'], volumes: ['./d:/mnt/db-data'], labels: labels('init'), deploy: { restart_policy: { condition: 'on-failure', max_attempts: 3 }, placement: { constraints: ['node.hostname == n1'] } } } } })] },
  { name: 'shared nfs: the declaration carries driver and driver_opts', plans: [sp('shared', 'host', { backend: 'nas', volumes: [vol('db-data', '/data', { driver: NFS })] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { driver: 'local', driver_opts: NFS.driverOpts } } })] },
  { name: 'shared on Swarm: the same as on compose', target: 'swarm', plans: [sp('shared', 'host', { backend: 'nas', volumes: [vol('db-data', '/data', { driver: NFS })] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { driver: 'local', driver_opts: NFS.driverOpts } } })] },
  { name: 'plugin without options: no driver_opts key', plans: [sp('plugin', 'host', { volumes: [vol('v', '/v', { nameGiven: true, driver: { driver: 'rbd', driverOpts: {} } })] })], expected: [frag({ volumes: [entry('v', '/v')], topVolumes: { v: { driver: 'rbd' } } })] },
  { name: 'plugin: option values stay strings (10, true)', plans: [sp('plugin', 'host', { volumes: [vol('db-data', '/data', { driver: { driver: 'convoy', driverOpts: { size: '10', backup: 'true' } } })] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { driver: 'convoy', driver_opts: { size: '10', backup: 'true' } } } })] },
  { name: 'plugin kept: external wins over the driver', plans: [sp('plugin', 'host', { volumes: [vol('db-data', '/data', { external: 'db-data', driver: { driver: 'convoy', driverOpts: { size: '1G' } } })] })], expected: [frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { external: true, name: 'db-data' } } })] },
  { name: 'strings YAML would read otherwise stay strings (1.1 sexagesimal, null, yes, #)', plans: [sp('bind', 'container', { binds: [bind('./a #1', '/null', 'x')], init: { name: 'db-init', image: 'yes', owner: '1000:1000' } })], expected: [frag({ volumes: ['./a #1:/null'], dependsOn: { 'db-init': { condition: 'service_completed_successfully' } }, services: { 'db-init': { image: 'yes', user: '0:0', command: ['chown', '-R', '1000:1000', '/mnt/x'], volumes: ['./a #1:/mnt/x'], labels: labels('init') } } })] },
  { name: 'a value cannot add YAML structure (a line break and a key in a name)', plans: [sp('volume', 'container', { volumes: [vol('a\n  evil: 1', '/data', { nameGiven: true })] })], expected: [frag({ volumes: [entry('a\n  evil: 1', '/data')], topVolumes: { 'a\n  evil: 1': {} } })] },
  { name: 'two parts of one service: one fragment, volumes in plan order', plans: [sp('volume', 'container', { volumes: [vol('db-v', '/v')] }), sp('bind', 'container', { binds: [bind('./b', '/b', 'db-b')] })], expected: [frag({ volumes: [entry('db-v', '/v'), './b:/b'], topVolumes: { 'db-v': {} } })] },
  { name: 'two parts pinned to one node on Swarm: the constraint once', target: 'swarm', plans: [sp('volume', 'container', { node: 'n1', volumes: [vol('db-v', '/v')] }), sp('bind', 'container', { node: 'n1', binds: [bind('./b', '/b', 'db-b')] })], expected: [frag({ volumes: [entry('db-v', '/v'), './b:/b'], set: pin('n1'), topVolumes: { 'db-v': {} } })] },
  { name: 'a volume two services share is declared by the first only', plans: [sp('volume', 'container', { volumes: [vol('pg', '/data', { nameGiven: true })] }), sp('volume', 'container', { service: 'app', volumes: [vol('pg', '/in', { nameGiven: true })] })], expected: [frag({ volumes: [entry('pg', '/data')], topVolumes: { pg: {} } }), frag({ service: 'app', volumes: [entry('pg', '/in')] })] },
  { name: 'a volume the file declares is not declared again', declared: ['pg'], plans: [sp('volume', 'container', { volumes: [vol('pg', '/data', { nameGiven: true }), vol('db-x', '/x')] })], expected: [frag({ volumes: [entry('pg', '/data'), entry('db-x', '/x')], topVolumes: { 'db-x': {} } })] },
];

describe('render: the fragment of each pattern', () => {
  it.each(cases)('$name', ({ plans, target, declared, expected }) => {
    const input = deepFreeze(plans);
    expect(renderPlans(input, target ?? 'compose', BUILTIN_TABLE, new Map(), deepFreeze(new Set(declared ?? [])))).toEqual(expected);
  });

  it.each(cases.filter((c) => c.plans.length === 1 && !c.declared))('renderPlan (one plan, yaml\'s parser) gives the same: $name', ({ plans, target, expected }) => {
    expect(renderPlan(deepFreeze(plans[0]!), target ?? 'compose', BUILTIN_TABLE)).toEqual(expected[0]);
  });

  it('many plans at once (the chunked parse) give what each gives alone', () => {
    const plans = deepFreeze(Array.from({ length: 600 }, (_, i) => sp(i % 3 === 0 ? 'bind' : 'volume', 'container', {
      service: `s${i}`,
      ...(i % 3 === 0 ? { binds: [bind(`./d${i}`, '/data', `s${i}-data`)], init: { name: `s${i}-init`, image: 'busybox', owner: '1:1' } } : { volumes: [vol(`s${i}-data`, '/data')] }),
    })));
    const all = renderPlans(plans, 'compose', BUILTIN_TABLE);
    expect(all).toEqual(plans.map((p) => renderPlan(p, 'compose', BUILTIN_TABLE)));
    expect(all[599]).toEqual(frag({ service: 's599', volumes: [entry('s599-data', '/data')], topVolumes: { 's599-data': {} } }));
  });

  it('a fragment rendered beforehand (renderUserPlans) is used as given', () => {
    const plans = deepFreeze([sp('volume', 'container', { volumes: [vol('db-data', '/data')] })]);
    const given = deepFreeze(frag({ volumes: ['./x:/x'] }));
    expect(renderPlans(plans, 'compose', BUILTIN_TABLE, new Map(), new Set(), new Map([[plans[0]!, given]]))).toEqual([given]);
  });

  it('a pattern without a template is a RenderError', () => {
    expect(() => renderPlans([sp('nope', 'none')], 'compose', BUILTIN_TABLE)).toThrow(RenderError);
    expect(() => renderPlan(sp('nope', 'none'), 'compose', BUILTIN_TABLE)).toThrow(/no template for pattern nope/);
  });
});

// ---- user-defined patterns: their template, rendered on its own and checked ----

const USER: PatternDef = { name: 'mine', seedName: 'mine', level: 'container', summary: 's', needsMounts: true, keys: ['mounts'], mountKeys: ['name'], swarm: 'ok', userDefined: true, template: '' };
const HEADER_VOLUMES = '{{> _named-volumes}}\n{{> _top-volumes}}\n';
const userPlan = (level: Level = 'container', extra: Partial<ServicePlan> = {}) => sp('mine', level, { volumes: [vol('db-data', '/data')], ...extra });

interface UserCase {
  name: string;
  template: string;
  plan?: ServicePlan;
  target?: Target;
  /** The fragment, or the end of the PATTERN_DEFINITION message. */
  expected: Fragment | RegExp;
}

const userCases: UserCase[] = [
  { name: 'the built-in partials and helpers are there', template: HEADER_VOLUMES, expected: frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': {} } }) },
  { name: 'the target is given to the template', template: 'volumes:\n  - type: tmpfs\n    target: {{q (concat "/" target)}}\n', plan: userPlan('none'), target: 'swarm', expected: frag({ volumes: [{ type: 'tmpfs', target: '/swarm' }] }) },
  { name: 'params reach the template', template: 'top_volumes:\n  db-data:\n    labels:\n      size: {{q params.size}}\nvolumes:\n  - type: volume\n    source: db-data\n    target: /data\n', plan: userPlan('container', { params: { size: 5 } }), expected: frag({ volumes: [entry('db-data', '/data')], topVolumes: { 'db-data': { labels: { size: '5' } } } }) },
  { name: 'a template that throws', template: 'volumes: []\n{{> missing}}', expected: /^the template mine\.yaml\.hbs failed: The partial missing could not be found for service db$/ },
  { name: 'text that is not YAML', template: 'volumes: [\n', expected: /rendered text that is not valid YAML at line \d+ of the rendered text .*for service db$/ },
  { name: 'a key written twice', template: 'volumes: []\nvolumes: []\n', expected: /not valid YAML.*\(a key is written twice in one mapping\) for service db$/ },
  { name: 'a key a fragment does not have', template: 'command: [sh]\n', expected: /rendered unknown keys: command \(allowed: .*\) for service db$/ },
  { name: 'a service of its own', template: `${HEADER_VOLUMES}services:\n  x:\n    image: y\n`, expected: /adds the services x: a user pattern adds no services/ },
  { name: 'another key than deploy.placement on the service', template: `${HEADER_VOLUMES}set:\n  privileged: true\n`, expected: /sets privileged: on the service/ },
  { name: 'a volume not in its plan', template: 'volumes:\n  - type: volume\n    source: other\n    target: /data\n', expected: /mounts the volume "other", which is not one of its plan's volumes \(db-data\)/ },
  { name: 'a bind at a sensitive host path', template: 'volumes:\n  - /etc:/data\n', plan: userPlan('none'), expected: /mounts a host path: the bind source "\/etc" points at the sensitive host location \/etc/ },
  { name: 'a level above what it mounts', template: HEADER_VOLUMES, plan: userPlan('host'), expected: /declares level host in its header, but what it mounts gives container/ },
];

describe('renderUserPlans: a user pattern\'s template, checked', () => {
  it.each(userCases)('$name', ({ template, plan, target, expected }) => {
    const p = deepFreeze(plan ?? userPlan());
    const templates = new Map([['mine', { file: 'mine.yaml.hbs', render: compileUserTemplate(template) }]]);
    const r = renderUserPlans([p], target ?? 'compose', templates, 'compose.yaml');
    if (expected instanceof RegExp) {
      expect(r.diagnostics.map((d) => [d.code, d.severity, d.file, d.path])).toEqual([['PATTERN_DEFINITION', 'error', 'compose.yaml', [...P(), 'pattern']]]);
      expect(r.diagnostics[0]!.message).toMatch(expected);
      expect(r.fragments.size).toBe(0);
    } else {
      expect(r.diagnostics).toEqual([]);
      expect(r.fragments.get(p)).toEqual(expected);
      // And renderPlans takes it from there as it is.
      expect(renderPlans([p], target ?? 'compose', patternTable([USER]), new Map(), new Set(), r.fragments)).toEqual([expected]);
    }
  });

  it('plans of built-in patterns are left to renderPlans', () => {
    const r = renderUserPlans([sp('volume', 'container', { volumes: [vol('v', '/v')] })], 'compose', new Map([['mine', { file: 'f', render: compileUserTemplate('{}') }]]), 'compose.yaml');
    expect(r).toEqual({ fragments: new Map(), diagnostics: [] });
  });

  it('a template cannot print: log is not a helper it may use', () => {
    expect(() => compileUserTemplate('{{log "x"}}')({})).toThrow(/knownHelpersOnly, but used the unknown helper log/);
  });
});
