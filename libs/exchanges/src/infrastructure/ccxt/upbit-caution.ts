/**
 * Upbit's caution flag on a market, read from the raw entry of `GET /v1/market/all?isDetails=true`
 * that ccxt keeps as the market's `info`. Upbit flags a market two ways: the investment-warning
 * designation (유의 종목: `market_event.warning`, and the older `market_warning: "CAUTION"`), and
 * caution reasons (주의 종목: `market_event.caution`, one boolean per reason such as
 * PRICE_FLUCTUATIONS). Either one puts the market under caution.
 */
export interface UpbitCaution {
  caution: boolean;
  /** `WARNING` for the designation, then each caution reason set, in Upbit's words. */
  reasons: string[];
}

export const UPBIT_WARNING_REASON = 'WARNING';

interface UpbitMarketDetails {
  market_warning?: unknown;
  market_event?: { warning?: unknown; caution?: unknown } | null;
}

export function upbitCautionOf(info: unknown): UpbitCaution {
  const details = (typeof info === 'object' && info !== null ? info : {}) as UpbitMarketDetails;
  const event = typeof details.market_event === 'object' && details.market_event !== null ? details.market_event : {};
  const reasons: string[] = [];
  if (details.market_warning === 'CAUTION' || event.warning === true) reasons.push(UPBIT_WARNING_REASON);
  if (typeof event.caution === 'object' && event.caution !== null) {
    for (const [reason, set] of Object.entries(event.caution)) if (set === true) reasons.push(reason);
  }
  return { caution: reasons.length > 0, reasons };
}
