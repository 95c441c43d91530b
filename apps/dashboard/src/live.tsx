// Live updates: the notifications stream (SSE) pushes alerts, and each one refreshes what it can
// have changed. EventSource cannot send the bearer token, so the `eventsource` package streams
// over fetch with the header. While the stream is down the queries poll faster instead.
import { useQueryClient } from '@tanstack/react-query';
import { EventSource } from 'eventsource';
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from 'react';
import { storedToken } from './api';
import type { AppNotification } from './types';

export type StreamState = 'connecting' | 'live' | 'polling';

interface LiveContext {
  state: StreamState;
  /** Alerts received since the page opened, newest first. */
  alerts: AppNotification[];
  /** How often queries refresh: slower while the stream carries the changes. */
  pollMs: number;
}

const Context = createContext<LiveContext>({ state: 'connecting', alerts: [], pollMs: 3000 });
const KEEP = 50;

export function LiveProvider({ children }: { children: ReactNode }) {
  const queries = useQueryClient();
  const [state, setState] = useState<StreamState>('connecting');
  const [alerts, setAlerts] = useState<AppNotification[]>([]);

  useEffect(() => {
    const token = storedToken();
    const source = new EventSource('/api/notifications/stream', {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, authorization: `Bearer ${token ?? ''}` } }),
    });
    source.onopen = () => setState('live');
    // The package reconnects by itself (with Last-Event-ID); until then, poll.
    source.onerror = () => setState('polling');
    source.addEventListener('notification', (event) => {
      const alert = JSON.parse(event.data) as AppNotification;
      setAlerts((current) => [alert, ...current.filter((a) => a.id !== alert.id)].slice(0, KEEP));
      // Any alert may follow a fill, a firing or a closed position: refresh every view of them.
      void queries.invalidateQueries();
    });
    return () => source.close();
  }, [queries]);

  const value = useMemo(() => ({ state, alerts, pollMs: state === 'live' ? 10_000 : 3_000 }), [state, alerts]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useLive(): LiveContext {
  return useContext(Context);
}
