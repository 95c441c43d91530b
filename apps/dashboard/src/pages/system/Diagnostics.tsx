import { Badge, Button, Code, Group, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { DataTable, Empty, Loading, Section } from '../../components';
import { dateTime } from '../../format';
import { useSettings } from '../../settings';
import type { ErrorGroup, LogLine, Page } from '../../types';

const LEVEL_COLOURS: Record<string, string> = { error: 'red.9', warn: 'orange.9', info: 'blue.9', debug: 'gray.7', verbose: 'gray.7' };

/** GET /api/errors: what went wrong lately, one row per kind of error. */
export function ErrorGroups({ onShowRequest }: { onShowRequest: (requestId: string) => void }) {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const errors = useQuery({
    queryKey: ['errors'],
    queryFn: () => api.get<Page<ErrorGroup> & { spiking: boolean }>('/errors', { limit: 50 }),
    refetchInterval: 15_000,
  });
  const items = errors.data?.items ?? [];
  return (
    <Section title={t('errors.title')} testId="error-groups">
      <Loading query={errors}>
        {errors.data?.spiking && (
          <Text c="red.9" fw={600} mb="sm">
            {t('errors.spiking')}
          </Text>
        )}
        {items.length === 0 && <Empty>{t('errors.none')}</Empty>}
        {items.length > 0 && (
          <DataTable
            label={t('errors.title')}
            head={[t('logs.level'), t('errors.pattern'), t('errors.lastHour'), t('errors.lastDay'), t('errors.lastSeen'), '']}
          >
            {items.map((g) => (
              <Table.Tr key={g.fingerprint} data-testid="error-group" data-context={g.context ?? ''}>
                <Table.Td>
                  <Badge color={LEVEL_COLOURS[g.level] ?? 'gray.7'} variant="filled">
                    {g.level}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {g.context && (
                      <Text span c="gray.7">
                        [{g.context}]{' '}
                      </Text>
                    )}
                    {g.pattern}
                  </Text>
                  <Text size="xs" c="gray.7">
                    {g.sample.message}
                  </Text>
                </Table.Td>
                <Table.Td>{g.lastHour}</Table.Td>
                <Table.Td>{g.lastDay}</Table.Td>
                <Table.Td>{dateTime(g.lastSeen, language, timeZone)}</Table.Td>
                <Table.Td>
                  {g.sample.requestId && (
                    <Button size="xs" variant="default" onClick={() => onShowRequest(g.sample.requestId!)}>
                      {t('errors.showLogs')}
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}

export interface LogFilter {
  level: string;
  text: string;
  context: string;
  requestId: string;
  from: string;
  to: string;
}

export const NO_FILTER: LogFilter = { level: '', text: '', context: '', requestId: '', from: '', to: '' };

/** `datetime-local` (local wall time) to ISO 8601, as GET /api/logs takes it. */
const iso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** GET /api/logs with its filters, newest line first, a page at a time. */
export function LogSearch({ filter, onSearch }: { filter: LogFilter; onSearch: (filter: LogFilter) => void }) {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  // The page gives this a new key when the filter changes from outside (an error group's request id).
  const [draft, setDraft] = useState(filter);
  const logs = useInfiniteQuery({
    queryKey: ['logs', filter],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.get<{ items: LogLine[]; nextCursor: string | null }>('/logs', {
        level: filter.level,
        text: filter.text,
        context: filter.context,
        requestId: filter.requestId,
        from: iso(filter.from),
        to: iso(filter.to),
        limit: 50,
        cursor: pageParam,
      }),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const lines = logs.data?.pages.flatMap((p) => p.items) ?? [];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSearch({ ...draft });
  };
  const field = (key: keyof LogFilter) => ({
    value: draft[key],
    onChange: (e: { currentTarget: { value: string } }) => setDraft({ ...draft, [key]: e.currentTarget.value }),
  });
  return (
    <Section title={t('logs.title')} testId="logs">
      <form onSubmit={submit} aria-label={t('logs.title')}>
        <Group align="end" gap="sm" mb="sm">
          <TextInput label={t('logs.text')} {...field('text')} w={{ base: '100%', sm: 220 }} />
          <Select
            label={t('logs.level')}
            data={[{ value: 'any', label: t('logs.anyLevel') }, ...['error', 'warn', 'info', 'debug'].map((l) => ({ value: l, label: l }))]}
            value={draft.level || 'any'}
            onChange={(value) => setDraft({ ...draft, level: value === 'any' || !value ? '' : value })}
            allowDeselect={false}
            w={{ base: '100%', sm: 140 }}
          />
          <TextInput label={t('logs.context')} {...field('context')} w={{ base: '100%', sm: 160 }} />
          <TextInput label={t('logs.requestId')} {...field('requestId')} w={{ base: '100%', sm: 200 }} />
          <TextInput type="datetime-local" label={t('logs.from')} {...field('from')} w={{ base: '100%', sm: 200 }} />
          <TextInput type="datetime-local" label={t('logs.to')} {...field('to')} w={{ base: '100%', sm: 200 }} />
          <Button type="submit">{t('logs.search')}</Button>
          <Button variant="default" onClick={() => onSearch(NO_FILTER)}>
            {t('logs.clear')}
          </Button>
        </Group>
      </form>
      <Loading query={logs}>
        {lines.length === 0 && <Empty>{t('logs.none')}</Empty>}
        {lines.length > 0 && (
          <Stack gap={4} role="list" aria-label={t('logs.title')} style={{ overflowX: 'auto' }}>
            {lines.map((l) => (
              <Group
                key={`${l.file}:${l.line}`}
                role="listitem"
                gap="xs"
                wrap="wrap"
                align="start"
                data-testid="log-line"
                data-level={l.level}
              >
                <Badge color={LEVEL_COLOURS[l.level] ?? 'gray.7'} variant="filled" miw={64}>
                  {l.level}
                </Badge>
                <Text size="xs" c="gray.7" style={{ whiteSpace: 'nowrap' }}>
                  {l.at ? dateTime(l.at, language, timeZone) : ''}
                </Text>
                <Code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', flex: '1 1 280px' }}>
                  {l.context ? `[${l.context}] ` : ''}
                  {l.message}
                </Code>
              </Group>
            ))}
          </Stack>
        )}
        {logs.hasNextPage && (
          <Button mt="sm" variant="default" onClick={() => void logs.fetchNextPage()} loading={logs.isFetchingNextPage}>
            {t('logs.older')}
          </Button>
        )}
      </Loading>
    </Section>
  );
}
