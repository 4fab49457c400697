/**
 * A minimal Prometheus registry: counters, gauges and histograms with labels, rendered in the
 * text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 * Gauges may have a `collect` callback, run at scrape time, for values that live elsewhere (the
 * queue's job counts); a failing or slow collector keeps its last values rather than failing the scrape.
 */
export type Labels = Record<string, string>;

export interface Counter {
  inc(labels?: Labels, value?: number): void;
}
export interface Gauge {
  set(labels: Labels, value: number): void;
  /** Drops every series, so label values that disappeared stop being reported. */
  reset(): void;
}
export interface Histogram {
  observe(labels: Labels, value: number): void;
}

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface MetricsRegistry {
  counter(options: MetricOptions): Counter;
  gauge(options: MetricOptions & { collect?: (g: Gauge) => Promise<void> | void }): Gauge;
  histogram(options: MetricOptions & { buckets?: readonly number[] }): Histogram;
  render(): Promise<string>;
}

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const DEFAULT_SECONDS_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800,
];
const COLLECT_TIMEOUT_MS = 2_000;

interface Family {
  options: MetricOptions;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
  collect?: () => Promise<void>;
}

export function createMetricsRegistry(): MetricsRegistry {
  const families = new Map<string, Family>();
  const add = (family: Family) => {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(family.options.name))
      throw new TypeError(`bad metric name ${family.options.name}`);
    if (families.has(family.options.name))
      throw new TypeError(`metric ${family.options.name} registered twice`);
    families.set(family.options.name, family);
  };

  return {
    counter(options) {
      const series = new Map<string, number>();
      add({ options, type: 'counter', lines: () => simpleLines(options.name, series) });
      return {
        inc(labels = {}, value = 1) {
          if (value < 0) throw new RangeError('a counter only goes up');
          const key = labelKey(options, labels);
          series.set(key, (series.get(key) ?? 0) + value);
        },
      };
    },
    gauge(options) {
      const series = new Map<string, number>();
      const gauge: Gauge = {
        set: (labels, value) => void series.set(labelKey(options, labels), value),
        reset: () => series.clear(),
      };
      const collect = options.collect;
      add({
        options,
        type: 'gauge',
        lines: () => simpleLines(options.name, series),
        collect: collect
          ? () =>
              withTimeout(
                Promise.resolve().then(() => collect(gauge)),
                COLLECT_TIMEOUT_MS,
              )
          : undefined,
      });
      return gauge;
    },
    histogram(options) {
      const buckets = [...(options.buckets ?? DEFAULT_SECONDS_BUCKETS)].sort((a, b) => a - b);
      const series = new Map<string, { counts: number[]; sum: number; count: number }>();
      add({
        options,
        type: 'histogram',
        lines: () =>
          [...series].flatMap(([key, s]) => [
            ...buckets.map(
              (le, i) => `${options.name}_bucket${withLabel(key, 'le', formatNumber(le))} ${s.counts[i]}`,
            ),
            `${options.name}_bucket${withLabel(key, 'le', '+Inf')} ${s.count}`,
            `${options.name}_sum${braces(key)} ${formatNumber(s.sum)}`,
            `${options.name}_count${braces(key)} ${s.count}`,
          ]),
      });
      return {
        observe(labels, value) {
          const key = labelKey(options, labels);
          const s = series.get(key) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
          series.set(key, s);
          buckets.forEach((le, i) => {
            if (value <= le) (s.counts[i] as number)++;
          });
          s.sum += value;
          s.count++;
        },
      };
    },
    async render() {
      await Promise.all([...families.values()].map((f) => f.collect?.().catch(() => undefined)));
      const out: string[] = [];
      for (const f of families.values()) {
        out.push(`# HELP ${f.options.name} ${f.options.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`);
        out.push(`# TYPE ${f.options.name} ${f.type}`);
        out.push(...f.lines());
      }
      return `${out.join('\n')}\n`;
    },
  };
}

/** Canonical `a="1",b="2"` text for a label set, in declared order; unknown or missing names are a bug. */
function labelKey(options: MetricOptions, labels: Labels): string {
  const names = options.labelNames ?? [];
  for (const k of Object.keys(labels))
    if (!names.includes(k)) throw new TypeError(`metric ${options.name} has no label ${k}`);
  return names.map((n) => `${n}="${escapeLabel(labels[n] ?? '')}"`).join(',');
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function braces(key: string): string {
  return key ? `{${key}}` : '';
}

function withLabel(key: string, name: string, value: string): string {
  return `{${key ? `${key},` : ''}${name}="${value}"}`;
}

function simpleLines(name: string, series: Map<string, number>): string[] {
  return [...series].map(([key, v]) => `${name}${braces(key)} ${formatNumber(v)}`);
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`metrics collector took over ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
