import { connect, type Socket } from 'node:net';

/** A response read off a raw socket: status, lower-cased headers and the body text. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes the way a hostile client would (a header block Node's client refuses to build, a
 * body announced but never sent…) and resolves with the first response, whether or not the
 * request was sent whole. `keepOpen` leaves the request unfinished: the server must answer
 * without waiting for the rest.
 */
export async function rawRequest(
  url: string,
  head: string,
  body: string | Buffer = '',
  options: { deadlineMs?: number } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  const deadlineMs = options.deadlineMs ?? 10_000;
  return new Promise<RawResponse>((resolve, reject) => {
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${deadlineMs} ms; got: ${data.toString('latin1').slice(0, 300)}`));
    }, deadlineMs);
    const tryParse = () => {
      const text = data.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = data.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
      const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
      if (length === undefined || rest.length < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.subarray(0, length).toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse();
    });
    // A server may close the connection right after its answer while we still write.
    socket.on('error', (error) => {
      if (data.length === 0) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.write(head);
    if (body.length > 0) socket.write(body);
  });
}

/** One raw connection kept open across requests: what the server answers and whether it hangs up. */
export interface RawConnection {
  write(bytes: string | Buffer): void;
  /** The next complete response on this connection. */
  response(deadlineMs?: number): Promise<RawResponse>;
  /** Resolves true once the server has ended the connection, false if it is still open after `withinMs`. */
  closedByServer(withinMs: number): Promise<boolean>;
  destroy(): void;
}

export async function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = Buffer.alloc(0);
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  socket.on('data', (chunk: Buffer) => {
    data = Buffer.concat([data, chunk]);
    wake();
  });
  socket.on('end', () => ((ended = true), wake()));
  socket.on('close', () => ((ended = true), wake()));
  // Writing into a connection the server has closed resets it: that is an answer too, not a failure here.
  socket.on('error', () => ((ended = true), wake()));
  const waitUntil = async (ready: () => boolean, deadlineMs: number): Promise<boolean> => {
    const deadline = Date.now() + deadlineMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return true;
  };
  const parse = (): RawResponse | undefined => {
    const text = data.toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return undefined;
    const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const rest = data.subarray(end + 4);
    const length = Number(headers['content-length'] ?? 0);
    if (rest.length < length) return undefined;
    data = rest.subarray(length);
    return { status: Number(statusLine.split(' ')[1]), headers, body: rest.subarray(0, length).toString('utf8') };
  };
  return {
    write: (bytes) => {
      if (!socket.destroyed) socket.write(bytes);
    },
    response: async (deadlineMs = 10_000) => {
      let parsed: RawResponse | undefined;
      if (!(await waitUntil(() => (parsed = parse()) !== undefined || ended, deadlineMs)))
        throw new Error(`no complete response within ${deadlineMs} ms; got: ${data.toString('latin1').slice(0, 300)}`);
      parsed ??= parse();
      if (!parsed) throw new Error(`the connection ended without a complete response; got: ${data.toString('latin1').slice(0, 300)}`);
      return parsed;
    },
    closedByServer: (withinMs) => waitUntil(() => ended, withinMs),
    destroy: () => socket.destroy(),
  };
}
