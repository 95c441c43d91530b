/**
 * Waits for every promise, then fails with the first failure in the order given. Promise.all would
 * fail at the first rejection in time and leave the others' rejections unhandled (a tool that exits
 * because its output failed rejects too).
 */
export async function settleAll(promises: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
