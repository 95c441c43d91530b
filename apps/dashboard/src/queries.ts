// One hook per question the pages ask, refreshed at the pace the live stream allows.
import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import { useLive } from './live';
import { useSettings } from './settings';
import type {
  Account,
  AppNotification,
  Condition,
  FeeComparison,
  Order,
  Page,
  PnlSummary,
  Portfolio,
  PositionsReport,
  Premium,
  Trade,
} from './types';

export const useAccounts = () => useQuery({ queryKey: ['accounts'], queryFn: () => api.get<Account[]>('/accounts'), staleTime: 60_000 });

export function usePositions() {
  const { pollMs } = useLive();
  return useQuery({ queryKey: ['positions'], queryFn: () => api.get<PositionsReport>('/positions'), refetchInterval: pollMs });
}

export function usePnl() {
  const { pollMs } = useLive();
  const { timeZone } = useSettings().settings;
  return useQuery({ queryKey: ['pnl', timeZone], queryFn: () => api.get<PnlSummary>('/pnl', { timeZone }), refetchInterval: pollMs });
}

export function usePortfolio() {
  const { pollMs } = useLive();
  return useQuery({ queryKey: ['portfolio'], queryFn: () => api.get<Portfolio>('/portfolio'), refetchInterval: pollMs * 2 });
}

export function useOrders(filter: { status?: string; accountId?: string; symbol?: string; limit?: number }) {
  const { pollMs } = useLive();
  return useQuery({
    queryKey: ['orders', filter],
    queryFn: () => api.get<Page<Order>>('/orders', { limit: 50, ...filter }),
    refetchInterval: pollMs,
  });
}

/** Orders still resting on the book: open, or partly filled and still open. */
export function useOpenOrders(filter: { accountId?: string; symbol?: string }) {
  const open = useOrders({ ...filter, status: 'OPEN' });
  const partly = useOrders({ ...filter, status: 'PARTIALLY_FILLED' });
  const items = [...(open.data?.items ?? []), ...(partly.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return {
    isPending: open.isPending || partly.isPending,
    error: open.error ?? partly.error,
    data: open.data && partly.data ? { items } : undefined,
  };
}

export function useTrades(filter: { accountId?: string; symbol?: string; limit?: number }) {
  const { pollMs } = useLive();
  return useQuery({
    queryKey: ['trades', filter],
    queryFn: () => api.get<Page<Trade>>('/trades', { limit: 20, ...filter }),
    refetchInterval: pollMs,
  });
}

export function useConditions(filter: { status?: string; accountId?: string; symbol?: string }) {
  const { pollMs } = useLive();
  return useQuery({
    queryKey: ['conditions', filter],
    queryFn: () => api.get<Page<Condition>>('/conditions', { limit: 100, ...filter }),
    refetchInterval: pollMs,
  });
}

export function useNotifications() {
  const { pollMs } = useLive();
  return useQuery({
    queryKey: ['notifications'],
    queryFn: () => api.get<Page<AppNotification>>('/notifications', { limit: 20 }),
    refetchInterval: pollMs * 3,
  });
}

/** Last prices of markets across accounts, keyed `accountId symbol`: one ticker call per account. */
export function useLastPrices(markets: Array<{ accountId: string; symbol: string | null }>) {
  const { pollMs } = useLive();
  const bySymbol = new Map<string, Set<string>>();
  for (const m of markets) if (m.symbol) bySymbol.set(m.accountId, (bySymbol.get(m.accountId) ?? new Set()).add(m.symbol));
  const wanted = [...bySymbol]
    .map(([accountId, symbols]) => ({ accountId, symbols: [...symbols].sort((a, b) => a.localeCompare(b)).join(',') }))
    .sort((a, b) => a.accountId.localeCompare(b.accountId));
  return useQuery({
    queryKey: ['tickers', wanted],
    enabled: wanted.length > 0,
    queryFn: async () => {
      const answers = await Promise.all(
        wanted.map(({ accountId, symbols }) =>
          api.get<{ tickers: Array<{ symbol: string; last: string }> }>('/tickers', { accountId, symbols }).then((a) => ({ accountId, a })),
        ),
      );
      return Object.fromEntries(answers.flatMap(({ accountId, a }) => a.tickers.map((t) => [`${accountId} ${t.symbol}`, t.last])));
    },
    refetchInterval: pollMs,
  });
}

export function useFeeComparison(base: string, amount: string, side: string) {
  return useQuery({
    queryKey: ['fees', base, amount, side],
    enabled: Boolean(base) && Number(amount) > 0,
    queryFn: () => api.get<FeeComparison>('/fees/compare', { base, amount, side }),
    staleTime: 5_000,
  });
}

export function usePremium(base: string) {
  const { pollMs } = useLive();
  return useQuery({
    queryKey: ['premium', base],
    enabled: Boolean(base),
    queryFn: () => api.get<Premium>('/premium', { base }),
    refetchInterval: pollMs * 2,
    retry: false,
  });
}
