import { Badge, Button, Group, SegmentedControl, Select, Stack, Table, Text, TextInput, Timeline } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { DataTable, Empty, ErrorNote, Loading, Section } from '../components';
import { hasStop, triggerLines } from '../conditions-view';
import { dateTime, price } from '../format';
import { useAccounts, useConditions } from '../queries';
import { useSettings } from '../settings';
import type { Condition } from '../types';

const OPEN_STATUSES = ['ARMED', 'PAUSED', 'TRIGGERED', 'FIRING'];

export function ConditionsPage() {
  const { t } = useTranslation();
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const conditions = useConditions({});
  const items = (conditions.data?.items ?? []).filter((c) => filter === 'all' || OPEN_STATUSES.includes(c.status));
  return (
    <Stack>
      <ArmForm />
      <Section title={t('nav.conditions')} testId="conditions">
        <SegmentedControl
          mb="sm"
          aria-label={t('conditions.filter')}
          value={filter}
          onChange={(value) => setFilter(value as 'open' | 'all')}
          data={[
            { value: 'open', label: t('conditions.open') },
            { value: 'all', label: t('conditions.all') },
          ]}
        />
        <Loading query={conditions}>
          {items.length === 0 && <Empty>{t('overview.noConditions')}</Empty>}
          {items.length > 0 && (
            <DataTable
              label={t('nav.conditions')}
              head={[t('common.market'), t('conditions.kind'), t('conditions.status'), t('conditions.triggers'), '']}
            >
              {items.map((c) => (
                <ConditionRow key={c.id} condition={c} />
              ))}
            </DataTable>
          )}
        </Loading>
      </Section>
    </Stack>
  );
}

function ConditionRow({ condition: c }: { condition: Condition }) {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  const [open, setOpen] = useState(false);
  const queries = useQueryClient();
  const act = useMutation({
    mutationFn: (action: 'breakEven' | 'pause' | 'resume' | 'cancel') => {
      if (action === 'breakEven')
        return api.patch(`/conditions/${c.id}`, c.kind === 'bracket' ? { stopLoss: { moveTo: 'breakEven' } } : { moveTo: 'breakEven' });
      if (action === 'cancel') return api.delete(`/conditions/${c.id}`);
      return api.post(`/conditions/${c.id}/${action}`);
    },
    onSettled: () => queries.invalidateQueries(),
  });
  const quote = c.symbol?.split('/')[1] ?? '';
  return (
    <>
      <Table.Tr data-testid="condition-row" data-kind={c.kind} data-status={c.status} data-symbol={c.symbol ?? undefined}>
        <Table.Td>
          {c.symbol}{' '}
          <Text span size="xs" c="gray.7">
            {c.exchange}
          </Text>
        </Table.Td>
        <Table.Td>
          {t(`kinds.${c.kind}`)}{' '}
          <Text span size="xs" c="gray.7">
            {c.placement}
          </Text>
        </Table.Td>
        <Table.Td>
          <Badge variant="filled" color={c.status === 'ARMED' ? 'teal.9' : c.status === 'FAILED' ? 'red.9' : 'gray.8'}>
            {c.status}
          </Badge>
        </Table.Td>
        <Table.Td>
          {triggerLines(c).map((line) => (
            <Text key={line.role} size="sm">
              {t(`lines.${line.role}`)} {price(line.price, quote, language)}
            </Text>
          ))}
          {c.failureReason && (
            <Text size="xs" c="red.9">
              {c.failureReason}
            </Text>
          )}
        </Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            {c.status === 'ARMED' && hasStop(c) && (
              <Button size="xs" variant="default" onClick={() => act.mutate('breakEven')}>
                {t('conditions.breakEven')}
              </Button>
            )}
            {c.status === 'ARMED' && (
              <Button size="xs" variant="default" onClick={() => act.mutate('pause')}>
                {t('conditions.pause')}
              </Button>
            )}
            {c.status === 'PAUSED' && (
              <Button size="xs" variant="default" onClick={() => act.mutate('resume')}>
                {t('conditions.resume')}
              </Button>
            )}
            {['ARMED', 'PAUSED'].includes(c.status) && (
              <Button size="xs" variant="outline" color="red.9" onClick={() => act.mutate('cancel')}>
                {t('common.cancel')}
              </Button>
            )}
            <Button size="xs" variant="subtle" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
              {t('conditions.timeline')}
            </Button>
          </Group>
        </Table.Td>
      </Table.Tr>
      {(open || act.error) && (
        <Table.Tr>
          <Table.Td colSpan={5}>
            {act.error && <ErrorNote error={act.error} />}
            {open && <ConditionTimeline id={c.id} quote={quote} />}
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

function ConditionTimeline({ id, quote }: { id: string; quote: string }) {
  const { language, timeZone } = useSettings().settings;
  const detail = useQuery({ queryKey: ['conditions', id], queryFn: () => api.get<Condition>(`/conditions/${id}`) });
  return (
    <Loading query={detail}>
      <Timeline bulletSize={12} lineWidth={2} data-testid="condition-timeline">
        {(detail.data?.timeline ?? []).map((line, i) => (
          <Timeline.Item key={`${line.at}${i}`} title={`${line.event} → ${line.status}`}>
            <Text size="xs">
              {dateTime(line.at, language, timeZone)}
              {line.price ? ` · ${price(line.price, quote, language)}` : ''}
              {line.trigger ? ` · ${price(line.trigger, quote, language)}` : ''}
            </Text>
          </Timeline.Item>
        ))}
      </Timeline>
    </Loading>
  );
}

type Kind = 'stop_loss' | 'take_profit' | 'trailing_stop' | 'bracket';

function ArmForm() {
  const { t } = useTranslation();
  const accounts = useAccounts();
  const queries = useQueryClient();
  const [kind, setKind] = useState<Kind>('bracket');
  const [accountId, setAccountId] = useState<string | null>(null);
  const [symbol, setSymbol] = useState('BTC/USDT');
  const [amount, setAmount] = useState('all');
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const account = accounts.data?.find((a) => a.id === accountId) ?? accounts.data?.[0];
  const arm = useMutation({
    mutationFn: () => {
      const base = { kind, accountId: account?.id, symbol, amount };
      if (kind === 'bracket')
        return api.post<Condition>('/conditions', { ...base, stopLoss: { triggerPrice: first }, takeProfit: { triggerPrice: second } });
      if (kind === 'trailing_stop') return api.post<Condition>('/conditions', { ...base, trailPercent: first });
      return api.post<Condition>('/conditions', { ...base, triggerPrice: first });
    },
    onSuccess: () => queries.invalidateQueries(),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    arm.mutate();
  };
  const firstLabel =
    kind === 'bracket' ? t('conditions.stopPrice') : kind === 'trailing_stop' ? t('conditions.trailPercent') : t('conditions.triggerPrice');
  return (
    <Section title={t('conditions.arm')} testId="arm-condition">
      <form onSubmit={submit}>
        <Stack>
          <Group align="flex-end" wrap="wrap">
            <Select
              label={t('conditions.kind')}
              value={kind}
              allowDeselect={false}
              onChange={(value) => value && setKind(value as Kind)}
              data={(['bracket', 'stop_loss', 'take_profit', 'trailing_stop'] as const).map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
            />
            <Select
              label={t('common.account')}
              value={account?.id ?? null}
              allowDeselect={false}
              onChange={setAccountId}
              data={(accounts.data ?? []).map((a) => ({ value: a.id, label: a.label }))}
            />
            <TextInput label={t('common.market')} value={symbol} onChange={(e) => setSymbol(e.currentTarget.value.trim())} required />
            <TextInput
              label={t('common.amount')}
              description={t('conditions.amountHelp')}
              value={amount}
              onChange={(e) => setAmount(e.currentTarget.value.trim())}
              required
            />
            <TextInput
              label={firstLabel}
              value={first}
              onChange={(e) => setFirst(e.currentTarget.value.trim())}
              inputMode="decimal"
              required
            />
            {kind === 'bracket' && (
              <TextInput
                label={t('conditions.targetPrice')}
                value={second}
                onChange={(e) => setSecond(e.currentTarget.value.trim())}
                inputMode="decimal"
                required
              />
            )}
          </Group>
          <Group>
            <Button type="submit" loading={arm.isPending}>
              {t('conditions.armSubmit')}
            </Button>
          </Group>
          {arm.error && <ErrorNote error={arm.error} />}
          {arm.data && (
            <Text size="sm" role="status" data-testid="armed">
              {t('conditions.armed', { id: arm.data.id })}
            </Text>
          )}
        </Stack>
      </form>
    </Section>
  );
}
