// Numbers and times as people read them: the language's grouping (ko-KR or en-US), KRW without
// decimals, other quote currencies with their cents, times in the chosen zone. Decimal strings go
// to Intl as strings, which formats them exactly (no float rounding of money).
import type { Language } from './settings';

const LOCALE: Record<Language, string> = { en: 'en-US', ko: 'ko-KR' };

type Numeric = Intl.StringNumericLiteral;

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(language: Language, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${language}${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE[language], options);
    cache.set(key, format);
  }
  return format;
}

/** Money in a quote currency: `₩1,234,567` / `1,234.57 USDT`; KRW always whole. */
export function money(value: string | null | undefined, currency: string, language: Language, signed = false): string {
  if (value === null || value === undefined) return '—';
  const signDisplay = signed ? 'exceptZero' : 'auto';
  if (currency === 'KRW')
    return numberFormat(language, { style: 'currency', currency: 'KRW', maximumFractionDigits: 0, signDisplay }).format(value as Numeric);
  return `${numberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay }).format(value as Numeric)} ${currency}`;
}

/** A price on the market's grid: KRW whole above 100, otherwise every digit the API sent. */
export function price(value: string | null | undefined, quote: string, language: Language): string {
  if (value === null || value === undefined) return '—';
  const digits = value.includes('.') ? value.split('.')[1].length : 0;
  const maximumFractionDigits = quote === 'KRW' && Math.abs(Number(value)) >= 100 ? 0 : Math.min(digits, 8);
  return numberFormat(language, { maximumFractionDigits, minimumFractionDigits: 0 }).format(value as Numeric);
}

export function quantity(value: string | null | undefined, language: Language): string {
  if (value === null || value === undefined) return '—';
  return numberFormat(language, { maximumFractionDigits: 8 }).format(value as Numeric);
}

export function percent(value: string | null | undefined, language: Language, signed = true): string {
  if (value === null || value === undefined) return '—';
  return `${numberFormat(language, { maximumFractionDigits: 2, minimumFractionDigits: 2, signDisplay: signed ? 'exceptZero' : 'auto' }).format(value as Numeric)}%`;
}

/** `2026. 12. 08. 05:18:05 GMT+9` (ko) or `12/08/2026, 05:18:05 GMT+9` (en): always two-digit clock fields. */
export function dateTime(iso: string | null | undefined, language: Language, timeZone: string): string {
  if (!iso) return '—';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat(LOCALE[language], {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  );
  const two = (value: string | undefined) => (value ?? '').padStart(2, '0');
  const clock = `${two(parts.hour)}:${two(parts.minute)}:${two(parts.second)} ${parts.timeZoneName ?? ''}`.trim();
  return language === 'ko'
    ? `${parts.year}. ${two(parts.month)}. ${two(parts.day)}. ${clock}`
    : `${two(parts.month)}/${two(parts.day)}/${parts.year}, ${clock}`;
}

/** Sign of a decimal string without parsing it into a float. */
export function sign(value: string | null | undefined): -1 | 0 | 1 {
  if (!value || /^-?0*(\.0*)?$/.test(value)) return 0;
  return value.startsWith('-') ? -1 : 1;
}
