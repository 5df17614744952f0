// parse-prometheus-text-format ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => Array<{ name: string; type: string }>;

export interface Scrape {
  /** Metric family name → type (COUNTER, GAUGE, HISTOGRAM, ...), as the parser read them. */
  families: Map<string, string>;
  /** Every sample line: series name (`x_count` for a histogram's count), labels and value. */
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses a scrape with a Prometheus text-format parser (parse-prometheus-text-format throws on a malformed line).
 * Why the samples are read here as well: that parser merges the series of a labelled histogram into one.
 */
export function parseScrape(text: string): Scrape {
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f.type] as const));
  const samples: Scrape['samples'] = [];
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return { families, samples };
}

/** The sum of the samples of one series whose labels include `labels` (for a histogram, name its `_count`). */
export function total(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  return s.samples
    .filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
    .reduce((n, x) => n + x.value, 0);
}
