/**
 * Doctor checks for the model: the endpoint answers GET {baseUrl}/models, and it lists the
 * configured model. One probe serves both lines.
 */
import type { Config } from '../../config/schema.ts';
import type { ProbeResult } from '../../model/probe.ts';
import type { DoctorCheck } from './check.ts';

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
  ];
}
