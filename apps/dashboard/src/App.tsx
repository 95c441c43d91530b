import { AppShell, Badge, Loader, Burger, Button, Group, NavLink, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { lazy, Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Router, Switch, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import { storedToken, storeToken } from './api';
import { LiveProvider, useLive } from './live';
import { ConditionsPage } from './pages/Conditions';
import { OverviewPage } from './pages/Overview';
import { SignInPage } from './pages/SignIn';
import { TicketPage } from './pages/Ticket';
import { type ColourConvention, type Language, useSettings } from './settings';

// The chart library is most of the bytes; it loads when the market page is opened. Templates and
// System are visited rarely: they load when opened too, keeping the first page's JS small.
const MarketPage = lazy(() => import('./pages/Market').then((m) => ({ default: m.MarketPage })));
const TemplatesPage = lazy(() => import('./pages/Templates').then((m) => ({ default: m.TemplatesPage })));
const SystemPage = lazy(() => import('./pages/System').then((m) => ({ default: m.SystemPage })));

/** Hash routing, matched on the path alone: `#/market?symbol=BTC/USDT` is the market page. */
const useHashPath = (): [string, ReturnType<typeof useHashLocation>[1]] => {
  const [location, navigate] = useHashLocation();
  return [location.split('?')[0], navigate];
};

const PAGES = [
  { path: '/', key: 'nav.overview' },
  { path: '/market', key: 'nav.market' },
  { path: '/ticket', key: 'nav.ticket' },
  { path: '/conditions', key: 'nav.conditions' },
  { path: '/templates', key: 'nav.templates' },
  { path: '/system', key: 'nav.system' },
] as const;

export function App() {
  const [token, setToken] = useState(storedToken);
  useEffect(() => {
    const signOut = () => {
      storeToken(null);
      setToken(null);
    };
    window.addEventListener('tradedesk:unauthorized', signOut);
    return () => window.removeEventListener('tradedesk:unauthorized', signOut);
  }, []);
  if (!token) return <SignInPage onSignedIn={setToken} />;
  return (
    <Router hook={useHashPath}>
      <LiveProvider>
        <Shell
          onSignOut={() => {
            storeToken(null);
            setToken(null);
          }}
        />
      </LiveProvider>
    </Router>
  );
}

function StreamBadge() {
  const { t } = useTranslation();
  const { state } = useLive();
  const colour = state === 'live' ? 'teal.9' : state === 'polling' ? 'orange.9' : 'gray.7';
  return (
    <Badge color={colour} variant="filled" data-testid="stream-state">
      {t(`stream.${state}`)}
    </Badge>
  );
}

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { t } = useTranslation();
  const [opened, { toggle, close }] = useDisclosure();
  const [location] = useLocation();
  const { settings, update } = useSettings();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group wrap="nowrap" gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
            <Title order={1} size="h3">
              tradedesk
            </Title>
          </Group>
          <StreamBadge />
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label={t('nav.label')}>
        <Stack gap={4}>
          {PAGES.map((page) => (
            <NavLink
              key={page.path}
              component={Link}
              href={page.path}
              label={t(page.key)}
              // Filled: white on indigo, which the pointer's darker hover shade keeps above 4.5:1
              // (the light variant's text on its hover shade fell to 1.2:1).
              variant="filled"
              active={location === page.path}
              aria-current={location === page.path ? 'page' : undefined}
              onClick={close}
            />
          ))}
        </Stack>
        <Stack gap="xs" mt="lg">
          <Select
            label={t('settings.language')}
            data={[
              { value: 'en', label: 'English' },
              { value: 'ko', label: '한국어' },
            ]}
            value={settings.language}
            onChange={(value) => value && update({ language: value as Language })}
            allowDeselect={false}
            data-testid="language"
          />
          <div>
            <Text size="sm" fw={500} id="colours-label">
              {t('settings.colours')}
            </Text>
            <SegmentedControl
              fullWidth
              aria-labelledby="colours-label"
              value={settings.colours}
              onChange={(value) => update({ colours: value as ColourConvention })}
              data={[
                { value: 'red-up', label: t('settings.redUp') },
                { value: 'green-up', label: t('settings.greenUp') },
              ]}
            />
          </div>
          <Select
            label={t('settings.timeZone')}
            data={['Asia/Seoul', 'UTC', 'Europe/London', 'America/New_York', 'Asia/Tokyo']}
            value={settings.timeZone}
            onChange={(value) => value && update({ timeZone: value })}
            allowDeselect={false}
          />
          <Button variant="default" onClick={onSignOut}>
            {t('signIn.signOut')}
          </Button>
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={<Loader size="sm" aria-label="loading" />}>
          <Switch>
            <Route path="/" component={OverviewPage} />
            <Route path="/market" component={MarketPage} />
            <Route path="/ticket" component={TicketPage} />
            <Route path="/conditions" component={ConditionsPage} />
            <Route path="/templates" component={TemplatesPage} />
            <Route path="/system" component={SystemPage} />
            <Route>
              <Text>{t('nav.notFound')}</Text>
            </Route>
          </Switch>
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
