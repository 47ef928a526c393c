/** A scripted Engine for unit tests: records every call and answers from a handler. */
import type { ComposeTarget, Engine, EngineInfo, ExecOptions, ExecResult } from '../../src/engine/engine.js';

export interface Call {
  kind: 'docker' | 'compose';
  args: readonly string[];
  target?: ComposeTarget;
  options?: ExecOptions;
}

export type Answer = Partial<ExecResult> | undefined;
export type Handler = (call: Call, calls: readonly Call[]) => Answer | Promise<Answer>;

export interface FakeEngine extends Engine {
  calls: Call[];
  /** The docker calls as space-joined strings (for readable assertions). */
  lines(): string[];
}

export function fakeEngine(handler: Handler = () => undefined, probe: EngineInfo | { error: string } = { compose: ['docker-compose'], composeVersion: '1.29.2', serverVersion: '20.10.24' }): FakeEngine {
  const calls: Call[] = [];
  const answer = async (call: Call): Promise<ExecResult> => {
    calls.push(call);
    const a = await handler(call, calls);
    return { code: a?.code ?? 0, stdout: a?.stdout ?? '', stderr: a?.stderr ?? '' };
  };
  return {
    calls,
    lines: () => calls.map((c) => `${c.kind === 'compose' ? 'compose ' : ''}${c.args.join(' ')}`),
    probe: async () => probe,
    compose: (target, args, options) => answer({ kind: 'compose', args, target, ...(options ? { options } : {}) }),
    docker: (args, options) => answer({ kind: 'docker', args, ...(options ? { options } : {}) }),
  };
}
