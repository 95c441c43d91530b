import '@mantine/core/styles.css';
import './i18n';
import { createTheme, InputWrapper, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { SettingsProvider } from './settings';

const queries = new QueryClient({
  defaultOptions: {
    // A 4xx will not change by asking again; a dropped connection might.
    queries: { retry: (failures, error) => failures < 2 && !('status' in error && Number(error.status) < 500), staleTime: 1000 },
  },
});

// Mantine's default primary shade fails 4.5:1 contrast on white for small text; shade 8 passes.
// Field descriptions are dimmed by default below 4.5:1 as well.
const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  components: { InputWrapper: InputWrapper.extend({ styles: { description: { color: 'var(--mantine-color-gray-7)' } } }) },
});

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queries}>
        <SettingsProvider>
          <App />
        </SettingsProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
