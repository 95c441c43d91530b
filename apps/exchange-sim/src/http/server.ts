import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FaultDecision } from '../core/faults.js';
import type { ExchangeId } from '../core/markets.js';
import type { ExchangeSimulator } from '../core/sim.js';
import { isLoopback, jsonResponse, textResponse } from './types.js';
import type { SimRequest, SimResponse } from './types.js';

/** One exchange's REST front: answers a request, and knows how that exchange says "busy" and "timed out". */
export interface ExchangeFront {
  readonly exchange: ExchangeId;
  handle(req: SimRequest): SimResponse;
  /** The exchange's own 429 (fault injection). */
  tooManyRequests(req: SimRequest): SimResponse;
  /** The answer for timeoutAfterExecute '-1007' (Binance); undefined: hang instead. */
  unknownOutcome?(req: SimRequest): SimResponse;
}

export interface Route {
  front?: ExchangeFront;
  control?: (req: SimRequest) => SimResponse | Promise<SimResponse>;
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: SimResponse): void {
  res.writeHead(response.status, { ...response.headers, 'Content-Length': Buffer.byteLength(response.body) });
  res.end(response.body);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The emulator's HTTP server: `/binance/…` and `/upbit/…` for the exchanges, `/_sim/…` for the
 * control API (loopback only). Faults are applied here, around the exchange handlers, so every
 * route can be slowed, failed, reset or made to lose its answer after executing.
 */
export class SimHttpServer {
  readonly server: Server;
  private readonly sockets = new Set<Socket>();
  /** Requests whose answer is withheld (timeoutAfterExecute); ended on close. */
  private readonly hanging = new Set<ServerResponse>();

  constructor(
    private readonly sim: ExchangeSimulator,
    private readonly fronts: Record<ExchangeId, ExchangeFront>,
    private readonly control: (req: SimRequest) => SimResponse | Promise<SimResponse>,
  ) {
    this.server = createServer((req, res) => {
      this.dispatch(req, res).catch((error: unknown) => {
        this.sim.log(
          `exchange-sim: ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        if (!res.headersSent && !res.destroyed) send(res, jsonResponse(500, { error: 'internal error' }));
      });
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      for (const res of this.hanging) res.destroy();
      this.hanging.clear();
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullPath = q >= 0 ? url.slice(0, q) : url;
    const rawQuery = q >= 0 ? url.slice(q + 1) : '';
    const slash = fullPath.indexOf('/', 1);
    const prefix = slash > 0 ? fullPath.slice(1, slash) : fullPath.slice(1);
    const path = slash > 0 ? fullPath.slice(slash) : '/';
    const rawBody = req.method === 'GET' || req.method === 'HEAD' ? '' : await readBody(req);
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      rawBody,
      headers: req.headers,
      remoteAddress: req.socket.remoteAddress ?? '',
    };
    if (prefix === '_sim') {
      if (!isLoopback(simReq.remoteAddress))
        return send(res, jsonResponse(403, { error: 'the control API answers loopback clients only' }));
      return send(res, await this.control(simReq));
    }
    const front = prefix === 'binance' || prefix === 'upbit' ? this.fronts[prefix] : undefined;
    if (!front) return send(res, textResponse(404, 'Not Found'));
    this.sim.countRequest(front.exchange, `${simReq.method} ${path}`);
    const fault = this.sim.faults.decide(front.exchange, simReq.method, path);
    if (fault) {
      const handled = await this.applyFault(fault, front, simReq, res);
      if (handled) return;
    }
    send(res, front.handle(simReq));
  }

  /** Applies what must happen before or instead of the handler; true when the request is done with. */
  private async applyFault(fault: FaultDecision, front: ExchangeFront, req: SimRequest, res: ServerResponse): Promise<boolean> {
    if (fault.latencyMs > 0) await sleep(fault.latencyMs);
    if (fault.reset) {
      res.socket?.destroy();
      return true;
    }
    if (fault.status !== undefined) {
      send(res, textResponse(fault.status, fault.status >= 500 ? 'Service Unavailable' : 'Fault injected'));
      return true;
    }
    if (fault.rate429) {
      send(res, front.tooManyRequests(req));
      return true;
    }
    if (fault.timeoutAfterExecute) {
      // The request executes; its answer is lost (or, on Binance, replaced by -1007).
      front.handle(req);
      if (fault.timeoutAfterExecute === '-1007' && front.unknownOutcome) {
        send(res, front.unknownOutcome(req));
      } else {
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
      }
      return true;
    }
    return false;
  }
}
