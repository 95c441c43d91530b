import { SimpleGrid, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { Loading, Section } from '../../components';
import { dateTime } from '../../format';
import { parseMetrics, total } from '../../metrics-text';
import { useSettings } from '../../settings';

type Figure = { key: string; value: string; alarm?: boolean };

/** Key figures from GET /metrics: what says at a glance whether trading is safe. */
export function KeyMetrics() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const metrics = useQuery({ queryKey: ['metrics'], queryFn: api.metricsText, refetchInterval: 10_000, retry: false });
  const samples = parseMetrics(metrics.data ?? '');
  const number = (n: number | null, digits = 0) =>
    n === null ? '—' : n.toLocaleString(language === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: digits });
  const when = (seconds: number | null) => (seconds ? dateTime(new Date(seconds * 1000).toISOString(), language, timeZone) : '—');
  const unprotected = total(samples, 'tradedesk_unprotected_positions');
  const deadLetters = total(samples, 'tradedesk_outbox_dead_letters');
  const spiking = total(samples, 'tradedesk_error_spike_active');
  const figures: Figure[] = [
    { key: 'armed', value: number(total(samples, 'tradedesk_conditions_armed')) },
    { key: 'unprotected', value: number(unprotected), alarm: (unprotected ?? 0) > 0 },
    { key: 'ordersFilled', value: number(total(samples, 'tradedesk_orders_total', { result: 'filled' })) },
    { key: 'ordersRejected', value: number(total(samples, 'tradedesk_orders_total', { result: 'rejected' })) },
    { key: 'outboxLag', value: number(total(samples, 'tradedesk_outbox_lag_seconds'), 1) },
    { key: 'deadLetters', value: number(deadLetters), alarm: (deadLetters ?? 0) > 0 },
    { key: 'lastTick', value: when(total(samples, 'tradedesk_scheduler_last_tick_timestamp_seconds')) },
    { key: 'errorsLogged', value: number(total(samples, 'tradedesk_log_messages_total', { level: 'error' })) },
    { key: 'errorSpike', value: spiking ? t('metrics.yes') : t('metrics.no'), alarm: Boolean(spiking) },
    { key: 'lastVerifiedBackup', value: when(total(samples, 'tradedesk_backup_last_verified_timestamp_seconds')) },
    { key: 'httpRequests', value: number(total(samples, 'tradedesk_http_requests_total')) },
    { key: 'eventLoopLag', value: number(1000 * (total(samples, 'tradedesk_nodejs_eventloop_lag_seconds') ?? Number.NaN), 1) },
  ];
  return (
    <Section title={t('metrics.title')} testId="metrics">
      <Loading query={metrics}>
        <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} spacing="sm">
          {figures.map((f) => (
            <Stack key={f.key} gap={0} data-testid="metric" data-metric={f.key}>
              <Text size="xs" c="gray.7">
                {t(`metrics.${f.key}`)}
              </Text>
              <Text fw={600} c={f.alarm ? 'red.9' : undefined}>
                {f.value === 'NaN' ? '—' : f.value}
              </Text>
            </Stack>
          ))}
        </SimpleGrid>
      </Loading>
    </Section>
  );
}
