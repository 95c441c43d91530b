// Candles with the trader's levels drawn on them (TradingView lightweight-charts). The chart is a
// canvas, so the same levels are listed beside it as text for screen readers and for checks.
import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineStyle,
  type SeriesMarker,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import type { Candle } from './types';

export type LevelRole = 'entry' | 'stopLoss' | 'takeProfit' | 'trailing' | 'limitBuy' | 'limitSell';

export interface Level {
  role: LevelRole;
  price: string;
  title: string;
}

export interface FillMark {
  time: string;
  side: 'buy' | 'sell';
  text: string;
}

const LEVEL_STYLE: Record<LevelRole, { color: string; lineStyle: LineStyle }> = {
  entry: { color: '#495057', lineStyle: LineStyle.Solid },
  stopLoss: { color: '#c92a2a', lineStyle: LineStyle.Dashed },
  takeProfit: { color: '#237032', lineStyle: LineStyle.Dashed },
  trailing: { color: '#e8590c', lineStyle: LineStyle.Dotted },
  limitBuy: { color: '#1864ab', lineStyle: LineStyle.SparseDotted },
  limitSell: { color: '#862e9c', lineStyle: LineStyle.SparseDotted },
};

const seconds = (iso: string) => Math.floor(new Date(iso).getTime() / 1000) as UTCTimestamp;

export function PriceChart({
  candles,
  levels,
  fills,
  colours,
  timeframeSeconds,
  label,
  timeZone,
  locale,
}: {
  candles: Candle[];
  levels: Level[];
  fills: FillMark[];
  colours: { up: string; down: string };
  timeframeSeconds: number;
  label: string;
  /** The chart library draws UTC; these put its axis and crosshair in the user's zone and language. */
  timeZone: string;
  locale: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const series = useRef<ISeriesApi<'Candlestick'> | null>(null);
  const markers = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  const lines = useRef<IPriceLine[]>([]);

  useEffect(() => {
    if (!container.current) return;
    const created = createChart(container.current, {
      autoSize: true,
      layout: { textColor: '#212529', background: { color: '#ffffff' } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    series.current = created.addSeries(CandlestickSeries, { priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
    markers.current = createSeriesMarkers(series.current, []);
    chart.current = created;
    return () => {
      created.remove();
      chart.current = null;
      series.current = null;
      markers.current = null;
      lines.current = [];
    };
  }, []);

  useEffect(() => {
    const at = (time: Time) => new Date((time as number) * 1000);
    const clock = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const day = new Intl.DateTimeFormat(locale, { timeZone, month: '2-digit', day: '2-digit' });
    const full = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' });
    chart.current?.applyOptions({
      localization: { locale, timeFormatter: (time: Time) => full.format(at(time)) },
      // Day marks (and coarser) show the date, finer marks the clock.
      timeScale: { tickMarkFormatter: (time: Time, markType: number) => (markType <= 2 ? day : clock).format(at(time)) },
    });
  }, [timeZone, locale]);

  useEffect(() => {
    series.current?.applyOptions({
      upColor: colours.up,
      downColor: colours.down,
      borderUpColor: colours.up,
      borderDownColor: colours.down,
      wickUpColor: colours.up,
      wickDownColor: colours.down,
    });
  }, [colours.up, colours.down]);

  useEffect(() => {
    const precision = Math.min(8, Math.max(0, ...candles.map((c) => (c.close.split('.')[1] ?? '').length)));
    series.current?.applyOptions({ priceFormat: { type: 'price', precision, minMove: 10 ** -precision } });
    series.current?.setData(
      candles.map((c) => ({
        time: seconds(c.time),
        open: Number(c.open),
        high: Number(c.high),
        low: Number(c.low),
        close: Number(c.close),
      })),
    );
  }, [candles]);

  useEffect(() => {
    const target = series.current;
    if (!target) return;
    for (const line of lines.current) target.removePriceLine(line);
    lines.current = levels.map((level) =>
      target.createPriceLine({
        price: Number(level.price),
        title: level.title,
        lineWidth: 2,
        axisLabelVisible: true,
        ...LEVEL_STYLE[level.role],
      }),
    );
  }, [levels]);

  useEffect(() => {
    // A fill is marked on the candle it happened in.
    const marks: Array<SeriesMarker<Time>> = fills
      .map((f) => ({
        time: (Math.floor(seconds(f.time) / timeframeSeconds) * timeframeSeconds) as UTCTimestamp,
        position: f.side === 'buy' ? ('belowBar' as const) : ('aboveBar' as const),
        shape: f.side === 'buy' ? ('arrowUp' as const) : ('arrowDown' as const),
        color: f.side === 'buy' ? colours.up : colours.down,
        text: f.text,
      }))
      .sort((a, b) => a.time - b.time);
    markers.current?.setMarkers(marks);
  }, [fills, timeframeSeconds, colours.up, colours.down]);

  return <div ref={container} role="figure" aria-label={label} style={{ width: '100%', height: 420 }} data-testid="chart" />;
}
