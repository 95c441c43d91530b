import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and error body of one request, command or scheduler tick is tagged with. */
export interface CorrelationContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export const RequestContext = {
  run<T>(correlationId: string | undefined, work: () => T): T {
    return storage.run({ correlationId: correlationId ?? randomUUID() }, work);
  },
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },
};
