import { describe, expect, it } from 'vitest';
import { SerialDrain } from './serial-drain.js';

describe('SerialDrain', () => {
  it('works work pushed while a drain is ending, however many microtasks after the last item resolved', async () => {
    for (let hops = 0; hops < 12; hops++) {
      const queue: Array<() => void> = [];
      let drains = 0;
      const drain = new SerialDrain(
        async () => {
          drains++;
          while (queue.length > 0) {
            await Promise.resolve();
            queue.shift()!();
          }
        },
        () => queue.length > 0,
      );
      const push = () =>
        new Promise<void>((resolve) => {
          queue.push(resolve);
          drain.kick();
        });
      const second = push().then(async () => {
        for (let i = 0; i < hops; i++) await Promise.resolve();
        await push();
        return 'second';
      });
      const deadline = new Promise<string>((resolve) => setTimeout(() => resolve(`stranded after ${hops} hops`), 500));
      expect(await Promise.race([second, deadline])).toBe('second');
      expect(drains).toBeLessThanOrEqual(2);
    }
  });

  it('runs one drain at a time', async () => {
    let running = 0;
    let most = 0;
    const queue = [1, 2, 3];
    const drain = new SerialDrain(
      async () => {
        running++;
        most = Math.max(most, running);
        while (queue.length > 0) {
          queue.shift();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        running--;
      },
      () => queue.length > 0,
    );
    drain.kick();
    drain.kick();
    queue.push(4);
    drain.kick();
    await expect.poll(() => queue.length === 0 && running === 0).toBe(true);
    expect(most).toBe(1);
  });
});
