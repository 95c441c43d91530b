// Figures a bench hands to `npm run bench` (bench/run-all): each bench appends its figures, as JSON
// lines, to the file named by BENCH_RESULTS_FILE when it is set; run alone, it only prints.
import { appendFileSync } from 'node:fs';

export interface Figure {
  bench: string;
  /** What was measured, e.g. "orders/s, sqlite". */
  name: string;
  value: number;
  unit: string;
  /** The baseline of the same run it is compared with. */
  baseline?: { name: string; value: number };
  /** The goal in words ("≥ 0.5 × baseline", "< 100 ms") and whether this run met it. */
  goal?: string;
  met?: boolean;
}

export function record(...figures: Figure[]): void {
  const file = process.env.BENCH_RESULTS_FILE;
  if (!file) return;
  for (const f of figures) appendFileSync(file, `${JSON.stringify(f)}\n`);
}
