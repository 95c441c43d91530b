// The few figures the System page shows, read from the Prometheus text of GET /metrics: the same
// numbers Prometheus scrapes, so the page and Grafana never disagree.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/;

/** Samples of the text format 0.0.4; comments and the `# HELP`/`# TYPE` lines are skipped. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) continue;
    samples.push({ name: match[1], labels: parseLabels(match[2] ?? ''), value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's series whose labels include `where`; null when there is no such series. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number | null {
  const matching = samples.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v));
  return matching.length === 0 ? null : matching.reduce((sum, s) => sum + s.value, 0);
}

/** `a="1",b="x"` read left to right; in a value a backslash escapes the next character (`n` is a newline). */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const equals = text.indexOf('="', i);
    if (equals < 0) break;
    const key = text.slice(i, equals).replace(/^[\s,]+/, '');
    let value = '';
    let j = equals + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else value += text[j];
    }
    labels[key] = value;
    i = j + 1;
  }
  return labels;
}
