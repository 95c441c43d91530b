import { currencyDecimals, dec, Decimal, wallClockAt } from '@tradedesk/shared';
import type { NotifyLocale } from '../../notifications.config.js';

/** Groups the integer part with commas, without ever going through a float. */
function grouped(fixed: string): string {
  const [int, frac] = fixed.split('.') as [string, string | undefined];
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  return `${sign}${withThousands(digits)}${frac ? `.${frac}` : ''}`;
}

/**
 * Commas every three digits from the right (1234567 → 1,234,567), counted rather than matched: the
 * look-ahead regex for this backtracks. Anything but digits (NaN, Infinity) is left as it is.
 */
function withThousands(digits: string): string {
  if (!/^\d+$/.test(digits)) return digits;
  const head = digits.length % 3 || 3;
  const groups = [digits.slice(0, head)];
  for (let i = head; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups.join(',');
}

/** Money in its currency's places: KRW in whole won (₩1,234,567), USDT to 8 places with trailing zeros dropped. */
export function money(value: string | undefined | null, currency: string): string {
  if (value === undefined || value === null || value === '') return '–';
  const places = currencyDecimals(currency);
  const rounded = dec(value).toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
  const fixed = places === 0 ? rounded.toFixed(0) : trimZeros(rounded.toFixed(places));
  return currency.toUpperCase() === 'KRW'
    ? `${fixed.startsWith('-') ? '-' : ''}₩${grouped(fixed.replace(/^-/, ''))}`
    : `${grouped(fixed)} ${currency}`;
}

/** A signed amount of money: +₩12,000 / -3.5 USDT. */
export function signedMoney(value: string | undefined | null, currency: string): string {
  if (value === undefined || value === null || value === '') return '–';
  return dec(value).gt(0) ? `+${money(value, currency)}` : money(value, currency);
}

/** An amount of a coin or a price: as exact as given, grouped. */
export function quantity(value: string | undefined | null, unit?: string): string {
  if (value === undefined || value === null || value === '') return '–';
  const fixed = dec(value).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed();
  return unit ? `${grouped(fixed)} ${unit}` : grouped(fixed);
}

/** A price in the quote currency: KRW prices are whole won on most steps, so they print like money without rounding them. */
export function price(value: string | undefined | null, quote: string): string {
  if (value === undefined || value === null || value === '') return '–';
  const fixed = dec(value).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed();
  return quote.toUpperCase() === 'KRW' ? `₩${grouped(fixed)}` : `${grouped(fixed)} ${quote}`;
}

export function percent(value: string | undefined | null): string {
  if (value === undefined || value === null || value === '') return '–';
  const d = dec(value).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
  return `${d.gt(0) ? '+' : ''}${d.toFixed(2)}%`;
}

/** Drops the trailing zeros of the fraction, and its point when nothing is left of it (1.50 → 1.5, 2.00 → 2). */
function trimZeros(fixed: string): string {
  if (!fixed.includes('.')) return fixed;
  let end = fixed.length;
  while (fixed[end - 1] === '0') end--;
  if (end === fixed.length) return fixed;
  return fixed[end - 1] === '.' ? fixed.slice(0, end - 1) : fixed.slice(0, end);
}

/** A moment in the configured zone, e.g. `2026-12-07 21:04:05 KST` (ko: `2026년 12월 7일 21:04:05 KST`). */
export function moment(iso: string | undefined | null, locale: NotifyLocale, timeZone: string): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  const w = wallClockAt(date, timeZone);
  const [month, day, hour, minute, second] = [w.month, w.day, w.hour, w.minute, w.second].map(twoDigits);
  const zone = zoneNameAt(date, timeZone);
  return locale === 'ko'
    ? `${w.year}년 ${w.month}월 ${w.day}일 ${hour}:${minute}:${second} ${zone}`
    : `${w.year}-${month}-${day} ${hour}:${minute}:${second} ${zone}`;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

// A formatter costs far more to build than to use (every fill's notification prints a moment): one per zone, kept.
const zoneNames = new Map<string, Intl.DateTimeFormat>();

/** The zone's short name at that instant (KST for Asia/Seoul, which Intl prints as GMT+9). */
function zoneNameAt(date: Date, timeZone: string): string {
  if (timeZone === 'Asia/Seoul') return 'KST';
  let format = zoneNames.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, timeZoneName: 'short' });
    zoneNames.set(timeZone, format);
  }
  return format.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
}

/** A duration for people: 2d 3h 4m / 2일 3시간 4분. */
export function duration(seconds: number | undefined | null, locale: NotifyLocale): string {
  if (seconds === undefined || seconds === null || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  const [d, h, m, sec] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60];
  const units = locale === 'ko' ? ['일', '시간', '분', '초'] : ['d', 'h', 'm', 's'];
  const shown = [d, h, m, sec]
    .map((v, i) => (v > 0 ? `${v}${units[i]}` : ''))
    .filter(Boolean)
    .slice(0, 3);
  return shown.length > 0 ? shown.join(' ') : `0${units[3]}`;
}

/** The calendar day (YYYY-MM-DD) of an instant in a zone. */
export function dayIn(date: Date, timeZone: string): string {
  const w = wallClockAt(date, timeZone);
  return `${w.year}-${twoDigits(w.month)}-${twoDigits(w.day)}`;
}
