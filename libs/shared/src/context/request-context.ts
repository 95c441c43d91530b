import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** What every log line and error body of one request, command or scheduler tick is tagged with. */
export interface CorrelationContext {
  correlationId: string;
  /** The address of the HTTP client, for the audit log; absent outside requests. */
  clientIp?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();

export const RequestContext = {
  run<T>(correlationId: string | undefined, work: () => T, clientIp?: string): T {
    return storage.run({ correlationId: correlationId ?? randomUUID(), ...(clientIp ? { clientIp } : {}) }, work);
  },
  correlationId(): string | undefined {
    return storage.getStore()?.correlationId;
  },
  clientIp(): string | undefined {
    return storage.getStore()?.clientIp;
  },
};
