import { Badge, Button, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { DataTable, Empty, ErrorNote, Loading, Section } from '../../components';
import { dateTime } from '../../format';
import { useSettings } from '../../settings';
import type { Backup, Page } from '../../types';

const STATUS_COLOURS: Record<Backup['status'], string> = { running: 'orange.9', verified: 'teal.9', failed: 'red.9' };

/** GET /api/backups with "back up now": a backup counts once it has been restored and checked (docs/backup.md). */
export function Backups() {
  const { t } = useTranslation();
  const { language, timeZone } = useSettings().settings;
  const queries = useQueryClient();
  const backups = useQuery({
    queryKey: ['backups'],
    queryFn: () => api.get<Page<Backup>>('/backups', { limit: 20 }),
    // Polled quickly while one runs, to show it end verified or failed.
    refetchInterval: (query) => (query.state.data?.items.some((b) => b.status === 'running') ? 1_000 : 30_000),
  });
  const start = useMutation({
    mutationFn: () => api.post<Backup>('/backups'),
    onSuccess: () => void queries.invalidateQueries({ queryKey: ['backups'] }),
  });
  const items = backups.data?.items ?? [];
  const size = (bytes: number | null) =>
    bytes === null ? '—' : `${(bytes / 1024).toLocaleString(language === 'ko' ? 'ko-KR' : 'en-US', { maximumFractionDigits: 0 })} KiB`;
  return (
    <Section title={t('backups.title')} testId="backups">
      <Text size="sm" c="gray.7" mb="sm">
        {t('backups.explain')}
      </Text>
      <Button mb="sm" onClick={() => start.mutate()} loading={start.isPending} disabled={items.some((b) => b.status === 'running')}>
        {t('backups.now')}
      </Button>
      {start.error && <ErrorNote error={start.error} />}
      <Loading query={backups}>
        {items.length === 0 && <Empty>{t('backups.none')}</Empty>}
        {items.length > 0 && (
          <DataTable
            label={t('backups.title')}
            head={[t('backups.started'), t('conditions.status'), t('backups.trigger'), t('backups.size'), t('backups.verified')]}
          >
            {items.map((b) => (
              <Table.Tr key={b.id} data-testid="backup-row" data-status={b.status} data-id={b.id}>
                <Table.Td>{dateTime(b.startedAt, language, timeZone)}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS_COLOURS[b.status]} variant="filled">
                    {t(`backups.status.${b.status}`)}
                  </Badge>
                  {b.failure && (
                    <Text size="xs" c="red.9">
                      {b.failure.stage}: {b.failure.reason}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>{b.trigger}</Table.Td>
                <Table.Td>{size(b.sizeBytes)}</Table.Td>
                <Table.Td>{b.verification ? dateTime(b.verification.verifiedAt, language, timeZone) : '—'}</Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
        )}
      </Loading>
    </Section>
  );
}
