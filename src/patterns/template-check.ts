/**
 * The compile-time rules of a user-defined pattern's template (README, "User-defined
 * patterns"): read from its Handlebars syntax tree, before anything is rendered.
 *
 * - every value is written through `{{q ...}}`, which quotes it as one YAML scalar: a bare
 *   `{{name}}` or `{{{name}}}` could add structure (a line break, `: `, `- `) and is refused;
 * - only the helpers the built-in templates use (`q`, `concat`, `bindSpec`, `eq`, `nonEmpty`,
 *   `lookup`) and the block helpers `if`, `unless`, `each`, `with`: `log` (it writes to the
 *   terminal and into `--format json`) and any other helper are refused;
 * - only the built-in partials (`{{> _named-volumes}}` ...), by name: no dynamic partials,
 *   partial blocks, inline partials or decorators.
 *
 * Each problem has the line and column in the template text (1-based).
 */
import type HandlebarsFull from 'handlebars';
import { createRequire } from 'node:module';

type Full = typeof HandlebarsFull;
type Node = hbs.AST.Node;
type Expr = hbs.AST.Expression;

export interface TemplateProblem {
  message: string;
  line: number;
  col: number;
}

/** Value helpers a template may call (all pure). */
export const VALUE_HELPERS: ReadonlySet<string> = new Set(['q', 'concat', 'bindSpec', 'eq', 'nonEmpty', 'lookup']);
/** Block helpers a template may open. */
export const BLOCK_HELPERS: ReadonlySet<string> = new Set(['if', 'unless', 'each', 'with']);

export function checkUserTemplate(text: string, partials: ReadonlySet<string>): TemplateProblem[] {
  const hb = createRequire(import.meta.url)('handlebars') as Full;
  let ast: hbs.AST.Program;
  try {
    ast = hb.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    // "Parse error on line 3: ..." or "if doesn't match each - 2:4".
    const onLine = /on line (\d+)/.exec(message);
    const at = /- (\d+):(\d+)\s*$/.exec(message.split('\n')[0]!);
    const line = onLine ? Number(onLine[1]) : at ? Number(at[1]) : 1;
    const col = at ? Number(at[2]) + 1 : 1;
    const first = message.split('\n');
    const what = onLine ? (first.slice(-1)[0] ?? '').replace(/^Expecting .*, got /, 'unexpected ') : first[0]!.replace(/ - \d+:\d+\s*$/, '');
    return [{ message: `the template does not compile: ${what}`, line, col }];
  }
  const problems: TemplateProblem[] = [];
  const add = (node: Node, message: string): void => {
    problems.push({ message, line: node.loc?.start.line ?? 1, col: (node.loc?.start.column ?? 0) + 1 });
  };
  const name = (e: Expr): string | undefined => (e.type === 'PathExpression' ? (e as hbs.AST.PathExpression).original : undefined);

  const expr = (e: Expr): void => {
    if (e.type !== 'SubExpression') return;
    const sub = e as hbs.AST.SubExpression;
    const helper = name(sub.path);
    if (helper === 'log') add(sub, 'the helper log is not available in a pattern template (it writes to the terminal)');
    else if (helper === undefined || !VALUE_HELPERS.has(helper)) add(sub, `unknown helper ${JSON.stringify(helper ?? '?')}; a template may call ${[...VALUE_HELPERS].join(', ')}`);
    args(sub.params, sub.hash);
  };
  const args = (params: readonly Expr[], hash: hbs.AST.Hash | undefined): void => {
    for (const p of params) expr(p);
    for (const pair of hash?.pairs ?? []) expr(pair.value);
  };

  const statement = (s: Node): void => {
    switch (s.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement': {
        const m = s as hbs.AST.MustacheStatement;
        const helper = name(m.path);
        if (helper === 'q' && m.params.length === 1 && !m.hash) {
          args(m.params, m.hash);
        } else if (helper === 'q') {
          add(m, '{{q ...}} quotes one value: {{q name}} or {{q (concat a b)}}');
        } else if (helper === 'log') {
          add(m, 'the helper log is not available in a pattern template (it writes to the terminal)');
        } else if (m.params.length === 0 && !m.hash && m.path.type === 'PathExpression') {
          add(m, `{{${helper}}} writes a value without {{q ...}}, so it could add YAML structure; write {{q ${helper}}}`);
        } else if (helper !== undefined && (VALUE_HELPERS.has(helper) || BLOCK_HELPERS.has(helper))) {
          add(m, `{{${helper} ...}} writes a value without {{q ...}}, so it could add YAML structure; write {{q (${helper} ...)}}`);
        } else if (helper === undefined) {
          add(m, 'a template writes values as {{q name}}; a literal or expression cannot stand alone');
        } else {
          add(m, `unknown helper ${JSON.stringify(helper)}; a template may call ${[...VALUE_HELPERS].join(', ')}`);
        }
        return;
      }
      case 'BlockStatement': {
        const b = s as hbs.AST.BlockStatement;
        const helper = name(b.path);
        if (helper === undefined || !BLOCK_HELPERS.has(helper)) {
          add(b, `unknown block helper ${JSON.stringify(helper ?? '?')}; a template may open ${[...BLOCK_HELPERS].map((h) => `#${h}`).join(', ')}`);
        }
        args(b.params, b.hash);
        for (const inner of b.program?.body ?? []) statement(inner);
        for (const inner of b.inverse?.body ?? []) statement(inner);
        return;
      }
      case 'PartialStatement': {
        const p = s as hbs.AST.PartialStatement;
        const partial = p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : undefined;
        if (partial === undefined) add(p, 'a partial is named literally, e.g. {{> _named-volumes}}; dynamic partials are not available');
        else if (!partials.has(partial)) add(p, `unknown partial ${JSON.stringify(partial)}; the partials are ${[...partials].join(', ')}`);
        args(p.params, p.hash);
        return;
      }
      default:
        // PartialBlockStatement, DecoratorBlock, Decorator: inline partials and decorators.
        add(s, `${s.type === 'PartialBlockStatement' ? 'partial blocks ({{#> ...}})' : 'decorators and inline partials ({{* ...}}, {{#* inline}})'} are not available in a pattern template`);
    }
  };
  for (const s of ast.body) statement(s);
  return problems;
}
