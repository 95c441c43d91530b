import { Alert, Badge, Button, Group, List, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { DataTable, Empty, ErrorNote, Loading, Section } from '../components';
import { dateTime, price, quantity } from '../format';
import { useLive } from '../live';
import { useSettings } from '../settings';
import type { ExecutionStarted, Page, Template, TemplateExecution, TemplatePreview } from '../types';

/** How a template sizes its entry, in its own words: `cost 100`, `balancePercent 10`. */
const sizeText = (size: Template['size']) =>
  Object.entries(size)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function TemplatesPage() {
  const { t } = useTranslation();
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => api.get<Page<Template>>('/templates', { limit: 100 }) });
  // Each preview shown is a new panel (`shown` counts them): its own fresh plan and idempotency key.
  const [chosen, setChosen] = useState<{ id: string; shown: number } | null>(null);
  const show = (id: string) => setChosen((previous) => ({ id, shown: (previous?.shown ?? 0) + 1 }));
  const items = templates.data?.items ?? [];
  const template = items.find((x) => x.id === chosen?.id);
  return (
    <Stack>
      <Section title={t('nav.templates')} testId="templates">
        <Text size="sm" c="gray.7" mb="sm">
          {t('templates.explain')}
        </Text>
        <Loading query={templates}>
          {items.length === 0 && <Empty>{t('templates.none')}</Empty>}
          {items.length > 0 && (
            <DataTable
              label={t('nav.templates')}
              head={[t('templates.name'), t('common.market'), t('common.side'), t('templates.entry'), t('templates.size'), '']}
            >
              {items.map((x) => (
                <Table.Tr key={x.id} data-testid="template-row" data-name={x.name}>
                  <Table.Th scope="row">
                    {x.name}{' '}
                    <Text span size="xs" c="gray.7">
                      v{x.currentVersion}
                    </Text>
                  </Table.Th>
                  <Table.Td>{x.symbol ?? t('templates.anyMarket')}</Table.Td>
                  <Table.Td>{t(`common.${x.side}`)}</Table.Td>
                  <Table.Td>
                    {x.entry.type === 'market' ? t('templates.market') : t('templates.limit', { offset: x.entry.offsetPercent })}
                  </Table.Td>
                  <Table.Td>{sizeText(x.size)}</Table.Td>
                  <Table.Td>
                    <Button size="xs" variant="default" onClick={() => show(x.id)} aria-label={t('templates.previewOf', { name: x.name })}>
                      {t('templates.preview')}
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </DataTable>
          )}
        </Loading>
      </Section>
      {template && <PreviewPanel key={`${template.id} ${chosen?.shown}`} template={template} onAgain={() => show(template.id)} />}
      <Executions />
    </Stack>
  );
}

/**
 * 128 random bits in hex. Not crypto.randomUUID: browsers offer it only to secure contexts, and the
 * dashboard is often opened over plain http on a LAN address.
 */
function newIdempotencyKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The concrete orders a template would place now, its warnings, and the button that places them. */
function PreviewPanel({ template, onAgain }: { template: Template; onAgain: () => void }) {
  const { t } = useTranslation();
  const { language } = useSettings().settings;
  const queries = useQueryClient();
  // One key per preview shown: a double click or a retried request executes once.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const preview = useQuery({
    queryKey: ['template-preview', template.id, template.currentVersion, idempotencyKey],
    queryFn: () => api.post<TemplatePreview>(`/templates/${template.id}/preview`),
    staleTime: 0,
    retry: false,
  });
  const execute = useMutation({
    mutationFn: () => api.post<ExecutionStarted>(`/templates/${template.id}/execute`, {}, undefined, { 'idempotency-key': idempotencyKey }),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['template-executions'] }),
  });
  const p = preview.data;
  const quote = p?.symbol.split('/')[1] ?? '';
  return (
    <Section title={t('templates.previewTitle', { name: template.name })} testId="template-preview">
      <Loading query={preview}>
        {p && (
          <Stack gap="xs">
            <Text data-testid="preview-entry">
              {t(`common.${p.side}`)} {quantity(p.estimate.amount, language)} {p.symbol} ·{' '}
              {p.entry.type === 'market' ? t('templates.market') : price(p.entry.price, quote, language)} ·{' '}
              {t('templates.estimate', {
                price: price(p.estimate.price, quote, language),
                fee: `${p.estimate.fee} ${p.estimate.feeCurrency}`,
              })}
            </Text>
            {p.exits.length > 0 && (
              <List size="sm" data-testid="preview-exits">
                {p.exits.map((e) => (
                  <List.Item key={`${e.role}-${e.rung}`}>
                    {t(`templates.role.${e.role}`)}
                    {e.rung > 0 ? ` #${e.rung}` : ''}: {quantity(e.amount, language)} @{' '}
                    {e.triggerPrice ? price(e.triggerPrice, quote, language) : `${e.trailPercent ?? ''}%`}
                  </List.Item>
                ))}
              </List>
            )}
            {p.riskReward && <Text size="sm">{t('templates.riskReward', { ratio: p.riskReward })}</Text>}
            {p.warnings.map((w) => (
              <Alert key={`${w.code}-${w.field}`} color="orange" variant="light" data-testid="preview-warning" title={w.code}>
                {w.field}: {w.message}
              </Alert>
            ))}
            <Group>
              <Button onClick={() => execute.mutate()} disabled={!p.executable || execute.isSuccess} loading={execute.isPending}>
                {t('templates.execute')}
              </Button>
              <Button variant="default" onClick={onAgain}>
                {t('templates.refresh')}
              </Button>
            </Group>
            {!p.executable && <Text c="red.9">{t('templates.notExecutable')}</Text>}
            {execute.error && <ErrorNote error={execute.error} />}
            {execute.data && (
              <Text data-testid="execution-started" role="status">
                {t('templates.started', { id: execute.data.executionId.slice(0, 8), status: t(`templates.status.${execute.data.status}`) })}
              </Text>
            )}
          </Stack>
        )}
      </Loading>
    </Section>
  );
}

const STATUS_COLOURS: Record<TemplateExecution['status'], string> = {
  pending: 'orange.9',
  entry_filled: 'indigo.8',
  exits_armed: 'teal.9',
  failed: 'red.9',
};

function Executions() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const { pollMs } = useLive();
  const executions = useQuery({
    queryKey: ['template-executions'],
    queryFn: () => api.get<Page<TemplateExecution>>('/templates/executions', { limit: 20 }),
    // Each second while a run is still on its way to its exits (they arm seconds after the fill).
    refetchInterval: (query) =>
      query.state.data?.items.some((x) => x.status === 'pending' || x.status === 'entry_filled') ? 1_000 : pollMs,
  });
  const items = executions.data?.items ?? [];
  return (
    <Section title={t('templates.executions')} testId="executions">
      <Loading query={executions}>
        {items.length === 0 && <Empty>{t('templates.noExecutions')}</Empty>}
        {items.length > 0 && (
          <DataTable
            label={t('templates.executions')}
            head={[t('common.time'), t('common.market'), t('conditions.status'), t('templates.filled'), t('templates.source')]}
          >
            {items.map((x) => (
              <Table.Tr key={x.id} data-testid="execution-row" data-status={x.status} data-template={x.templateId}>
                <Table.Td>{dateTime(x.createdAt, language, timeZone)}</Table.Td>
                <Table.Td>
                  {t(`common.${x.side}`)} {x.symbol}
                </Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOURS[x.status]} variant="filled">
                    {t(`templates.status.${x.status}`)}
                  </Badge>
                  {x.failure && (
                    <Text size="xs" c="red.9">
                      {x.failure.code}: {x.failure.reason}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {x.entry.filled
                    ? `${quantity(x.entry.filled, language)} @ ${price(x.entry.average, x.symbol.split('/')[1] ?? '', language)}`
                    : '—'}
                </Table.Td>
                <Table.Td>{x.source}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}
