import { Alert, Button, Card, Grid, Group, Radio, SegmentedControl, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorNote, Section } from '../components';
import { money, percent, price, quantity } from '../format';
import { useAccounts, useFeeComparison } from '../queries';
import { useSettings } from '../settings';
import type { FeeVenue, Order } from '../types';

interface Draft {
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  base: string;
  accountId: string;
  sizeBy: 'amount' | 'cost';
  size: string;
  limitPrice: string;
  stopLossPercent: string;
  takeProfitPercent: string;
}

interface Sent {
  order: Order;
  conditionId?: string;
  exitError?: unknown;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** Waits for a market order to fill (it usually has by the answer) before exits are armed on it. */
async function filled(order: Order): Promise<Order> {
  let current = order;
  const deadline = Date.now() + 10_000;
  while (!['FILLED', 'CANCELED', 'REJECTED'].includes(current.status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    current = await api.get<Order>(`/orders/${order.id}`);
  }
  return current;
}

/** Sends the order; with exits, waits for the fill and arms them on the position it made. */
async function placeWithExits(draft: Draft, accountId: string, symbol: string, withExits: boolean): Promise<Sent> {
  const order = await api.post<Order>('/orders', {
    accountId,
    symbol,
    side: draft.side,
    type: draft.type,
    ...(draft.sizeBy === 'amount' ? { amount: draft.size } : { cost: draft.size }),
    ...(draft.type === 'limit' ? { price: draft.limitPrice } : {}),
  });
  if (!withExits) return { order };
  const done = await filled(order);
  if (done.status !== 'FILLED') return { order: done };
  const stopLoss = draft.stopLossPercent ? { triggerPercent: draft.stopLossPercent } : undefined;
  const takeProfit = draft.takeProfitPercent ? { triggerPercent: draft.takeProfitPercent } : undefined;
  const exit =
    stopLoss && takeProfit
      ? { kind: 'bracket', stopLoss, takeProfit }
      : stopLoss
        ? { kind: 'stop_loss', ...stopLoss }
        : { kind: 'take_profit', ...takeProfit };
  try {
    // `all`: the position this order opened or added to (its fee in coins already off).
    const condition = await api.post<{ id: string }>('/conditions', {
      ...exit,
      accountId: done.accountId,
      symbol: done.symbol,
      amount: 'all',
    });
    return { order: done, conditionId: condition.id };
  } catch (exitError) {
    return { order: done, exitError };
  }
}

export function TicketPage() {
  const { t } = useTranslation();
  const accounts = useAccounts();
  const queries = useQueryClient();
  const [draft, setDraft] = useState<Draft>({
    side: 'buy',
    type: 'market',
    base: 'BTC',
    accountId: '',
    sizeBy: 'amount',
    size: '',
    limitPrice: '',
    stopLossPercent: '',
    takeProfitPercent: '',
  });
  const [previewing, setPreviewing] = useState(false);
  const change = (patch: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setPreviewing(false);
  };

  const marketLists = useQueries({
    queries: (accounts.data ?? []).map((a) => ({
      queryKey: ['markets', a.exchange],
      queryFn: () => api.get<{ markets: Array<{ symbol: string; base: string; quote: string }> }>(`/markets/${a.exchange}`),
      staleTime: 300_000,
    })),
  });
  const bases = [...new Set(marketLists.flatMap((q) => q.data?.markets.map((m) => m.base) ?? []))].sort();
  const account = accounts.data?.find((a) => a.id === draft.accountId) ?? accounts.data?.[0];
  const quote = account?.exchange === 'upbit' ? 'KRW' : 'USDT';
  const symbol = `${draft.base}/${quote}`;
  const comparison = useFeeComparison(draft.base, draft.sizeBy === 'amount' ? draft.size : '', draft.side);
  const venue = comparison.data?.venues.find((v) => v.accountId === account?.id);
  const withExits = draft.type === 'market' && draft.side === 'buy' && (draft.stopLossPercent !== '' || draft.takeProfitPercent !== '');

  const problems: string[] = [];
  if (!DECIMAL.test(draft.size)) problems.push(t('ticket.sizeInvalid'));
  if (draft.type === 'limit' && !DECIMAL.test(draft.limitPrice)) problems.push(t('ticket.priceInvalid'));
  for (const p of [draft.stopLossPercent, draft.takeProfitPercent])
    if (p !== '' && !DECIMAL.test(p)) problems.push(t('ticket.percentInvalid'));

  const send = useMutation({
    mutationFn: () => placeWithExits(draft, account?.id ?? '', symbol, withExits),
    onSettled: () => queries.invalidateQueries(),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (problems.length > 0) return;
    if (!previewing) setPreviewing(true);
    else send.mutate();
  };

  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Section title={t('nav.ticket')} testId="ticket">
          <form onSubmit={submit} aria-describedby="ticket-problems">
            <Stack>
              <div>
                <Text size="sm" fw={500} id="side-label">
                  {t('common.side')}
                </Text>
                <SegmentedControl
                  aria-labelledby="side-label"
                  value={draft.side}
                  onChange={(value) => change({ side: value as Draft['side'], sizeBy: value === 'sell' ? 'amount' : draft.sizeBy })}
                  data={[
                    { value: 'buy', label: t('common.buy') },
                    { value: 'sell', label: t('common.sell') },
                  ]}
                />
              </div>
              <Select
                label={t('ticket.asset')}
                data={bases}
                value={draft.base}
                searchable
                allowDeselect={false}
                onChange={(value) => value && change({ base: value })}
              />
              <Radio.Group label={t('ticket.exchange')} value={account?.id ?? ''} onChange={(value) => change({ accountId: value })}>
                <Stack gap={6} mt={4}>
                  {(accounts.data ?? []).map((a) => (
                    <Radio key={a.id} value={a.id} label={a.label} data-testid={`ticket-account-${a.exchange}`} />
                  ))}
                </Stack>
              </Radio.Group>
              <div>
                <Text size="sm" fw={500} id="type-label">
                  {t('ticket.type')}
                </Text>
                <SegmentedControl
                  aria-labelledby="type-label"
                  value={draft.type}
                  onChange={(value) => change({ type: value as Draft['type'], sizeBy: value === 'limit' ? 'amount' : draft.sizeBy })}
                  data={[
                    { value: 'market', label: t('ticket.market') },
                    { value: 'limit', label: t('ticket.limit') },
                  ]}
                />
              </div>
              {draft.side === 'buy' && draft.type === 'market' && (
                <div>
                  <Text size="sm" fw={500} id="sizeby-label">
                    {t('ticket.sizeBy')}
                  </Text>
                  <SegmentedControl
                    aria-labelledby="sizeby-label"
                    value={draft.sizeBy}
                    onChange={(value) => change({ sizeBy: value as Draft['sizeBy'] })}
                    data={[
                      { value: 'amount', label: t('ticket.byAmount', { base: draft.base }) },
                      { value: 'cost', label: t('ticket.byCost', { quote }) },
                    ]}
                  />
                </div>
              )}
              <TextInput
                label={draft.sizeBy === 'amount' ? t('ticket.amount', { base: draft.base }) : t('ticket.cost', { quote })}
                value={draft.size}
                onChange={(e) => change({ size: e.currentTarget.value.trim() })}
                inputMode="decimal"
                required
              />
              {draft.type === 'limit' && (
                <TextInput
                  label={t('ticket.limitPrice', { quote })}
                  value={draft.limitPrice}
                  onChange={(e) => change({ limitPrice: e.currentTarget.value.trim() })}
                  inputMode="decimal"
                  required
                />
              )}
              {draft.type === 'market' && draft.side === 'buy' && (
                <Group grow>
                  <TextInput
                    label={t('ticket.stopLossPercent')}
                    value={draft.stopLossPercent}
                    onChange={(e) => change({ stopLossPercent: e.currentTarget.value.trim() })}
                    inputMode="decimal"
                  />
                  <TextInput
                    label={t('ticket.takeProfitPercent')}
                    value={draft.takeProfitPercent}
                    onChange={(e) => change({ takeProfitPercent: e.currentTarget.value.trim() })}
                    inputMode="decimal"
                  />
                </Group>
              )}
              <div id="ticket-problems">
                {draft.size !== '' &&
                  problems.map((p) => (
                    <Text key={p} size="sm" c="red.9">
                      {p}
                    </Text>
                  ))}
              </div>
              {previewing && (
                <Preview
                  draft={draft}
                  symbol={symbol}
                  quote={quote}
                  accountLabel={account?.label ?? ''}
                  venue={venue}
                  withExits={withExits}
                />
              )}
              <Group>
                <Button
                  type="submit"
                  disabled={problems.length > 0}
                  loading={send.isPending}
                  color={draft.side === 'buy' ? 'red.9' : 'blue.9'}
                >
                  {previewing ? t('ticket.send') : t('ticket.review')}
                </Button>
                {previewing && (
                  <Button variant="default" onClick={() => setPreviewing(false)}>
                    {t('ticket.edit')}
                  </Button>
                )}
              </Group>
              {send.error && <ErrorNote error={send.error} />}
              {send.data && (
                <Alert
                  color={['REJECTED', 'CANCELED'].includes(send.data.order.status) ? 'red' : 'teal'}
                  role="status"
                  data-testid="order-result"
                >
                  <Text size="sm">{t('ticket.sent', { status: send.data.order.status, id: send.data.order.id })}</Text>
                  {send.data.conditionId && <Text size="sm">{t('ticket.exitsArmed', { id: send.data.conditionId })}</Text>}
                  {send.data.exitError !== undefined && <ErrorNote error={send.data.exitError} />}
                </Alert>
              )}
            </Stack>
          </form>
        </Section>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <FeeComparisonCard comparison={comparison} ready={draft.sizeBy === 'amount' && DECIMAL.test(draft.size)} />
        {withExits && (
          <Text mt="sm" size="sm">
            {t('ticket.exitsNote')}
          </Text>
        )}
      </Grid.Col>
    </Grid>
  );
}

function FeeComparisonCard({ comparison, ready }: { comparison: ReturnType<typeof useFeeComparison>; ready: boolean }) {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  return (
    <Section title={t('ticket.feeComparison')} testId="fee-comparison">
      {!ready ? (
        <Text size="sm" c="gray.7">
          {t('ticket.compareNeedsAmount')}
        </Text>
      ) : comparison.error ? (
        <ErrorNote error={comparison.error} />
      ) : (
        <Table aria-label={t('ticket.feeComparison')}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">{t('common.account')}</Table.Th>
              <Table.Th scope="col">{t('ticket.feeRate')}</Table.Th>
              <Table.Th scope="col">{t('ticket.fee')}</Table.Th>
              <Table.Th scope="col">{t('ticket.totalKrw')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(comparison.data?.venues ?? []).map((v) => (
              <Table.Tr key={v.accountId} fw={comparison.data?.best?.accountId === v.accountId ? 700 : undefined}>
                <Table.Td>
                  {v.label}
                  {comparison.data?.best?.accountId === v.accountId && ` · ${t('ticket.cheapest')}`}
                </Table.Td>
                <Table.Td>{percent(String(Number(v.feeRate) * 100), language, false)}</Table.Td>
                <Table.Td>{money(v.fee, v.feeCurrency, language)}</Table.Td>
                <Table.Td>{money(v.totalKrw, 'KRW', language)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}

function Preview({
  draft,
  symbol,
  quote,
  accountLabel,
  venue,
  withExits,
}: {
  draft: Draft;
  symbol: string;
  quote: string;
  accountLabel: string;
  venue: FeeVenue | undefined;
  withExits: boolean;
}) {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  return (
    <Card withBorder bg="gray.0" data-testid="preview">
      <Text fw={600}>{t('ticket.preview')}</Text>
      <Text size="sm">
        {t('ticket.previewLine', {
          side: t(`common.${draft.side}`),
          type: t(`ticket.${draft.type}`),
          size: draft.sizeBy === 'amount' ? `${quantity(draft.size, language)} ${draft.base}` : money(draft.size, quote, language),
          symbol,
          account: accountLabel,
        })}
      </Text>
      {draft.type === 'limit' && <Text size="sm">{t('ticket.atPrice', { price: price(draft.limitPrice, quote, language) })}</Text>}
      {venue && (
        <Text size="sm">
          {t('ticket.estimate', {
            average: price(venue.averagePrice, quote, language),
            fee: money(venue.fee, venue.feeCurrency, language),
            total: money(venue.total, quote, language),
          })}
        </Text>
      )}
      {withExits && (
        <Text size="sm">
          {t('ticket.exitsLine', {
            stop: draft.stopLossPercent ? `−${draft.stopLossPercent}%` : '—',
            target: draft.takeProfitPercent ? `+${draft.takeProfitPercent}%` : '—',
          })}
        </Text>
      )}
    </Card>
  );
}
