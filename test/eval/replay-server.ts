/**
 * One scripted OpenAI-compatible server for several SWE-bench instances at once: each agent
 * conversation is recognised by a phrase of its issue, gets the instance's reference fix as its
 * first command and a submit as its second. The request log tells how often each instance's agent
 * started (a request with no assistant message yet is the first turn of a run).
 */
import type { SwebenchInstance } from '../../src/eval/instances.ts';
import {
  type ChatRequestBody,
  type ScriptedTurn,
  startScriptedServer,
} from '../../src/model/scripted-server.ts';

/** Distinctive phrases of the issues of the instances the tests use. */
export const NEEDLES: Record<string, string> = {
  'iamkun__dayjs-2231': 'missing leading zeroes',
  'iamkun__dayjs-1725': 'Kurdish language',
  'iamkun__dayjs-1319': 'gggg not working',
  'sympy__sympy-16792': 'autowrap with cython backend fails',
  'sympy__sympy-17139': 'simplify(cos(x)**I)',
  'sympy__sympy-19495': 'subs with ConditionSet / ImageSet',
  'sympy__sympy-21612': 'Latex parsing of fractions yields wrong expression',
  'sympy__sympy-22714': 'Imaginary coordinates are not permitted.` with evaluate(False)',
  'sympy__sympy-24562': "Rational('0.5', '100')",
};

/** The reference fix as one shell command: write the diff with a heredoc and apply it. */
function replayCommand(patch: string): string {
  return `cat > /tmp/fix.diff <<'CONJECTURE_PATCH_END'\n${patch.replace(/\n$/, '')}\nCONJECTURE_PATCH_END\ngit apply /tmp/fix.diff && git status --short`;
}

function text(body: ChatRequestBody): string {
  return (body.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
}

export function instanceOf(body: ChatRequestBody): string | null {
  const all = text(body);
  return Object.entries(NEEDLES).find(([, needle]) => all.includes(needle))?.[0] ?? null;
}

export function isFirstTurn(body: ChatRequestBody): boolean {
  return !(body.messages ?? []).some((m) => m.role === 'assistant');
}

export interface ReplayServerOptions {
  instances: SwebenchInstance[];
  /** Called on each agent start; a returned delay holds that reply (a worker to kill meanwhile). */
  onStart?: (instanceId: string, starts: number) => number | undefined;
}

export async function startReplayServer(options: ReplayServerOptions) {
  const patches = new Map(options.instances.map((i) => [i.instance_id, i.patch]));
  const starts = new Map<string, number>();
  const reply = (body: ChatRequestBody): ScriptedTurn => {
    const id = instanceOf(body);
    if (!id) return { status: 400, errorBody: { error: { message: 'replay server: unknown instance' } } };
    if (!isFirstTurn(body))
      return {
        content: 'Submit.',
        toolCalls: [{ name: 'bash', arguments: { command: 'echo CONJECTURE_SUBMIT' } }],
      };
    const n = (starts.get(id) ?? 0) + 1;
    starts.set(id, n);
    const delayMs = options.onStart?.(id, n);
    return {
      content: 'Apply the fix.',
      toolCalls: [{ name: 'bash', arguments: { command: replayCommand(patches.get(id) ?? '') } }],
      ...(delayMs ? { delayMs } : {}),
    };
  };
  const server = await startScriptedServer({ turns: Array.from({ length: 200 }, () => ({ reply })) });
  return { server, starts };
}
