// Reads a V8 CPU profile (node --cpu-prof) and prints where the time went: self time by function
// and by package or source folder, and the share of idle and garbage collection.
// Run: node dist/bench/support/profile-summary.js <file.cpuprofile> [top=25] [from ms] [to ms]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function bucketOf(url: string): string {
  if (!url) return '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return url;
  const src = /\/(apps\/[^/]+|libs\/[^/]+)\/src\/(.*)$/.exec(url);
  if (src) return `${src[1]}/${src[2].split('/').slice(0, -1).join('/') || '.'}`;
  return url.replace(/^file:\/\//, '');
}

type Nodes = Map<number, ProfileNode>;

/** Self time (µs) of each sampled node within [fromMs, toMs] after the profile's start. */
function selfTimes(profile: Profile, fromMs: number, toMs: number): Map<number, number> {
  const self = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += (profile.timeDeltas[i] ?? 0) / 1000;
    if (at >= fromMs && at <= toMs) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return self;
}

/** Self time by function and by package or source folder. */
function selfBy(self: Map<number, number>, byId: Nodes): { byFunction: Map<string, number>; byBucket: Map<string, number> } {
  const byFunction = new Map<string, number>();
  const byBucket = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const fn = `${functionName || '(anonymous)'} ${url ? `${bucketOf(url)}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const bucket = bucketOf(url) + (url ? '' : ` ${functionName}`);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + us);
  }
  return { byFunction, byBucket };
}

/** Inclusive ("total") time: every sample counts once for each distinct function on its stack (own code and packages). */
function inclusiveTimes(profile: Profile, self: Map<number, number>, byId: Nodes): Map<string, number> {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const { functionName, url, lineNumber } = byId.get(at)!.callFrame;
      if (!url || url.startsWith('node:')) continue;
      const fn = `${functionName || '(anonymous)'} ${bucketOf(url)}:${lineNumber + 1}`;
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + us);
    }
  }
  return inclusive;
}

/** `fromMs`/`toMs`: only the samples in that span after the profile's start (e.g. without start-up). */
export function summarize(profile: Profile, top = 25, fromMs = 0, toMs = Infinity): string {
  const byId: Nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = selfTimes(profile, fromMs, toMs);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const { byFunction, byBucket } = selfBy(self, byId);
  const inclusive = inclusiveTimes(profile, self, byId);
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => `  ${pct(us)}  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  return [
    `total ${(total / 1000).toFixed(0)} ms sampled`,
    'self time by package / source folder:',
    ...rows(byBucket),
    'self time by function:',
    ...rows(byFunction),
    'total time (self + callees) by function, own code and packages:',
    ...rows(inclusive),
  ].join('\n');
}

if (process.argv[1]?.endsWith('profile-summary.js')) {
  const [file, top, from, to] = process.argv.slice(2);
  console.log(summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 25), Number(from ?? 0), Number(to ?? Infinity)));
}
