import { describe, expect, it } from 'vitest';
import { createConjectureMetrics } from '../../src/server/metrics.ts';
import { createMetricsRegistry } from '../../src/server/metrics-registry.ts';

describe('metrics registry (Prometheus text format)', () => {
  it('renders counters with escaped labels and HELP/TYPE lines', async () => {
    const r = createMetricsRegistry();
    const c = r.counter({ name: 'x_total', help: 'a\nb', labelNames: ['path'] });
    c.inc({ path: 'a"b\\c\nd' });
    c.inc({ path: 'a"b\\c\nd' }, 2);
    c.inc({ path: 'plain' });
    expect(await r.render()).toBe(
      [
        '# HELP x_total a\\nb',
        '# TYPE x_total counter',
        'x_total{path="a\\"b\\\\c\\nd"} 3',
        'x_total{path="plain"} 1',
        '',
      ].join('\n'),
    );
  });

  it('renders cumulative histogram buckets, +Inf, sum and count', async () => {
    const r = createMetricsRegistry();
    const h = r.histogram({ name: 'lat_seconds', help: 'h', buckets: [0.1, 1] });
    for (const v of [0.05, 0.5, 0.5, 3]) h.observe({}, v);
    const text = await r.render();
    expect(text).toContain('lat_seconds_bucket{le="0.1"} 1\n');
    expect(text).toContain('lat_seconds_bucket{le="1"} 3\n');
    expect(text).toContain('lat_seconds_bucket{le="+Inf"} 4\n');
    expect(text).toContain('lat_seconds_sum 4.05\n');
    expect(text).toContain('lat_seconds_count 4\n');
  });

  it('refuses unknown labels, negative increments and duplicate names', () => {
    const r = createMetricsRegistry();
    const c = r.counter({ name: 'c_total', help: 'c', labelNames: ['a'] });
    expect(() => c.inc({ b: '1' })).toThrow(/no label b/);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(RangeError);
    expect(() => r.counter({ name: 'c_total', help: 'again' })).toThrow(/twice/);
    expect(() => r.gauge({ name: 'bad-name', help: 'x' })).toThrow(/bad metric name/);
  });

  it('a failing collector keeps its last values instead of failing the scrape', async () => {
    const r = createMetricsRegistry();
    let fail = false;
    r.gauge({
      name: 'g',
      help: 'g',
      collect: (g) => {
        if (fail) throw new Error('queue down');
        g.set({}, 7);
      },
    });
    expect(await r.render()).toContain('\ng 7\n');
    fail = true;
    expect(await r.render()).toContain('\ng 7\n');
  });

  it('reads the queue once per scrape for both queue gauges, dropping states that vanished', async () => {
    let reads = 0;
    let byState: Record<string, number> = { queued: 2, running: 1 };
    const m = createConjectureMetrics({
      queue: async () => {
        reads++;
        return { byState, depth: byState.queued ?? 0 };
      },
    });
    const first = await m.registry.render();
    expect(reads).toBe(1);
    expect(first).toContain('conjecture_jobs{state="queued"} 2\n');
    expect(first).toContain('conjecture_jobs{state="running"} 1\n');
    expect(first).toContain('conjecture_queue_depth 2\n');
    byState = { succeeded: 3 };
    const second = await m.registry.render();
    expect(second).not.toContain('state="running"');
    expect(second).toContain('conjecture_jobs{state="succeeded"} 3\n');
    expect(second).toContain('conjecture_queue_depth 0\n');
  });

  it('records tokens, cost and latencies under their documented names', async () => {
    const m = createConjectureMetrics();
    m.addTokens(100, 20, 0.5);
    m.observeModelCall(1.2, 'ok');
    m.observeSandboxExec(0.007, 'ok');
    m.observeWebhookIntake(0.002, 'accepted');
    m.observeJobFinished('succeeded', 95);
    const text = await m.registry.render();
    expect(text).toContain('conjecture_model_tokens_total{kind="prompt"} 100\n');
    expect(text).toContain('conjecture_model_tokens_total{kind="completion"} 20\n');
    expect(text).toContain('conjecture_model_cost_usd_total 0.5\n');
    expect(text).toContain('conjecture_model_request_duration_seconds_count{outcome="ok"} 1\n');
    expect(text).toContain('conjecture_sandbox_exec_duration_seconds_bucket{outcome="ok",le="0.01"} 1\n');
    expect(text).toContain('conjecture_webhook_intake_duration_seconds_count{outcome="accepted"} 1\n');
    expect(text).toContain('conjecture_job_duration_seconds_bucket{state="succeeded",le="60"} 0\n');
    expect(text).toContain('conjecture_job_duration_seconds_bucket{state="succeeded",le="120"} 1\n');
  });
});
