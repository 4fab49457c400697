/**
 * Doctor checks for the model: the endpoint answers GET {baseUrl}/models, it lists the configured
 * model (one probe serves both lines), and the context the server serves it with is enough for the
 * agent (issue 15: Ollama's default 4096 tokens silently cuts the agent's prompt).
 */
import type { Config } from '../../config/schema.ts';
import type { ProbeResult } from '../../model/probe.ts';
import type { CheckOutcome, DoctorCheck } from './check.ts';

export function modelChecks(settings: Config['model'], timeoutMs: number): DoctorCheck[] {
  let probe: Promise<ProbeResult> | undefined;
  const runProbe = async () => {
    // The OpenAI SDK is heavy; load it only when doctor actually asks the endpoint.
    const { probeModelEndpoint } = await import('../../model/probe.ts');
    return probeModelEndpoint(settings, { timeoutMs });
  };
  const getProbe = () => {
    probe ??= runProbe();
    return probe;
  };
  return [
    {
      id: 'model-endpoint',
      title: `model endpoint ${settings.baseUrl}`,
      required: true,
      async run() {
        const result = await getProbe();
        if (result.ok || result.error?.code === 'model_not_found')
          return {
            status: 'pass',
            message: `model endpoint ${settings.baseUrl} answers (${result.models.length} models)`,
          };
        return {
          status: 'fail',
          message: result.error?.message ?? `model endpoint ${settings.baseUrl} did not answer`,
          fix: result.error?.hint,
        };
      },
    },
    {
      id: 'model',
      title: `model ${settings.name}`,
      required: true,
      after: 'model-endpoint',
      async run() {
        const result = await getProbe();
        if (result.ok) return { status: 'pass', message: `model ${settings.name} is served` };
        return {
          status: 'fail',
          message: result.error?.message ?? `model ${settings.name} is not served by ${settings.baseUrl}`,
          fix: result.error?.hint ?? `ollama pull ${settings.name}`,
        };
      },
    },
    {
      id: 'model-context',
      title: `context of ${settings.name}`,
      required: false,
      after: 'model',
      run: () => contextCheck(settings, timeoutMs),
    },
  ];
}

async function contextCheck(settings: Config['model'], timeoutMs: number): Promise<CheckOutcome> {
  const [{ detectServingContext }, { decideContextWindow }] = await Promise.all([
    import('../../model/serving-context.ts'),
    import('../../model/context-advice.ts'),
  ]);
  // Doctor only looks: it does not load a model to find out.
  const serving = await detectServingContext(settings, { timeoutMs });
  const decision = decideContextWindow(settings.contextWindow, serving, settings.name);
  const [warning] = decision.warnings;
  if (warning) return { status: 'warn', message: warning.message, fix: warning.fix };
  if (!serving?.tokens)
    return decision.from === 'configured'
      ? { status: 'pass', message: `context budget ${decision.contextWindow} tokens (model.contextWindow)` }
      : {
          status: 'warn',
          message: `the server does not say what context it serves ${settings.name} with; the agent assumes ${decision.contextWindow} tokens`,
          fix: "set model.contextWindow to the server's context size",
        };
  return {
    status: 'pass',
    message: `${serving.server} serves ${settings.name} with a ${serving.tokens}-token context (${serving.source}); agent budget ${decision.contextWindow} tokens`,
  };
}
