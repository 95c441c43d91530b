import { Alert, Badge, Card, Loader, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from './api';
import { money, sign } from './format';
import { trendColours, useSettings } from './settings';

export function Section({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  const id = `section-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <Card withBorder component="section" aria-labelledby={id} data-testid={testId}>
      <Title order={2} size="h4" mb="sm" id={id}>
        {title}
      </Title>
      {children}
    </Card>
  );
}

/** Profit or loss in the user's colour convention (red-up in Korea), always with its sign. */
export function Pnl({ value, currency }: { value: string | null | undefined; currency: string }) {
  const { settings } = useSettings();
  const colours = trendColours(settings.colours);
  const direction = sign(value);
  return (
    <Text span fw={600} c={direction > 0 ? colours.up : direction < 0 ? colours.down : undefined}>
      {money(value, currency, settings.language, true)}
    </Text>
  );
}

export function ProtectionBadge({ protection }: { protection: 'native' | 'emulated' | 'none' }) {
  const { t } = useTranslation();
  const colour = protection === 'none' ? 'red.9' : protection === 'native' ? 'teal.9' : 'indigo.8';
  return (
    <Badge color={colour} variant="filled" data-protection={protection}>
      {t(`protection.${protection}`)}
    </Badge>
  );
}

/** Loading, failure (in the API's words) or the content. */
export function Loading({ query, children }: { query: { isPending: boolean; error: Error | null }; children: ReactNode }) {
  if (query.error) return <ErrorNote error={query.error} />;
  if (query.isPending) return <Loader size="sm" aria-label="loading" />;
  return <>{children}</>;
}

export function ErrorNote({ error }: { error: unknown }) {
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <Alert color="red" role="alert" data-testid="api-error">
      {error instanceof Error ? error.message : String(error)}
      {code && (
        <Text size="xs" mt={4} ff="monospace">
          {code}
        </Text>
      )}
    </Alert>
  );
}

/** A table that scrolls sideways on a phone instead of squeezing its columns (focusable, so keys can scroll it). */
export function DataTable({ head, children, label }: { head: string[]; children: ReactNode; label: string }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} style={{ overflowX: 'auto' }}>
      <Table striped highlightOnHover aria-label={label} miw={560}>
        <Table.Thead>
          <Table.Tr>
            {head.map((h) => (
              <Table.Th key={h} scope="col">
                {h}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Text size="sm" c="gray.7">
      {children}
    </Text>
  );
}
