import { Badge, Button, Group, SimpleGrid, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { DataTable, Empty, ErrorNote, Loading, Pnl, ProtectionBadge, Section } from '../components';
import { distancePercent, triggerLines } from '../conditions-view';
import { dateTime, money, percent, price, quantity, sign } from '../format';
import { useLive } from '../live';
import { useConditions, useLastPrices, useNotifications, useOpenOrders, usePnl, usePortfolio, usePositions, useTrades } from '../queries';
import { useSettings } from '../settings';
import type { AppNotification, Condition } from '../types';

export function OverviewPage() {
  const { t } = useTranslation();
  return (
    <Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Totals />
        <PnlCard />
      </SimpleGrid>
      <Positions />
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <OpenOrders />
        <ArmedConditions />
      </SimpleGrid>
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <RecentTrades />
        <Alerts />
      </SimpleGrid>
      <Text size="xs" c="gray.7">
        {t('overview.footnote')}
      </Text>
    </Stack>
  );
}

function Totals() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const portfolio = usePortfolio();
  return (
    <Section title={t('overview.totals')} testId="totals">
      <Loading query={portfolio}>
        {portfolio.data && (
          <Stack gap={4}>
            <Text size="xl" fw={700} data-testid="total-krw">
              {money(portfolio.data.totals.KRW ?? null, 'KRW', language)}
            </Text>
            <Text size="lg" fw={600} data-testid="total-usdt">
              {money(portfolio.data.totals.USDT ?? null, 'USDT', language)}
            </Text>
            {portfolio.data.conversion ? (
              <Text size="sm" c="gray.7" data-testid="conversion">
                {t('overview.rate', {
                  rate: money(portfolio.data.conversion.usdtKrw, 'KRW', language),
                  source: `${portfolio.data.conversion.exchange} ${portfolio.data.conversion.symbol} ${portfolio.data.conversion.source}`,
                  at: dateTime(portfolio.data.conversion.at, language, timeZone),
                })}
              </Text>
            ) : (
              <Text size="sm" c="red.9">
                {t('overview.noRate')}
              </Text>
            )}
            {!portfolio.data.complete && (
              <Text size="sm" c="orange.9">
                {t('overview.incomplete')}
              </Text>
            )}
          </Stack>
        )}
      </Loading>
    </Section>
  );
}

function PnlCard() {
  const { t } = useTranslation();
  const pnl = usePnl();
  const quotes = pnl.data
    ? [...new Set([...Object.keys(pnl.data.realized.month), ...Object.keys(pnl.data.unrealizedAfterFees)])].sort()
    : [];
  return (
    <Section title={t('overview.pnl')} testId="pnl">
      <Loading query={pnl}>
        {pnl.data && quotes.length === 0 && <Empty>{t('overview.noPnl')}</Empty>}
        {pnl.data && quotes.length > 0 && (
          <Table aria-label={t('overview.pnl')}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">{t('overview.quote')}</Table.Th>
                <Table.Th scope="col">{t('overview.today')}</Table.Th>
                <Table.Th scope="col">{t('overview.week')}</Table.Th>
                <Table.Th scope="col">{t('overview.month')}</Table.Th>
                <Table.Th scope="col">{t('overview.unrealizedAfterFees')}</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {quotes.map((quote) => (
                <Table.Tr key={quote}>
                  <Table.Th scope="row">{quote}</Table.Th>
                  {(['today', 'week', 'month'] as const).map((period) => (
                    <Table.Td key={period}>
                      <Pnl value={pnl.data.realized[period][quote] ?? '0'} currency={quote} />
                    </Table.Td>
                  ))}
                  <Table.Td>
                    <Pnl value={pnl.data.unrealizedAfterFees[quote] ?? '0'} currency={quote} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Loading>
    </Section>
  );
}

function Positions() {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  const report = usePositions();
  // The report keeps closed positions (their realized PnL); this table is what is held now.
  const open = report.data?.positions.filter((p) => sign(p.quantity) !== 0);
  const pnl = usePnl();
  const queries = useQueryClient();
  const close = useMutation({
    mutationFn: (p: { accountId: string; symbol: string }) => api.post('/positions/close', p),
    onSettled: () => queries.invalidateQueries(),
  });
  const afterFees = (accountId: string, symbol: string) =>
    pnl.data?.positions.find((p) => p.accountId === accountId && p.symbol === symbol)?.unrealizedAfterFees ?? null;
  return (
    <Section title={t('overview.positions')} testId="positions">
      {close.error && <ErrorNote error={close.error} />}
      <Loading query={report}>
        {open?.length === 0 && <Empty>{t('overview.noPositions')}</Empty>}
        {Boolean(open?.length) && (
          <DataTable
            label={t('overview.positions')}
            head={[
              t('common.market'),
              t('common.quantity'),
              t('overview.averageEntry'),
              t('overview.last'),
              t('overview.unrealizedAfterFees'),
              t('overview.return'),
              t('overview.protection'),
              '',
            ]}
          >
            {open?.map((p) => (
              <Table.Tr key={`${p.accountId}${p.symbol}`} data-testid="position-row" data-symbol={p.symbol} data-exchange={p.exchange}>
                <Table.Td>
                  {p.symbol}{' '}
                  <Text span size="xs" c="gray.7">
                    {p.exchange}
                  </Text>
                </Table.Td>
                <Table.Td>{quantity(p.quantity, language)}</Table.Td>
                <Table.Td>{price(p.averageEntry, p.quote, language)}</Table.Td>
                <Table.Td>{price(p.lastPrice, p.quote, language)}</Table.Td>
                <Table.Td>
                  <Pnl value={afterFees(p.accountId, p.symbol) ?? p.unrealizedPnl} currency={p.quote} />
                </Table.Td>
                <Table.Td>{percent(p.returnPercent, language)}</Table.Td>
                <Table.Td>
                  <ProtectionBadge protection={p.protection} />
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    color="red.9"
                    variant="outline"
                    loading={close.isPending && close.variables?.symbol === p.symbol}
                    onClick={() => window.confirm(t('overview.confirmClose', { symbol: p.symbol })) && close.mutate(p)}
                  >
                    {t('overview.close')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}

function OpenOrders() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const orders = useOpenOrders({});
  const queries = useQueryClient();
  const cancel = useMutation({ mutationFn: (id: string) => api.delete(`/orders/${id}`), onSettled: () => queries.invalidateQueries() });
  return (
    <Section title={t('overview.openOrders')} testId="open-orders">
      {cancel.error && <ErrorNote error={cancel.error} />}
      <Loading query={orders}>
        {orders.data?.items.length === 0 && <Empty>{t('overview.noOrders')}</Empty>}
        {Boolean(orders.data?.items.length) && (
          <DataTable
            label={t('overview.openOrders')}
            head={[t('common.market'), t('common.side'), t('common.price'), t('common.amount'), t('common.time'), '']}
          >
            {orders.data?.items.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>
                  {o.symbol}{' '}
                  <Text span size="xs" c="gray.7">
                    {o.exchange}
                  </Text>
                </Table.Td>
                <Table.Td>{t(`common.${o.side}`)}</Table.Td>
                <Table.Td>{price(o.price, o.symbol.split('/')[1], language)}</Table.Td>
                <Table.Td>{quantity(o.amount, language)}</Table.Td>
                <Table.Td>{dateTime(o.createdAt, language, timeZone)}</Table.Td>
                <Table.Td>
                  <Button size="xs" variant="default" onClick={() => cancel.mutate(o.id)}>
                    {t('common.cancel')}
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}

function ConditionDistance({ condition, last }: { condition: Condition; last: string | undefined }) {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  const quote = condition.symbol?.split('/')[1] ?? '';
  return (
    <Stack gap={0}>
      {triggerLines(condition).map((line) => (
        <Text key={line.role} size="sm">
          {t(`lines.${line.role}`)} {price(line.price, quote, language)} ({percent(distancePercent(line.price, last), language)})
        </Text>
      ))}
    </Stack>
  );
}

function ArmedConditions() {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  const conditions = useConditions({ status: 'ARMED' });
  const items = conditions.data?.items ?? [];
  const prices = useLastPrices(items);
  const lastOf = (c: Condition) => prices.data?.[`${c.accountId} ${c.symbol ?? ''}`];
  return (
    <Section title={t('overview.armedConditions')} testId="armed-conditions">
      <Loading query={conditions}>
        {items.length === 0 && <Empty>{t('overview.noConditions')}</Empty>}
        {items.length > 0 && (
          <DataTable
            label={t('overview.armedConditions')}
            head={[t('common.market'), t('conditions.kind'), t('overview.last'), t('overview.triggerDistance')]}
          >
            {items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  {c.symbol}{' '}
                  <Text span size="xs" c="gray.7">
                    {c.exchange}
                  </Text>
                </Table.Td>
                <Table.Td>{t(`kinds.${c.kind}`)}</Table.Td>
                <Table.Td>{price(lastOf(c), c.symbol?.split('/')[1] ?? '', language)}</Table.Td>
                <Table.Td>
                  <ConditionDistance condition={c} last={lastOf(c)} />
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}

function RecentTrades() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const trades = useTrades({ limit: 10 });
  return (
    <Section title={t('overview.recentTrades')} testId="recent-trades">
      <Loading query={trades}>
        {trades.data?.items.length === 0 && <Empty>{t('overview.noTrades')}</Empty>}
        {Boolean(trades.data?.items.length) && (
          <DataTable
            label={t('overview.recentTrades')}
            head={[t('common.time'), t('common.market'), t('common.side'), t('common.price'), t('common.amount')]}
          >
            {trades.data?.items.map((trade) => (
              <Table.Tr key={trade.id}>
                <Table.Td>{dateTime(trade.timestamp, language, timeZone)}</Table.Td>
                <Table.Td>{trade.symbol}</Table.Td>
                <Table.Td>{t(`common.${trade.side}`)}</Table.Td>
                <Table.Td>{price(trade.price, trade.symbol.split('/')[1], language)}</Table.Td>
                <Table.Td>{quantity(trade.amount, language)}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}

function Alerts() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const live = useLive();
  const stored = useNotifications();
  const seen = new Set(live.alerts.map((a) => a.id));
  const alerts: AppNotification[] = [...live.alerts, ...(stored.data?.items ?? []).filter((a) => !seen.has(a.id))].slice(0, 20);
  const colour = { critical: 'red.9', warning: 'orange.9', info: 'gray.7' } as const;
  return (
    <Section title={t('overview.alerts')} testId="alerts">
      <Loading query={stored}>
        {alerts.length === 0 && <Empty>{t('overview.noAlerts')}</Empty>}
        <Stack gap="xs" role="log" aria-live="polite" aria-label={t('overview.alerts')}>
          {alerts.map((a) => (
            <Group key={a.id} gap="xs" wrap="nowrap" align="flex-start" data-testid="alert" data-type={a.type}>
              <Badge color={colour[a.severity]} variant="filled" miw={72}>
                {t(`severity.${a.severity}`)}
              </Badge>
              <div>
                <Text size="sm" fw={500}>
                  {a.title}
                </Text>
                <Text size="xs" c="gray.7">
                  {dateTime(a.createdAt, language, timeZone)}
                </Text>
              </div>
            </Group>
          ))}
        </Stack>
      </Loading>
    </Section>
  );
}
