// The API's answers as the dashboard reads them (decimals are strings, times ISO strings).
export interface Account {
  id: string;
  exchange: 'binance' | 'upbit';
  mode: string;
  label: string;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export interface Position {
  accountId: string;
  exchange: string;
  symbol: string;
  base: string;
  quote: string;
  quantity: string;
  averageEntry: string;
  realizedPnl: string;
  unrealizedPnl: string | null;
  returnPercent: string | null;
  lastPrice: string | null;
  marketValue: string | null;
  protection: 'native' | 'emulated' | 'none';
}

export interface PositionsReport {
  positions: Position[];
}

export interface Portfolio {
  totals: Record<string, string>;
  complete: boolean;
  conversion: { usdtKrw: string; exchange: string; symbol: string; source: string; at: string } | null;
}

export interface PnlSummary {
  timeZone: string;
  realized: Record<'today' | 'week' | 'month', Record<string, string>>;
  positions: Array<{ accountId: string; symbol: string; quote: string; unrealizedAfterFees: string | null; exitFee: string | null }>;
  unrealizedAfterFees: Record<string, string>;
}

export interface Order {
  id: string;
  accountId: string;
  exchange: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit';
  status: string;
  purpose: string;
  amount: string | null;
  cost: string | null;
  price: string | null;
  filled: string;
  average: string | null;
  createdAt: string;
}

export interface Trade {
  id: string;
  accountId: string;
  orderId: string;
  symbol: string;
  side: 'buy' | 'sell';
  price: string;
  amount: string;
  fee: string;
  feeCurrency: string | null;
  timestamp: string;
}

export interface Leg {
  triggerPrice: string | null;
  status: string;
}

export interface Condition {
  id: string;
  kind: 'stop_loss' | 'trailing_stop' | 'take_profit' | 'bracket' | 'conditional';
  status: string;
  accountId: string;
  exchange: string;
  symbol: string | null;
  triggerPrice: string | null;
  currentTrigger: string | null;
  stopLoss: Leg | null;
  takeProfit: Leg | null;
  trailPercent: string | null;
  amount: string;
  placement: string;
  failureReason: string | null;
  createdAt: string;
  timeline?: Array<{ at: string; event: string; status: string; price?: string | null; trigger?: string | null }>;
}

export interface AppNotification {
  id: number;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  body: string;
  createdAt: string;
}

export interface Candle {
  time: string;
  open: string;
  high: string;
  low: string;
  close: string;
}

export interface FeeVenue {
  accountId: string;
  label: string;
  exchange: string;
  symbol: string;
  quote: string;
  averagePrice: string;
  feeRate: string;
  fee: string;
  feeCurrency: string;
  total: string;
  totalKrw: string | null;
  totalUsdt: string | null;
  depthSufficient: boolean;
}

export interface FeeComparison {
  venues: FeeVenue[];
  best: { accountId: string } | null;
}

export interface Premium {
  base: string;
  premiumPercent: string | null;
  usdtKrw: string | null;
}

/** GET /api/templates items (docs/templates.md): relative terms, shown as stored. */
export interface Template {
  id: string;
  name: string;
  notes?: string;
  accountId?: string;
  exchange?: string;
  symbol?: string;
  side: 'buy' | 'sell';
  entry: { type: 'market' } | { type: 'limit'; offsetPercent: string; expiresAfter?: string };
  size: Record<string, string>;
  currentVersion: number;
}

export interface TemplatePreview {
  symbol: string;
  side: 'buy' | 'sell';
  entry: { type: 'market' | 'limit'; amount: string | null; cost: string | null; price: string | null; expectedPrice: string };
  estimate: { price: string; amount: string; cost: string; fee: string; feeCurrency: string; received: string; paid: string };
  exits: Array<{
    role: 'stop_loss' | 'take_profit' | 'trailing_stop';
    rung: number;
    amount: string;
    triggerPrice: string | null;
    trailPercent: string | null;
  }>;
  riskReward: string | null;
  warnings: Array<{ code: string; field: string; message: string }>;
  executable: boolean;
}

export interface ExecutionStarted {
  executionId: string;
  orderId: string;
  status: TemplateExecution['status'];
}

export interface TemplateExecution {
  id: string;
  templateId: string;
  status: 'pending' | 'entry_filled' | 'exits_armed' | 'failed';
  source: string;
  symbol: string;
  side: 'buy' | 'sell';
  entry: { filled: string | null; average: string | null };
  failure: { code: string; reason: string } | null;
  createdAt: string;
}

/** GET /api/errors: errors and warnings grouped by fingerprint. */
export interface ErrorGroup {
  fingerprint: string;
  level: string;
  context: string | null;
  pattern: string;
  lastHour: number;
  lastDay: number;
  firstSeen: string;
  lastSeen: string;
  sample: { message: string; requestId: string | null; at: string };
}

export interface LogLine {
  file: string;
  line: number;
  at: string | null;
  level: string;
  message: string;
  context: string | null;
  requestId: string | null;
}

export interface Backup {
  id: string;
  status: 'running' | 'verified' | 'failed';
  trigger: string;
  driver: string;
  sizeBytes: number | null;
  startedAt: string;
  finishedAt: string | null;
  verification: { verifiedAt: string; durationMs: number } | null;
  failure: { stage: string; reason: string } | null;
}
