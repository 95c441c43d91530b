/**
 * One drain of a queue at a time, started when work is added: `kick()` after pushing work.
 *
 * The shape `running ??= drain().finally(() => (running = undefined))` strands work: a drain ends
 * when it finds the queue empty, but it counts as running until its `finally` runs, microtasks
 * later; work pushed in between sees a drain "running" and starts none, and waits for the next
 * push — forever if there is none (issue 14: a stop's last answer was never written). Here, the
 * ended drain looks again and starts another if work came meanwhile.
 */
export class SerialDrain {
  private running: Promise<void> | undefined;

  constructor(
    /** Works the queue until it finds it empty; handles its own failures (a rejection is dropped). */
    private readonly drain: () => Promise<void>,
    /** Whether anything is queued. */
    private readonly hasWork: () => boolean,
  ) {}

  kick(): void {
    if (this.running) return;
    this.running = this.drain()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.hasWork()) this.kick();
      });
  }
}
