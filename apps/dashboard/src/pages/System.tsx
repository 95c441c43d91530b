import { Badge, Code, Stack, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, storedToken } from '../api';
import { DataTable, Loading, Section } from '../components';
import { Backups } from './system/Backups';
import { ErrorGroups, type LogFilter, LogSearch, NO_FILTER } from './system/Diagnostics';
import { KeyMetrics } from './system/Metrics';

interface Health {
  status: string;
  details: Record<string, { status: string } & Record<string, unknown>>;
}

/** The health report answers 503 with the same body when something is down: show it either way. */
async function health(): Promise<Health> {
  const response = await fetch('/api/health', { headers: { authorization: `Bearer ${storedToken() ?? ''}` } });
  const body = (await response.json()) as Health & { message?: string; code?: string };
  if (!body.details) throw new ApiError(response.status, body.message ?? response.statusText, body.code);
  return body;
}

export function SystemPage() {
  const { t } = useTranslation();
  const report = useQuery({ queryKey: ['health'], queryFn: health, refetchInterval: 10_000 });
  const accounts = useQuery({ queryKey: ['exchanges'], queryFn: () => api.get<unknown>('/exchanges'), staleTime: 300_000 });
  const [logFilter, setLogFilter] = useState<LogFilter>(NO_FILTER);
  return (
    <Stack>
      <Section title={t('system.health')} testId="health">
        <Loading query={report}>
          <Text mb="sm">
            {t('system.overall')}{' '}
            <Badge color={report.data?.status === 'ok' ? 'teal.9' : 'red.9'} variant="filled">
              {report.data?.status}
            </Badge>
          </Text>
          <DataTable label={t('system.health')} head={[t('system.component'), t('conditions.status'), t('system.detail')]}>
            {Object.entries(report.data?.details ?? {}).map(([name, detail]) => {
              const { status, ...rest } = detail;
              return (
                <Table.Tr key={name}>
                  <Table.Th scope="row">{name}</Table.Th>
                  <Table.Td>
                    <Badge color={status === 'up' ? 'teal.9' : 'red.9'} variant="filled">
                      {status}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    <Code block style={{ whiteSpace: 'pre-wrap', maxWidth: 560 }}>
                      {JSON.stringify(rest, null, 1)}
                    </Code>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </DataTable>
        </Loading>
      </Section>
      <KeyMetrics />
      <ErrorGroups onShowRequest={(requestId) => setLogFilter({ ...NO_FILTER, requestId })} />
      <LogSearch key={JSON.stringify(logFilter)} filter={logFilter} onSearch={setLogFilter} />
      <Backups />
      <Section title={t('system.exchanges')}>
        <Loading query={accounts}>
          <Code block>{JSON.stringify(accounts.data, null, 1)}</Code>
        </Loading>
      </Section>
    </Stack>
  );
}
