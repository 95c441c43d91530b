import { spawn } from 'node:child_process';

/** One sample of a scrape: its name (with `_bucket`/`_sum`/`_count` for histograms), labels and value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /^([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"(?:,|$)/;

/**
 * Reads Prometheus text exposition into samples, throwing on any line that is not a comment, a
 * blank or a well-formed sample: the values the tests compare. The format itself is checked by
 * Prometheus' own parser (`promtoolCheckMetrics`).
 */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const value = valueOf(match[3]);
    if (value === undefined) throw new Error(`bad value in: ${line}`);
    samples.push({ name: match[1], labels: labelsOf(match[2] ?? '', line), value });
  }
  return samples;
}

function labelsOf(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest !== '') {
    const label = LABEL.exec(rest);
    if (!label) throw new Error(`bad labels in: ${line}`);
    labels[label[1]] = label[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(label[0].length);
  }
  return labels;
}

/** A float as Prometheus reads one (Go's ParseFloat): `NaN` and `Inf` in any case — prom-client writes `Nan`. */
function valueOf(text: string): number | undefined {
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf') return Infinity;
  if (special === '-inf') return -Infinity;
  if (special === 'nan') return NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when none). */
export function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Distinct series (name and labels) of a scrape. */
export function seriesKeys(samples: readonly Sample[]): Set<string> {
  return new Set(
    samples.map(
      (s) =>
        `${s.name}{${Object.entries(s.labels)
          .toSorted(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k}=${v}`)
          .join(',')}}`,
    ),
  );
}

export interface PromtoolVerdict {
  /** 0: clean; 3: parsed, with naming lint findings; 1: the text does not parse. */
  code: number;
  /** One finding per line. */
  findings: string[];
}

/** `promtool check metrics`: Prometheus' own parser of the text format, and its naming lint, over a scrape. */
export function promtoolCheckMetrics(text: string): Promise<PromtoolVerdict> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, findings: output.split('\n').filter((l) => l.trim() !== '') }));
    child.stdin.end(text);
  });
}
