import { jsonResponse } from '../http/types.js';
import type { SimResponse } from '../http/types.js';

/** An Upbit error answer: `{"error":{"name":"…","message":"…"}}` with its HTTP status. */
export class UpbitError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }

  response(headers: Record<string, string> = {}): SimResponse {
    return jsonResponse(this.status, { error: { name: this.errorName, message: this.message } }, headers);
  }
}

export const validation = (message: string): UpbitError => new UpbitError(400, 'validation_error', message);
export const orderNotFound = (): UpbitError => new UpbitError(404, 'order_not_found', '주문을 찾지 못했습니다.');
export const jwtFailure = (): UpbitError => new UpbitError(401, 'jwt_verification', 'Jwt 토큰 검증에 실패했습니다.');
export const invalidQueryPayload = (): UpbitError =>
  new UpbitError(401, 'invalid_query_payload', 'JWT 헤더의 페이로드가 올바르지 않습니다.');
export const nonceUsed = (): UpbitError =>
  new UpbitError(
    401,
    'nonce_used',
    '이미 요청한 nonce값이 다시 사용되었습니다. JWT 헤더 payload의 nonce 값은 매번 새로운 값을 사용해야합니다.',
  );
export const invalidAccessKey = (): UpbitError => new UpbitError(401, 'invalid_access_key', '잘못된 엑세스 키입니다.');
export const insufficientFunds = (side: 'bid' | 'ask', asset: string): UpbitError =>
  new UpbitError(400, `insufficient_funds_${side}`, `주문가능한 금액(${asset})이 부족합니다.`);
export const underMinTotal = (side: 'bid' | 'ask'): UpbitError =>
  new UpbitError(400, `under_min_total_${side}`, '최소주문금액 이상으로 주문해주세요');
export const invalidPrice = (side: 'bid' | 'ask'): UpbitError =>
  new UpbitError(400, `invalid_price_${side}`, '주문 가격 단위를 잘못 입력하셨습니다. 확인 후 시도해주세요.');
