/** One Server-Sent Event as a client sees it, with the moment it arrived. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: string;
  receivedAt: number;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  /** Comment lines (`: heartbeat …`). */
  comments: string[];
  /** Resolves once `predicate` holds, or rejects after `timeoutMs`. */
  waitFor(predicate: (s: SseStream) => boolean, timeoutMs: number, what: string): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens an SSE stream with fetch and parses it as an EventSource would (id, event, data, comments). */
export async function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const listeners = new Set<() => void>();
  const stream: SseStream = {
    status: res.status,
    events: [],
    comments: [],
    ended: Promise.resolve(),
    close: () => abort.abort(),
    waitFor: (predicate, timeoutMs, what) =>
      new Promise<void>((resolve, reject) => {
        if (predicate(stream)) return resolve();
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`${what}: not within ${timeoutMs} ms (events ${stream.events.map((e) => e.id).join(',')})`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(stream)) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
      }),
  };
  if (!res.ok || !res.body) return stream;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  stream.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          readBlock(buffer.slice(0, cut), stream);
          buffer = buffer.slice(cut + 2);
          for (const listener of [...listeners]) listener();
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return stream;
}

/** One block of the stream (up to a blank line): a comment line or an event with its id, name and data. */
function readBlock(block: string, stream: SseStream): void {
  const event: SseEvent = { data: '', receivedAt: Date.now() };
  let isEvent = false;
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
    else if (line.startsWith('id: ')) [event.id, isEvent] = [line.slice(4), true];
    else if (line.startsWith('event: ')) [event.event, isEvent] = [line.slice(7), true];
    else if (line.startsWith('data: ')) [event.data, isEvent] = [event.data + line.slice(6), true];
  }
  if (isEvent && event.id) stream.events.push(event);
}
