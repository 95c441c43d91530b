import { describe, expect, it } from 'vitest';
import { binanceSignature, signatureMatches, signedPayload } from './auth.js';

const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const PAYLOAD = 'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
const SIGNATURE = 'c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71';

describe('Binance HMAC-SHA256 signatures', () => {
  it('matches the documented test vector', () => {
    expect(binanceSignature(SECRET, PAYLOAD)).toBe(SIGNATURE);
    expect(signatureMatches(SECRET, PAYLOAD, SIGNATURE.toUpperCase())).toBe(true);
    expect(signatureMatches(SECRET, PAYLOAD, SIGNATURE.slice(0, -1) + '0')).toBe(false);
    expect(signatureMatches(SECRET, PAYLOAD, 'short')).toBe(false);
  });

  it('signs the query followed by the body, wherever the signature travels', () => {
    const [query, body] = [
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
      'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
    ];
    expect(signedPayload(query, `${body}&signature=${SIGNATURE}`)).toEqual({ payload: query + body, signature: SIGNATURE });
    expect(signedPayload(`${PAYLOAD}&signature=${SIGNATURE}`, '')).toEqual({ payload: PAYLOAD, signature: SIGNATURE });
    expect(signedPayload('', '')).toEqual({ payload: '', signature: undefined });
  });
});
