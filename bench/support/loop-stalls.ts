// Preloaded into the app by bench/triggers (node --import): records event-loop stalls (a 10 ms timer
// firing late by more than 100 ms) with their wall-clock start, into the JSON file named by
// BENCH_LOOP_STALLS_FILE, rewritten every 250 ms and at exit. Measurement only: it changes nothing in the app.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_LOOP_STALLS_FILE;
if (file) {
  const stalls: Array<[startedAt: number, ms: number]> = [];
  let last = Date.now();
  setInterval(() => {
    const now = Date.now();
    const late = now - last - 10;
    if (late > 100) stalls.push([now - late, late]);
    last = now;
  }, 10).unref();
  const write = () => writeFileSync(file, JSON.stringify(stalls));
  setInterval(write, 250).unref();
  process.on('exit', write);
}
