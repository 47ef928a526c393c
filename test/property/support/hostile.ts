/**
 * Hostile strings and the user-controlled fields ("slots") they are put in.
 * A slot adds one service `hx` (and, where needed, one back-end `hb`) to a
 * valid model and puts the hostile string in one field of it.
 */
import fc from 'fast-check';
import type { BlockSvcM, Model, Target } from './model.js';

const TOKENS = [
  ': ', '- ', '#', ' #', '"', "'", '{{', '}}', '{{x}}', '{{{y}}}', '${', '}', '${X}', '${X:-a}', '$$', '$', '&anchor', '*alias', '!!str', '!!binary', '!reset',
  '\u2028', '\u2029', '\u0000', '\n', '\r\n', '\r', '\t', '\u000b', '\u001b', '\u007f', '\u0085', '\ufeff', '\u200b', '\ud800', '\udfff', '😀', '漢', 'é',
  ',', '=', '/', '..', '.', '<<', '__proto__', 'constructor', 'toString', '|', '>', '%', '@', '`', '?', '[', ']', '{', '}', ':', '---', '...', '\\', '\\n',
  'y', 'no', 'on', '~', 'null', '0x1F', '1:1', '1e3', 'a', 'data', ' ', '',
];

/** Any string, weighted towards YAML, template and path syntax. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 6 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'grapheme-ascii', maxLength: 4 })), { minLength: 1, maxLength: 5 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 6 }) },
);

type Backend = Record<string, unknown>;

export interface Slot {
  name: string;
  target?: Target;
  /** Prefixes that make the value plausible, so it gets past the first checks. */
  prefixes: string[];
  apply(h: string): { svc?: { name: string; image?: string; env?: string; xField?: string }; block: [string, BlockSvcM]; backend?: [string, Backend] };
  /** Where the value sits in the rendered document (for raw text splices), relative to the top. */
  rawPath?: (blockKey: string) => string[];
}

const vol = (extra: Partial<BlockSvcM> = {}): BlockSvcM => ({ pattern: 'volume', mounts: [{ form: 'string', target: '/data' }], ...extra });
const shared = (b: Backend, extra: Partial<BlockSvcM> = {}): ReturnType<Slot['apply']> => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'shared', backend: 'hb', mounts: [{ form: 'string', target: '/data' }], ...extra }], backend: ['hb', b] });
const plugin = (b: Backend, extra: Partial<BlockSvcM> = {}): ReturnType<Slot['apply']> => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'plugin', backend: 'hb', mounts: [{ form: 'string', target: '/data' }], ...extra }], backend: ['hb', b] });
const nfs = (o: Backend): Backend => ({ type: 'nfs', address: '10.0.0.5', export: '/exports/app', ...o });
const cifs = (o: Backend): Backend => ({ type: 'cifs', address: 'fs.example', share: 'data', ...o });

export const SLOTS: Slot[] = [
  { name: 'service name', prefixes: ['', 'a'], apply: (h) => ({ svc: { name: h }, block: [h, vol()] }) },
  { name: 'block-only service name', prefixes: ['', 'a'], apply: (h) => ({ block: [h, vol()] }) },
  { name: 'compose image', prefixes: ['', 'example/app:'], apply: (h) => ({ svc: { name: 'hx', image: h }, block: ['hx', vol()] }), rawPath: () => ['services', 'hx', 'image'] },
  { name: 'compose environment value', prefixes: ['', '${X}'], apply: (h) => ({ svc: { name: 'hx', env: h }, block: ['hx', vol()] }), rawPath: () => ['services', 'hx', 'environment', 'HOSTILE'] },
  { name: 'compose x- field', prefixes: [''], apply: (h) => ({ svc: { name: 'hx', xField: h }, block: ['hx', vol()] }), rawPath: () => ['services', 'hx', 'x-meta'] },
  { name: 'mount target', prefixes: ['', '/', '/data/', '/a/b'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', vol({ mounts: [{ form: 'string', target: h }] })] }), rawPath: (k) => [k, 'services', 'hx', 'mounts', '0'] },
  { name: 'mount target (data-container)', prefixes: ['/', '/x/'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'data-container', mounts: [{ form: 'object', target: h }] }] }) },
  { name: 'mount target (bind)', prefixes: ['/', '/x/'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'bind', owner: '1:1', mounts: [{ form: 'object', target: h }] }] }) },
  { name: 'mount name', prefixes: ['', 'a'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', vol({ mounts: [{ form: 'object', target: '/data', name: h }] })] }) },
  { name: 'bind source', prefixes: ['', './', '/srv/', '${D}/'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'bind', owner: '1:1', mounts: [{ form: 'object', target: '/data', source: h }] }] }), rawPath: (k) => [k, 'services', 'hx', 'mounts', '0', 'source'] },
  { name: 'bind owner', prefixes: ['', '1:'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'bind', owner: h, mounts: [{ form: 'string', target: '/data' }] }] }), rawPath: (k) => [k, 'services', 'hx', 'owner'] },
  { name: 'helper image', prefixes: ['', 'busybox:'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'data-container', image: h, mounts: [{ form: 'string', target: '/data' }] }] }), rawPath: (k) => [k, 'services', 'hx', 'image'] },
  { name: 'init image', prefixes: [''], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'bind', owner: '0:0', image: h, mounts: [{ form: 'string', target: '/data' }] }] }) },
  { name: 'reason', prefixes: [''], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'none', mounts: [], reason: h }] }), rawPath: (k) => [k, 'services', 'hx', 'reason'] },
  { name: 'node (volume)', target: 'swarm', prefixes: ['', 'node-'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', vol({ node: h })] }), rawPath: (k) => [k, 'services', 'hx', 'node'] },
  { name: 'node (bind)', target: 'swarm', prefixes: ['', 'node-'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'bind', owner: '1:1', node: h, mounts: [{ form: 'string', target: '/data' }] }] }) },
  { name: 'shared path', prefixes: ['', 'sub/'], apply: (h) => shared({ type: 'hostpath', path: '/mnt/share' }, { mounts: [{ form: 'object', target: '/data', path: h }] }) },
  { name: 'backend name', prefixes: ['', 'b'], apply: (h) => ({ svc: { name: 'hx' }, block: ['hx', { pattern: 'shared', backend: h, mounts: [{ form: 'string', target: '/data' }] }], backend: [h, { type: 'hostpath', path: '/mnt/x' }] }) },
  { name: 'nfs address', prefixes: ['', '10.0.0.5'], apply: (h) => shared(nfs({ address: h })) },
  { name: 'nfs export', prefixes: ['', '/exports/'], apply: (h) => shared(nfs({ export: h })) },
  { name: 'nfs option', prefixes: ['', 'timeo='], apply: (h) => shared(nfs({ options: ['rw', h] })) },
  { name: 'cifs address', prefixes: ['', 'fs'], apply: (h) => shared(cifs({ address: h })) },
  { name: 'cifs share', prefixes: ['', 'data'], apply: (h) => shared(cifs({ share: h })) },
  { name: 'cifs username', prefixes: ['', 'u'], apply: (h) => shared(cifs({ username: h })) },
  { name: 'cifs password', prefixes: ['', '${'], apply: (h) => shared(cifs({ password: h })) },
  { name: 'cifs domain', prefixes: ['', 'CORP'], apply: (h) => shared(cifs({ domain: h })) },
  { name: 'cifs option', prefixes: ['', 'file_mode='], apply: (h) => shared(cifs({ options: [h] })) },
  { name: 'cifs gid', prefixes: ['', '1000'], apply: (h) => shared(cifs({ gid: h })) },
  { name: 'cifs uid', prefixes: ['', '1000'], apply: (h) => shared(cifs({ uid: h })) },
  { name: 'hostpath path', prefixes: ['', '/mnt/'], apply: (h) => shared({ type: 'hostpath', path: h }) },
  { name: 'plugin driver', prefixes: ['', 'vendor/'], apply: (h) => plugin({ type: 'plugin', driver: h }) },
  { name: 'plugin option key', prefixes: ['', 'k'], apply: (h) => plugin({ type: 'plugin', driver: 'd', options: { [h]: 'v' } }) },
  { name: 'plugin option value', prefixes: ['', 'v'], apply: (h) => plugin({ type: 'plugin', driver: 'd', options: { k: h } }) },
  { name: 'preset option key', prefixes: [''], apply: (h) => plugin({ type: 'plugin', preset: 'convoy', options: { [h]: 'v' } }) },
  { name: 'mount option key', prefixes: ['', 'k'], apply: (h) => plugin({ type: 'plugin', driver: 'd' }, { mounts: [{ form: 'object', target: '/data', options: { [h]: 'v' } }] }) },
  { name: 'mount option value', prefixes: ['', 'v'], apply: (h) => plugin({ type: 'plugin', driver: 'd' }, { mounts: [{ form: 'object', target: '/data', options: { size: h } }] }) },
];

/** Put a slot's additions into a model (renaming nothing: callers keep names apart). */
export function withSlot(m: Model, add: ReturnType<Slot['apply']>): Model {
  const out: Model = structuredClone(m);
  if (add.svc) {
    out.services.push({
      name: add.svc.name,
      image: add.svc.image ?? 'example/hostile:1',
      imageStyle: 'double',
      own: [],
      mergeCommon: false,
      flow: false,
      ...(add.svc.env !== undefined ? { env: { form: 'map', vars: [['HOSTILE', add.svc.env]] } } : {}),
      ...(add.svc.xField !== undefined ? { xField: add.svc.xField } : {}),
    });
  }
  out.block.services.push(add.block);
  if (add.backend) out.block.backends.push(add.backend);
  return out;
}
