import { jsonResponse } from '../http/types.js';
import type { SimResponse } from '../http/types.js';

/** A Binance error answer: `{"code":-1121,"msg":"Invalid symbol."}` with its HTTP status. */
export class BinanceError extends Error {
  constructor(
    readonly code: number,
    readonly msg: string,
    readonly status = 400,
  ) {
    super(msg);
  }

  response(headers: Record<string, string> = {}): SimResponse {
    return jsonResponse(this.status, { code: this.code, msg: this.msg }, headers);
  }
}

export const mandatory = (name: string): BinanceError =>
  new BinanceError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
export const notRequired = (name: string): BinanceError => new BinanceError(-1106, `Parameter '${name}' sent when not required.`);
export const illegalNumber = (name: string): BinanceError =>
  new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
export const invalidSymbol = (): BinanceError => new BinanceError(-1121, 'Invalid symbol.');
export const filterFailure = (filter: string): BinanceError => new BinanceError(-1013, `Filter failure: ${filter}`);
export const rejected = (msg: string): BinanceError => new BinanceError(-2010, msg);
export const INSUFFICIENT_BALANCE = 'Account has insufficient balance for requested action.';
