import { Group, List, SegmentedControl, Select, SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { type FillMark, type Level, PriceChart } from '../chart';
import { Empty, Loading, Section } from '../components';
import { triggerLines } from '../conditions-view';
import { percent, price, quantity, sign } from '../format';
import { useLive } from '../live';
import { useAccounts, useConditions, useOpenOrders, usePositions, usePremium, useTrades } from '../queries';
import { trendColours, useSettings } from '../settings';
import type { Candle } from '../types';

const TIMEFRAMES = { '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '4h': 14_400, '1d': 86_400 } as const;
type Timeframe = keyof typeof TIMEFRAMES;

/** `#/market?account=…&symbol=BTC/USDT` opens a market directly (the ticket links here). */
function fromHash(): { account?: string; symbol?: string } {
  const query = new URLSearchParams(window.location.hash.split('?')[1] ?? '');
  return { account: query.get('account') ?? undefined, symbol: query.get('symbol') ?? undefined };
}

export function MarketPage() {
  const { t } = useTranslation();
  const { settings } = useSettings();
  const { pollMs } = useLive();
  const accounts = useAccounts();
  const initial = fromHash();
  const [accountId, setAccountId] = useState<string | undefined>(initial.account);
  const [symbol, setSymbol] = useState<string | undefined>(initial.symbol);
  const [timeframe, setTimeframe] = useState<Timeframe>('1m');
  const account = accounts.data?.find((a) => a.id === accountId) ?? accounts.data?.[0];
  const markets = useQuery({
    queryKey: ['markets', account?.exchange],
    enabled: Boolean(account),
    queryFn: () => api.get<{ markets: Array<{ symbol: string; base: string; quote: string }> }>(`/markets/${account?.exchange}`),
    staleTime: 300_000,
  });
  const market = markets.data?.markets.find((m) => m.symbol === symbol) ?? markets.data?.markets[0];
  const candles = useQuery({
    queryKey: ['candles', account?.id, market?.symbol, timeframe],
    enabled: Boolean(account && market),
    queryFn: () => api.get<{ candles: Candle[] }>('/candles', { accountId: account?.id, symbol: market?.symbol, timeframe, limit: 200 }),
    refetchInterval: pollMs,
  });
  const scope = { accountId: account?.id, symbol: market?.symbol };
  const positions = usePositions();
  const conditions = useConditions({ ...scope, status: 'ARMED' });
  const orders = useOpenOrders(scope);
  const trades = useTrades({ ...scope, limit: 100 });
  const premium = usePremium(market?.base ?? '');
  const quote = market?.quote ?? '';

  const position = positions.data?.positions.find(
    (p) => p.accountId === account?.id && p.symbol === market?.symbol && sign(p.quantity) !== 0,
  );
  const levels: Level[] = [
    ...(position ? [{ role: 'entry' as const, price: position.averageEntry, title: t('lines.entry') }] : []),
    ...(conditions.data?.items ?? []).flatMap((c) => triggerLines(c).map((line) => ({ ...line, title: t(`lines.${line.role}`) }))),
    ...(orders.data?.items ?? [])
      .filter((o) => o.type === 'limit' && o.price)
      .map((o) => ({
        role: o.side === 'buy' ? ('limitBuy' as const) : ('limitSell' as const),
        price: o.price as string,
        title: t(`lines.${o.side === 'buy' ? 'limitBuy' : 'limitSell'}`),
      })),
  ];
  const fills: FillMark[] = (trades.data?.items ?? []).map((f) => ({
    time: f.timestamp,
    side: f.side,
    text: `${t(`common.${f.side}`)} ${f.amount}`,
  }));

  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <Select
          label={t('common.account')}
          data={(accounts.data ?? []).map((a) => ({ value: a.id, label: a.label }))}
          value={account?.id ?? null}
          onChange={(value) => {
            setAccountId(value ?? undefined);
            setSymbol(undefined);
          }}
          allowDeselect={false}
        />
        <Select
          label={t('common.market')}
          searchable
          data={(markets.data?.markets ?? []).map((m) => m.symbol)}
          value={market?.symbol ?? null}
          onChange={(value) => setSymbol(value ?? undefined)}
          allowDeselect={false}
          data-testid="market-symbol"
        />
        <div>
          <Text size="sm" fw={500} id="timeframe-label">
            {t('market.timeframe')}
          </Text>
          <SegmentedControl
            aria-labelledby="timeframe-label"
            value={timeframe}
            onChange={(value) => setTimeframe(value as Timeframe)}
            data={Object.keys(TIMEFRAMES)}
          />
        </div>
      </Group>
      <Section title={`${market?.symbol ?? ''} · ${account?.label ?? ''}`} testId="market-chart">
        <Loading query={candles}>
          <PriceChart
            candles={candles.data?.candles ?? []}
            levels={levels}
            fills={fills}
            colours={trendColours(settings.colours)}
            timeframeSeconds={TIMEFRAMES[timeframe]}
            label={t('market.chartLabel', { symbol: market?.symbol ?? '' })}
            timeZone={settings.timeZone}
            locale={settings.language === 'ko' ? 'ko-KR' : 'en-US'}
          />
        </Loading>
      </Section>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Section title={t('market.levels')} testId="levels">
          {levels.length === 0 ? (
            <Empty>{t('market.noLevels')}</Empty>
          ) : (
            <List size="sm" spacing={2}>
              {levels.map((level) => (
                <List.Item key={`${level.role}${level.price}`} data-testid="level" data-role={level.role} data-price={level.price}>
                  {level.title}: {price(level.price, quote, settings.language)} {quote}
                </List.Item>
              ))}
            </List>
          )}
          {position && (
            <Text size="sm" mt="sm">
              {t('market.holding', { amount: quantity(position.quantity, settings.language), base: market?.base ?? '' })}
            </Text>
          )}
        </Section>
        <Section title={t('market.premium')} testId="premium">
          {premium.data?.premiumPercent ? (
            <Text size="lg" fw={600} data-testid="premium-value">
              {t('market.premiumOf', { base: premium.data.base, premium: percent(premium.data.premiumPercent, settings.language) })}
            </Text>
          ) : (
            <Empty>{t('market.noPremium')}</Empty>
          )}
        </Section>
      </SimpleGrid>
    </Stack>
  );
}
