import type { NotificationType } from '../../domain/notification-types.js';
import type { NotifyLocale } from '../../notifications.config.js';
import { duration, moment, money, percent, price, quantity, signedMoney } from './format.js';

export interface RenderedNotification {
  title: string;
  /** Label → value lines, in order: the body of every channel. */
  lines: Array<[string, string]>;
  text: string;
  html: string;
}

type Data = Record<string, unknown>;
type Words = Record<string, { en: string; ko: string }>;

const W: Words = {
  account: { en: 'Account', ko: '계정' },
  market: { en: 'Market', ko: '마켓' },
  side: { en: 'Side', ko: '구분' },
  amount: { en: 'Amount', ko: '수량' },
  price: { en: 'Average price', ko: '평균 체결가' },
  total: { en: 'Total', ko: '체결 금액' },
  fee: { en: 'Fee', ko: '수수료' },
  pnl: { en: 'Realized PnL', ko: '실현 손익' },
  fees: { en: 'Fees (trade)', ko: '수수료 (거래 전체)' },
  return: { en: 'Return', ko: '수익률' },
  held: { en: 'Held for', ko: '보유 기간' },
  opened: { en: 'Opened', ko: '진입' },
  closed: { en: 'Closed', ko: '청산' },
  at: { en: 'Time', ko: '시각' },
  reason: { en: 'Reason', ko: '사유' },
  exit: { en: 'Closed by', ko: '청산 방식' },
  order: { en: 'Order', ko: '주문' },
  condition: { en: 'Condition', ko: '조건' },
  exchange: { en: 'Exchange', ko: '거래소' },
  since: { en: 'Since', ko: '발생 시각' },
  down: { en: 'Unavailable for', ko: '장애 시간' },
  failures: { en: 'Failed calls in a row', ko: '연속 실패 횟수' },
  conditions: { en: 'Conditions', ko: '조건' },
  day: { en: 'Day', ko: '날짜' },
  fills: { en: 'Fills', ko: '체결' },
  trades: { en: 'Trades completed', ko: '완료된 거래' },
  alerts: { en: 'Alerts', ko: '경고' },
  errors: { en: 'Errors in the window', ko: '구간 내 오류' },
  peak: { en: 'Most errors in the window', ko: '구간 최대 오류' },
  top: { en: 'Most frequent', ko: '가장 잦은 오류' },
};

const KIND: Words = {
  stop_loss: { en: 'Stop-loss', ko: '손절' },
  take_profit: { en: 'Take-profit', ko: '익절' },
  trailing_stop: { en: 'Trailing stop', ko: '트레일링 스탑' },
  bracket: { en: 'Bracket', ko: '브래킷' },
  conditional: { en: 'Conditional order', ko: '조건부 주문' },
};

const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** Renders a notification's title and body lines from its data, in the locale and zone configured. */
export function renderNotification(type: NotificationType, data: Data, locale: NotifyLocale, timeZone: string): RenderedNotification {
  const t = (w: { en: string; ko: string }) => w[locale];
  const L = (key: keyof typeof W) => t(W[key]);
  const quote = s(data.quote) ?? s(data.symbol)?.split('/')[1] ?? '';
  const base = s(data.base) ?? s(data.symbol)?.split('/')[0] ?? '';
  const when = (key: string) => moment(s(data[key]), locale, timeZone);
  const venue = `${s(data.exchange) ?? ''}${data.mode ? ` (${s(data.mode)})` : ''}`;
  const market = `${s(data.symbol) ?? ''} · ${venue}`;
  const kind = KIND[s(data.kind) ?? ''] ? t(KIND[s(data.kind)!]) : (s(data.kind) ?? '');
  const sideWord = data.side === 'sell' ? (locale === 'ko' ? '매도' : 'sell') : locale === 'ko' ? '매수' : 'buy';
  const exitWord = data.conditionKind && KIND[s(data.conditionKind)!] ? t(KIND[s(data.conditionKind)!]) : undefined;
  const fill: Array<[string, string]> = [
    [L('market'), market],
    [L('side'), sideWord],
    [L('amount'), quantity(s(data.filled), base)],
    [L('price'), price(s(data.average), quote)],
    [L('total'), money(s(data.cost), quote)],
    [L('fee'), feeOf(s(data.fee), s(data.feeCurrency) ?? quote, quote)],
  ];
  const [title, lines]: [string, Array<[string, string]>] = ((): [string, Array<[string, string]>] => {
    switch (type) {
      case 'order.filled':
      case 'order.partially_filled': {
        const partial = type === 'order.partially_filled';
        const head =
          locale === 'ko'
            ? `${partial ? '부분 체결' : '체결'}: ${data.symbol} ${sideWord}`
            : `${partial ? 'Partially filled' : 'Filled'}: ${sideWord} ${data.symbol}`;
        return [head, [...fill, [L('at'), when('at')]]];
      }
      case 'exit.filled':
        return [
          locale === 'ko' ? `${exitWord ?? '청산 주문'} 체결: ${data.symbol}` : `${exitWord ?? 'Exit'} filled: ${data.symbol}`,
          [...fill, [L('at'), when('at')]],
        ];
      case 'trade.completed':
        return [
          locale === 'ko'
            ? `거래 완료: ${data.symbol} ${signedMoney(s(data.realizedPnl), quote)}`
            : `Trade completed: ${data.symbol} ${signedMoney(s(data.realizedPnl), quote)}`,
          [
            ...(exitWord ? [[L('exit'), exitWord] as [string, string]] : []),
            ...(data.orderId ? fill : [[L('market'), market] as [string, string]]),
            [L('pnl'), signedMoney(s(data.realizedPnl), quote)],
            [L('fees'), money(s(data.fees), quote)],
            [L('return'), percent(s(data.returnPercent))],
            [L('held'), duration(typeof data.holdingSeconds === 'number' ? data.holdingSeconds : undefined, locale)],
            [L('opened'), when('openedAt')],
            [L('closed'), when('closedAt')],
          ],
        ];
      case 'order.canceled':
        return [
          locale === 'ko' ? `주문 취소: ${data.symbol}` : `Order cancelled: ${data.symbol}`,
          [...fill, [L('reason'), s(data.cause) ?? '–']],
        ];
      case 'order.rejected':
        return [
          locale === 'ko' ? `주문 거부: ${data.symbol}` : `Order rejected: ${data.symbol}`,
          [
            [L('market'), market],
            [L('side'), sideWord],
            [L('reason'), s(data.reason) ?? '–'],
            [L('order'), s(data.orderId) ?? '–'],
          ],
        ];
      case 'order.unknown':
        return [
          locale === 'ko'
            ? `확인 필요: ${data.symbol} 주문 결과를 알 수 없음`
            : `Needs attention: outcome of a ${data.symbol} order unknown`,
          [
            [L('market'), market],
            [L('side'), sideWord],
            [L('order'), `${s(data.orderId)} (${s(data.clientOrderId)})`],
            [L('at'), when('at')],
          ],
        ];
      case 'condition.fired':
        return [
          locale === 'ko' ? `${kind} 발동: ${data.symbol}` : `${kind} fired: ${data.symbol}`,
          [
            [L('condition'), s(data.conditionId) ?? '–'],
            [L('at'), when('at')],
          ],
        ];
      case 'condition.failed':
        return [
          locale === 'ko' ? `${kind} 실패 — 포지션 무방비: ${data.symbol}` : `${kind} failed — position unprotected: ${data.symbol}`,
          [
            [L('condition'), s(data.conditionId) ?? '–'],
            [L('reason'), s(data.reason) ?? '–'],
            [L('at'), when('at')],
          ],
        ];
      case 'condition.missed':
        return [
          locale === 'ko'
            ? `${kind} 미발동 (서버 중단 중 도달): ${data.symbol ?? ''}`
            : `${kind} missed while the server was down: ${data.symbol ?? ''}`,
          [
            [L('condition'), s(data.conditionId) ?? '–'],
            [L('at'), when('at')],
          ],
        ];
      case 'condition.expired':
        return [
          locale === 'ko' ? `${kind} 만료: ${data.symbol ?? ''}` : `${kind} expired: ${data.symbol ?? ''}`,
          [
            [L('condition'), s(data.conditionId) ?? '–'],
            [L('at'), when('expiresAt')],
          ],
        ];
      case 'condition.cancelled':
        return [
          locale === 'ko' ? `${kind} 종료: ${data.symbol}` : `${kind} ended: ${data.symbol}`,
          [
            [L('condition'), s(data.conditionId) ?? '–'],
            [L('reason'), s(data.reason) ?? '–'],
          ],
        ];
      case 'position.unprotected':
        return [
          locale === 'ko' ? `포지션 무방비: ${data.symbol} 가격을 읽을 수 없음` : `Position unprotected: cannot read ${data.symbol}`,
          [
            [L('market'), s(data.symbol) ?? '–'],
            [L('reason'), s(data.reason) ?? '–'],
            [L('conditions'), String((data.conditions as unknown[] | undefined)?.length ?? 0)],
            [L('since'), when('since')],
          ],
        ];
      case 'exchange.unavailable':
        return [
          locale === 'ko' ? `거래소 연결 불가: ${venue}` : `Exchange unavailable: ${venue}`,
          [
            [L('exchange'), venue],
            [L('reason'), s(data.reason) ?? '–'],
            [L('failures'), s(data.failuresInARow) ?? '–'],
            [L('since'), when('since')],
          ],
        ];
      case 'exchange.recovered':
        return [
          locale === 'ko' ? `거래소 복구: ${venue}` : `Exchange recovered: ${venue}`,
          [
            [L('exchange'), venue],
            [L('down'), duration(typeof data.downSeconds === 'number' ? data.downSeconds : undefined, locale)],
            [L('since'), when('since')],
            [L('at'), when('at')],
          ],
        ];
      case 'errors.spike':
        return [
          locale === 'ko'
            ? `오류 급증: ${s(data.windowSeconds)}초에 ${s(data.errors)}건`
            : `Error spike: ${s(data.errors)} errors in ${s(data.windowSeconds)} s`,
          [
            [L('errors'), `${s(data.errors) ?? '–'} / ${s(data.threshold) ?? '–'}`],
            [L('top'), s(data.topError) ?? '–'],
            [L('since'), when('since')],
          ],
        ];
      case 'errors.resolved':
        return [
          locale === 'ko' ? '오류 급증 해소' : 'Error spike resolved',
          [
            [L('peak'), s(data.peak) ?? '–'],
            [L('since'), when('since')],
            [L('at'), when('at')],
          ],
        ];
      case 'exchange.rate_limited':
        return [
          locale === 'ko' ? `거래소 요청 제한: ${venue}` : `Rate limited: ${venue}`,
          [
            [L('exchange'), venue],
            [L('reason'), s(data.reason) ?? '–'],
            [L('at'), when('at')],
          ],
        ];
      case 'system.started':
        return [locale === 'ko' ? 'tradedesk 시작' : 'tradedesk started', [[L('at'), when('at')]]];
      case 'system.stopping':
        return [
          locale === 'ko' ? 'tradedesk 종료 중' : 'tradedesk stopping',
          [
            [L('at'), when('at')],
            [L('reason'), s(data.signal) ?? '–'],
          ],
        ];
      case 'daily.summary': {
        const pnl = (data.realizedPnl ?? {}) as Record<string, string>;
        return [
          locale === 'ko' ? `일일 요약 ${data.day}` : `Daily summary ${data.day}`,
          [
            [L('day'), s(data.day) ?? '–'],
            [L('fills'), s(data.fills) ?? '0'],
            [L('trades'), s(data.tradesCompleted) ?? '0'],
            ...Object.entries(pnl).map(
              ([currency, value]) => [`${L('pnl')} (${currency})`, signedMoney(value, currency)] as [string, string],
            ),
            [L('alerts'), s(data.alerts) ?? '0'],
          ],
        ];
      }
    }
  })();
  return { title, lines, text: toText(title, lines), html: toHtml(title, lines) };
}

/** A fee in the quote currency is money (₩335); in another currency (BNB, the coin) an amount of it. */
function feeOf(fee: string | undefined, currency: string, quote: string): string {
  if (!fee) return '–';
  return currency === quote ? money(fee, quote) : quantity(fee, currency);
}

function toText(title: string, lines: Array<[string, string]>): string {
  return [title, '', ...lines.map(([label, value]) => `${label}: ${value}`)].join('\n');
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function toHtml(title: string, lines: Array<[string, string]>): string {
  const rows = lines
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><body style="font-family:sans-serif"><h2 style="font-size:16px">${escapeHtml(title)}</h2><table>${rows}</table><p style="color:#888;font-size:12px">tradedesk</p></body></html>`;
}
