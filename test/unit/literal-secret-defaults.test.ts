/** Secrets in defaults (issue 13, point 9): `${VAR:-literal}` is a literal secret in the output. */
import { describe, expect, it } from 'vitest';
import { secretForm } from '../../src/resolve/backends.js';
import { buildText } from '../helpers/run.js';

const cifs = (password: string, require = '') =>
  `services:\n  r: {image: r}\nx-persistence:\n${require}  backends:\n    smb:\n      type: cifs\n      address: fs\n      share: data\n      password: ${JSON.stringify(password)}\n  services:\n    r: {pattern: shared, backend: smb, mounts: [/srv]}\n`;
const plugin = (value: string, where: 'backend' | 'mount', require = '') =>
  `services:\n  r: {image: r}\nx-persistence:\n${require}  backends:\n    p: {type: plugin, driver: acme/vol${where === 'backend' ? `, options: {token: ${JSON.stringify(value)}}` : ''}}\n  services:\n    r: {pattern: plugin, backend: p, mounts: [{target: /srv${where === 'mount' ? `, options: {api_secret: ${JSON.stringify(value)}}` : ''}}]}\n`;

describe('literal defaults of credentials', () => {
  it('secretForm tells references, literals and literal defaults apart', () => {
    for (const v of ['${P}', ' ${P} ', '${P:?set P}', '${P?}', '${P:-}', '${P-}', '${P:-${Q}}', '${P-${Q:?q}}']) expect(secretForm(v), v).toBe('reference');
    for (const v of ['hunter2', '$P', 'x${P}', '${P}x', '${P', '${1P}', '${P}${Q}']) expect(secretForm(v), v).toBe('literal');
    for (const v of ['${P:-hunter2}', '${P-hunter2}', '${P:+hunter2}', '${P+x}', '${P:-${Q:-deep}}', '${P:-pre${Q}}']) expect(secretForm(v), v).toBe('literal-default');
  });

  for (const v of ['${CIFS_PASSWORD:-hunter2}', '${CIFS_PASSWORD-hunter2}']) {
    it(`a CIFS password ${v} is a LITERAL_SECRET warning saying the default is literal; an error with require:`, () => {
      const r = buildText(cifs(v));
      const w = r.diagnostics.filter((d) => d.code === 'LITERAL_SECRET');
      expect(w).toHaveLength(1);
      expect(w[0]).toMatchObject({ severity: 'warning', line: 9, col: 17 });
      expect(w[0]!.message).toMatch(/default is a literal/);
      expect(r.text).toBeDefined();
      const strict = buildText(cifs(v, '  require: container\n'));
      expect(strict.diagnostics.filter((d) => d.code === 'LITERAL_SECRET').map((d) => d.severity)).toEqual(['error']);
      expect(strict.text).toBeUndefined();
    });
  }

  it('a plugin option named like a credential, on the back-end or the mount, with a literal default', () => {
    for (const where of ['backend', 'mount'] as const) {
      const r = buildText(plugin('${TOKEN:-abc123}', where));
      const w = r.diagnostics.filter((d) => d.code === 'LITERAL_SECRET');
      expect(w.map((d) => d.severity), where).toEqual(['warning']);
      expect(w[0]!.message).toMatch(/default is a literal/);
      expect(buildText(plugin('${TOKEN:-abc123}', where, '  require: host\n')).diagnostics.filter((d) => d.code === 'LITERAL_SECRET').map((d) => d.severity)).toEqual(['error']);
      expect(buildText(plugin('${TOKEN}', where)).diagnostics.filter((d) => d.code === 'LITERAL_SECRET')).toEqual([]);
    }
  });

  it('references stay quiet; a plain literal is still a warning (an error with require:)', () => {
    expect(buildText(cifs('${CIFS_PASSWORD}')).diagnostics.filter((d) => d.code === 'LITERAL_SECRET')).toEqual([]);
    expect(buildText(cifs('${CIFS_PASSWORD:?set it}')).diagnostics.filter((d) => d.code === 'LITERAL_SECRET')).toEqual([]);
    const lit = buildText(cifs('hunter2'));
    expect(lit.diagnostics.filter((d) => d.code === 'LITERAL_SECRET').map((d) => [d.severity, d.message])).toEqual([['warning', 'the CIFS password is written literally and would be copied into the generated file']]);
    expect(buildText(cifs('hunter2', '  require: none\n')).diagnostics.filter((d) => d.code === 'LITERAL_SECRET').map((d) => d.severity)).toEqual(['error']);
  });
});
