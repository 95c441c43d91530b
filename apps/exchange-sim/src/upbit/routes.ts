import type { ExchangeSimulator } from '../core/sim.js';
import type { ExchangeFront } from '../http/server.js';
import { jsonResponse, textResponse } from '../http/types.js';
import type { SimRequest, SimResponse } from '../http/types.js';

export class UpbitApi implements ExchangeFront {
  readonly exchange = 'upbit' as const;
  constructor(private readonly sim: ExchangeSimulator) {}
  handle(req: SimRequest): SimResponse {
    void this.sim;
    return jsonResponse(404, { error: { name: 'not_found', message: req.path } });
  }
  tooManyRequests(): SimResponse {
    return textResponse(429, 'Too many API requests.');
  }
}
