import { describe, expect, it } from 'vitest';
import { decodeJwt, queryHashInput, signUpbitJwt, verifyJwtSignature } from './auth.js';

describe('Upbit JWT and query_hash', () => {
  it('verifies HS256 and HS512 tokens and nothing else', () => {
    for (const alg of ['HS256', 'HS512'] as const) {
      const token = signUpbitJwt({ access_key: 'a', nonce: 'n' }, 'secret', alg);
      const jwt = decodeJwt(token)!;
      expect(jwt.payload).toEqual({ access_key: 'a', nonce: 'n' });
      expect(verifyJwtSignature(jwt.header.alg, jwt.signingInput, jwt.signature, 'secret')).toBe(true);
      expect(verifyJwtSignature(jwt.header.alg, jwt.signingInput, jwt.signature, 'other')).toBe(false);
      expect(verifyJwtSignature('none', jwt.signingInput, '', 'secret')).toBe(false);
    }
    expect(decodeJwt('not-a-jwt')).toBeUndefined();
    expect(decodeJwt('a.b.c')).toBeUndefined();
  });

  it('hashes the unencoded query, or the JSON body keys in order with arrays as k[]=v', () => {
    expect(queryHashInput('GET', 'market=KRW-BTC&states%5B%5D=wait&states%5B%5D=watch', '')).toBe(
      'market=KRW-BTC&states[]=wait&states[]=watch',
    );
    expect(queryHashInput('GET', '', '')).toBeUndefined();
    expect(queryHashInput('POST', '', '{"market":"KRW-BTC","side":"bid","volume":"0.01","uuids":["a","b"],"x":null}')).toBe(
      'market=KRW-BTC&side=bid&volume=0.01&uuids[]=a&uuids[]=b',
    );
    expect(queryHashInput('POST', '', 'not json')).toBeUndefined();
    expect(queryHashInput('POST', '', '{}')).toBeUndefined();
  });
});
