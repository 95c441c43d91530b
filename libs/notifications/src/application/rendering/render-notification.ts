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
  backup: { en: 'Backup', ko: '백업' },
  stage: { en: 'Failed at', ko: '실패 단계' },
  started: { en: 'Started', ko: '시작 시각' },
  errors: { en: 'Errors in the window', ko: '구간 내 오류' },
  peak: { en: 'Most errors in the window', ko: '구간 최대 오류' },
  top: { en: 'Most frequent', ko: '가장 잦은 오류' },
};

const BACKUP_STAGE: Words = {
  space: { en: 'disk space check (not started)', ko: '디스크 공간 확인 (시작 안 함)' },
  backup: { en: 'writing the backup', ko: '백업 작성' },
  verification: { en: 'verification (restore test)', ko: '검증 (복원 시험)' },
};

const KIND: Words = {
  stop_loss: { en: 'Stop-loss', ko: '손절' },
  take_profit: { en: 'Take-profit', ko: '익절' },
  trailing_stop: { en: 'Trailing stop', ko: '트레일링 스탑' },
  bracket: { en: 'Bracket', ko: '브래킷' },
  conditional: { en: 'Conditional order', ko: '조건부 주문' },
};

const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

type Line = [label: string, value: string];
type Rendered = [title: string, lines: Line[]];

/** What every type's renderer reads: the data, and the words and values most of them share. */
interface Context {
  data: Data;
  locale: NotifyLocale;
  /** The English or the Korean of a phrase, by the locale configured. */
  say: (en: string, ko: string) => string;
  label: (key: keyof typeof W) => string;
  /** A moment of the data (`at`, `since`…) in the locale and zone configured. */
  when: (key: string) => string;
  /** A text field of the data, or a dash when it is missing. */
  field: (key: string) => string;
  symbol: string;
  quote: string;
  venue: string;
  market: string;
  /** The condition kind in words (Stop-loss, 익절…), or as given when it is not one of ours. */
  kind: string;
  side: string;
  /** The kind of condition an exit closed by, in words, when the data says. */
  exitKind: string | undefined;
  /** The lines of a fill: market, side, amount, average price, total and fee. */
  fill: Line[];
}

/** Renders a notification's title and body lines from its data, in the locale and zone configured. */
export function renderNotification(type: NotificationType, data: Data, locale: NotifyLocale, timeZone: string): RenderedNotification {
  const [title, lines] = RENDERERS[type](contextOf(data, locale, timeZone));
  return { title, lines, text: toText(title, lines), html: toHtml(title, lines) };
}

function contextOf(data: Data, locale: NotifyLocale, timeZone: string): Context {
  const say = (en: string, ko: string) => (locale === 'ko' ? ko : en);
  const label = (key: keyof typeof W) => W[key][locale];
  const [symbolBase, symbolQuote] = s(data.symbol)?.split('/') ?? [];
  const quote = s(data.quote) ?? symbolQuote ?? '';
  const base = s(data.base) ?? symbolBase ?? '';
  const venue = `${s(data.exchange) ?? ''}${data.mode ? ` (${s(data.mode)})` : ''}`;
  const market = `${s(data.symbol) ?? ''} · ${venue}`;
  const side = data.side === 'sell' ? say('sell', '매도') : say('buy', '매수');
  return {
    data,
    locale,
    say,
    label,
    when: (key) => moment(s(data[key]), locale, timeZone),
    field: (key) => s(data[key]) ?? '–',
    symbol: s(data.symbol) ?? '',
    quote,
    venue,
    market,
    kind: kindInWords(s(data.kind), locale) ?? s(data.kind) ?? '',
    side,
    exitKind: kindInWords(s(data.conditionKind), locale),
    fill: [
      [label('market'), market],
      [label('side'), side],
      [label('amount'), quantity(s(data.filled), base)],
      [label('price'), price(s(data.average), quote)],
      [label('total'), money(s(data.cost), quote)],
      [label('fee'), feeOf(s(data.fee), s(data.feeCurrency) ?? quote, quote)],
    ],
  };
}

function kindInWords(kind: string | undefined, locale: NotifyLocale): string | undefined {
  return kind && KIND[kind] ? KIND[kind][locale] : undefined;
}

/** Seconds of the data (held for, down for) as a duration for people. */
function durationOf(c: Context, key: string): string {
  const seconds = c.data[key];
  return duration(typeof seconds === 'number' ? seconds : undefined, c.locale);
}

const RENDERERS: Record<NotificationType, (c: Context) => Rendered> = {
  'order.filled': (c) => [
    c.say(`Filled: ${c.side} ${c.symbol}`, `체결: ${c.symbol} ${c.side}`),
    [...c.fill, [c.label('at'), c.when('at')]],
  ],
  'order.partially_filled': (c) => [
    c.say(`Partially filled: ${c.side} ${c.symbol}`, `부분 체결: ${c.symbol} ${c.side}`),
    [...c.fill, [c.label('at'), c.when('at')]],
  ],
  'exit.filled': (c) => [
    c.say(`${c.exitKind ?? 'Exit'} filled: ${c.symbol}`, `${c.exitKind ?? '청산 주문'} 체결: ${c.symbol}`),
    [...c.fill, [c.label('at'), c.when('at')]],
  ],
  'trade.completed': renderTradeCompleted,
  'order.canceled': (c) => [
    c.say(`Order cancelled: ${c.symbol}`, `주문 취소: ${c.symbol}`),
    [...c.fill, [c.label('reason'), c.field('cause')]],
  ],
  'order.rejected': (c) => [
    c.say(`Order rejected: ${c.symbol}`, `주문 거부: ${c.symbol}`),
    [
      [c.label('market'), c.market],
      [c.label('side'), c.side],
      [c.label('reason'), c.field('reason')],
      [c.label('order'), c.field('orderId')],
    ],
  ],
  'order.unknown': (c) => [
    c.say(`Needs attention: outcome of a ${c.symbol} order unknown`, `확인 필요: ${c.symbol} 주문 결과를 알 수 없음`),
    [
      [c.label('market'), c.market],
      [c.label('side'), c.side],
      [c.label('order'), `${s(c.data.orderId)} (${s(c.data.clientOrderId)})`],
      [c.label('at'), c.when('at')],
    ],
  ],
  'condition.fired': (c) => [
    c.say(`${c.kind} fired: ${c.symbol}`, `${c.kind} 발동: ${c.symbol}`),
    [
      [c.label('condition'), c.field('conditionId')],
      [c.label('at'), c.when('at')],
    ],
  ],
  'condition.failed': (c) => [
    c.say(`${c.kind} failed — position unprotected: ${c.symbol}`, `${c.kind} 실패 — 포지션 무방비: ${c.symbol}`),
    [
      [c.label('condition'), c.field('conditionId')],
      [c.label('reason'), c.field('reason')],
      [c.label('at'), c.when('at')],
    ],
  ],
  'condition.missed': (c) => [
    c.say(`${c.kind} missed while the server was down: ${c.symbol}`, `${c.kind} 미발동 (서버 중단 중 도달): ${c.symbol}`),
    [
      [c.label('condition'), c.field('conditionId')],
      [c.label('at'), c.when('at')],
    ],
  ],
  'condition.expired': (c) => [
    c.say(`${c.kind} expired: ${c.symbol}`, `${c.kind} 만료: ${c.symbol}`),
    [
      [c.label('condition'), c.field('conditionId')],
      [c.label('at'), c.when('expiresAt')],
    ],
  ],
  'condition.cancelled': (c) => [
    c.say(`${c.kind} ended: ${c.symbol}`, `${c.kind} 종료: ${c.symbol}`),
    [
      [c.label('condition'), c.field('conditionId')],
      [c.label('reason'), c.field('reason')],
    ],
  ],
  'position.unprotected': (c) => [
    c.say(`Position unprotected: cannot read ${c.symbol}`, `포지션 무방비: ${c.symbol} 가격을 읽을 수 없음`),
    [
      [c.label('market'), c.field('symbol')],
      [c.label('reason'), c.field('reason')],
      [c.label('conditions'), String((c.data.conditions as unknown[] | undefined)?.length ?? 0)],
      [c.label('since'), c.when('since')],
    ],
  ],
  'exchange.unavailable': (c) => [
    c.say(`Exchange unavailable: ${c.venue}`, `거래소 연결 불가: ${c.venue}`),
    [
      [c.label('exchange'), c.venue],
      [c.label('reason'), c.field('reason')],
      [c.label('failures'), c.field('failuresInARow')],
      [c.label('since'), c.when('since')],
    ],
  ],
  'exchange.recovered': (c) => [
    c.say(`Exchange recovered: ${c.venue}`, `거래소 복구: ${c.venue}`),
    [
      [c.label('exchange'), c.venue],
      [c.label('down'), durationOf(c, 'downSeconds')],
      [c.label('since'), c.when('since')],
      [c.label('at'), c.when('at')],
    ],
  ],
  'exchange.rate_limited': (c) => [
    c.say(`Rate limited: ${c.venue}`, `거래소 요청 제한: ${c.venue}`),
    [
      [c.label('exchange'), c.venue],
      [c.label('reason'), c.field('reason')],
      [c.label('at'), c.when('at')],
    ],
  ],
  'errors.spike': (c) => [
    c.say(
      `Error spike: ${c.field('errors')} errors in ${c.field('windowSeconds')} s`,
      `오류 급증: ${c.field('windowSeconds')}초에 ${c.field('errors')}건`,
    ),
    [
      [c.label('errors'), `${c.field('errors')} / ${c.field('threshold')}`],
      [c.label('top'), c.field('topError')],
      [c.label('since'), c.when('since')],
    ],
  ],
  'errors.resolved': (c) => [
    c.say('Error spike resolved', '오류 급증 해소'),
    [
      [c.label('peak'), c.field('peak')],
      [c.label('since'), c.when('since')],
      [c.label('at'), c.when('at')],
    ],
  ],
  'backup.failed': (c) => [
    c.say(`Backup failed: ${c.field('backupId')}`, `백업 실패: ${c.field('backupId')}`),
    [
      [c.label('backup'), `${c.field('backupId')} (${c.field('driver')}, ${c.field('trigger')})`],
      [c.label('stage'), BACKUP_STAGE[c.field('stage')]?.[c.locale] ?? c.field('stage')],
      [c.label('reason'), c.field('reason')],
      [c.label('started'), c.when('startedAt')],
    ],
  ],
  'system.started': (c) => [c.say('tradedesk started', 'tradedesk 시작'), [[c.label('at'), c.when('at')]]],
  'system.stopping': (c) => [
    c.say('tradedesk stopping', 'tradedesk 종료 중'),
    [
      [c.label('at'), c.when('at')],
      [c.label('reason'), c.field('signal')],
    ],
  ],
  'daily.summary': renderDailySummary,
};

/** A round trip closed: how it closed (the exit's fill when there was one), its PnL, fees, return and holding time. */
function renderTradeCompleted(c: Context): Rendered {
  const pnl = signedMoney(s(c.data.realizedPnl), c.quote);
  const closedBy: Line[] = c.exitKind ? [[c.label('exit'), c.exitKind]] : [];
  const closing: Line[] = c.data.orderId ? c.fill : [[c.label('market'), c.market]];
  return [
    c.say(`Trade completed: ${c.symbol} ${pnl}`, `거래 완료: ${c.symbol} ${pnl}`),
    [
      ...closedBy,
      ...closing,
      [c.label('pnl'), pnl],
      [c.label('fees'), money(s(c.data.fees), c.quote)],
      [c.label('return'), percent(s(c.data.returnPercent))],
      [c.label('held'), durationOf(c, 'holdingSeconds')],
      [c.label('opened'), c.when('openedAt')],
      [c.label('closed'), c.when('closedAt')],
    ],
  ];
}

/** The day's fills, trades completed, realized PnL per quote currency and alerts. */
function renderDailySummary(c: Context): Rendered {
  const pnl = (c.data.realizedPnl ?? {}) as Record<string, string>;
  const day = s(c.data.day) ?? '';
  return [
    c.say(`Daily summary ${day}`, `일일 요약 ${day}`),
    [
      [c.label('day'), c.field('day')],
      [c.label('fills'), s(c.data.fills) ?? '0'],
      [c.label('trades'), s(c.data.tradesCompleted) ?? '0'],
      ...Object.entries(pnl).map(([currency, value]): Line => [`${c.label('pnl')} (${currency})`, signedMoney(value, currency)]),
      [c.label('alerts'), s(c.data.alerts) ?? '0'],
    ],
  ];
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
