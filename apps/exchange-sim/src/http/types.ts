import type { IncomingHttpHeaders } from 'node:http';

export interface SimRequest {
  method: string;
  /** Path below the exchange prefix, e.g. `/api/v3/order` or `/v1/orders`. */
  path: string;
  rawQuery: string;
  query: URLSearchParams;
  rawBody: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string;
}

export interface SimResponse {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function jsonResponse(status: number, value: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, body: JSON.stringify(value), headers: { 'Content-Type': JSON_TYPE, ...headers } };
}

export function textResponse(status: number, text: string, headers: Record<string, string> = {}): SimResponse {
  return { status, body: text, headers: { 'Content-Type': 'text/plain;charset=UTF-8', ...headers } };
}

export function htmlResponse(status: number, html: string): SimResponse {
  return { status, body: html, headers: { 'Content-Type': 'text/html' } };
}

/** A number written into JSON exactly as this decimal text (Upbit quotes prices as JSON numbers). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON.stringify that writes RawNumber without quotes — no float ever holds the value. */
export function toJson(value: unknown): string {
  if (value instanceof RawNumber) return value.text;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(v)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}
