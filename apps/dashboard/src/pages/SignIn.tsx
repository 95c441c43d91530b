import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, storeToken } from '../api';

/** The API token is the only credential: checked against the API, then kept for this tab only. */
export function SignInPage({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const { t } = useTranslation();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.checkToken(token.trim());
      storeToken(token.trim());
      onSignedIn(token.trim());
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 401 ? t('signIn.wrongToken') : String((failure as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w="100%" maw={420} component="main">
        <form onSubmit={(e) => void submit(e)}>
          <Stack>
            <Title order={1} size="h2">
              tradedesk
            </Title>
            <Text size="sm">{t('signIn.explain')}</Text>
            <PasswordInput label={t('signIn.token')} value={token} onChange={(e) => setToken(e.currentTarget.value)} required autoFocus />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              {t('signIn.submit')}
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
