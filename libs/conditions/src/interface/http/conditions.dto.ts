import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import { PageQuery } from '@tradedesk/shared';
import { CONDITION_KINDS, CONDITION_STATUSES, type ConditionKind, type ConditionStatus } from '../../domain/condition.types.js';

const triggerSchema = {
  type: 'object' as const,
  additionalProperties: false,
  properties: { triggerPrice: { type: 'string' as const, example: '48000' }, triggerPercent: { type: 'string' as const, example: '3' } },
};

export class CreateConditionRequestDto {
  @ApiProperty({ enum: CONDITION_KINDS, example: 'stop_loss' })
  @IsIn(CONDITION_KINDS)
  kind: ConditionKind;

  @ApiProperty({ format: 'uuid', description: 'The account that acts (an account of GET /api/accounts)' })
  @IsUUID()
  accountId: string;

  @ApiPropertyOptional({ example: 'BTC/USDT', description: 'Market of the position (protective kinds)' })
  @IsOptional()
  @IsString()
  symbol?: string;

  @ApiPropertyOptional({ example: '48000', description: 'Absolute trigger (stop_loss: fires at or below; take_profit: at or above)' })
  @IsOptional()
  @IsString()
  triggerPrice?: string;

  @ApiPropertyOptional({
    example: '3',
    description:
      'Trigger as % below (stop) / above (take-profit) the position’s average entry; "0" is the average entry itself. The computed price snaps onto the market’s price grid (down for a stop, up for a take-profit); the armed line of the timeline shows both.',
  })
  @IsOptional()
  @IsString()
  triggerPercent?: string;

  @ApiPropertyOptional({ example: '10', description: 'trailing_stop: trail in % of the high-water mark' })
  @IsOptional()
  @IsString()
  trailPercent?: string;

  @ApiPropertyOptional({ example: '500', description: 'trailing_stop: trail as an absolute distance' })
  @IsOptional()
  @IsString()
  trailAmount?: string;

  @ApiPropertyOptional({ example: '52000', description: 'trailing_stop: nothing trails before the price reaches this' })
  @IsOptional()
  @IsString()
  activationPrice?: string;

  @ApiPropertyOptional({
    example: 'all',
    description:
      '"all" (default): the position — what tradedesk bought on this market less what it sold, plus what you adopted — capped by the free balance, after cancelling the position’s own resting sells; ' +
      '"50%" of the position; a base amount "0.01" (at most the position); or "balance": the whole free balance of the base asset, coins held before tradedesk included (an explicit choice). ' +
      'No exit ever sells more than the position holds when it fires: it shrinks, or ends CANCELLED "position closed" when another exit sold it.',
  })
  @IsOptional()
  @IsString()
  amount?: string;

  @ApiPropertyOptional({
    example: { type: 'limit', limitOffset: '0.5' },
    description: 'market (default) or limit, limitOffset % below the trigger',
  })
  @IsOptional()
  @IsObject()
  execution?: { type?: string; limitOffset?: string };

  @ApiPropertyOptional({
    enum: ['emulated', 'native'],
    default: 'emulated',
    description:
      'bracket only. emulated (default): tradedesk watches the price and fires the leg that is crossed. ' +
      'native: the bracket is placed at the exchange as one OCO order list (Binance orderList/oco: a LIMIT_MAKER take-profit ' +
      'at takeProfit.triggerPrice and a STOP_LOSS stop at stopLoss.triggerPrice, or STOP_LOSS_LIMIT with execution limit); ' +
      'the exchange triggers it and expires the other leg. Only on accounts whose exchange capabilities say nativeOco ' +
      '(Binance live/testnet/sim; never Upbit or paper), with a fixed amount or "all" (resolved to the position quantity when armed), ' +
      'no watch and source last; otherwise 400 naming placement. A native bracket cannot be paused or adjusted (409 ' +
      'CONDITION.NATIVE_NOT_ADJUSTABLE); DELETE cancels its list at the exchange. Positions it covers report protection native.',
  })
  @IsOptional()
  @IsIn(['emulated', 'native'])
  placement?: string;

  @ApiPropertyOptional({
    enum: ['last', 'bid', 'ask', 'mark'],
    default: 'last',
    description:
      'The price watched. Upbit’s tickers carry no best bid or ask: on Upbit only last (400 CONDITION.SOURCE_NOT_AVAILABLE otherwise).',
  })
  @IsOptional()
  @IsString()
  source?: string;

  @ApiPropertyOptional({ example: { exchange: 'binance', symbol: 'BTC/USDT' }, description: 'Watch another market than the one acted on' })
  @IsOptional()
  @IsObject()
  watch?: { exchange?: string; symbol?: string };

  @ApiPropertyOptional({
    enum: ['fire', 'skip', 'notify'],
    default: 'fire',
    description:
      'A trigger crossed while the server was down: fire it on the first tick, or mark it MISSED. ' +
      'A recurring rule (time.every) fires once for all missed occurrences, or records them as missed and stays ARMED.',
  })
  @IsOptional()
  @IsString()
  onDowntime?: string;

  @ApiPropertyOptional({ example: '2026-12-31T00:00:00Z' })
  @IsOptional()
  @IsString()
  expiresAt?: string;

  @ApiPropertyOptional({ default: false, description: 'Accept a trigger that the current price already crossed (fires at once)' })
  @IsOptional()
  @IsBoolean()
  allowImmediate?: boolean;

  @ApiPropertyOptional({ ...triggerSchema, description: 'bracket: the stop leg' })
  @IsOptional()
  @IsObject()
  stopLoss?: { triggerPrice?: string; triggerPercent?: string };

  @ApiPropertyOptional({ ...triggerSchema, description: 'bracket: the take-profit leg' })
  @IsOptional()
  @IsObject()
  takeProfit?: { triggerPrice?: string; triggerPercent?: string };

  @ApiPropertyOptional({
    description:
      'conditional: a tree of leaves under all / any. price { exchange?, symbol?, source?, op: >= | <= | crossesAbove | crossesBelow, value }, ' +
      'change { percent } (signed, from the first observed price), premium { base, op, value } (%), ' +
      'time { at? ISO instant, after? ISO duration, between? [from, to], every? cron, tz? } (all given fields must hold). ' +
      'every: 5 cron fields, 6 with a leading seconds field, or @hourly/@daily…, read in UTC unless tz (IANA), ' +
      'e.g. { "time": { "every": "0 9 * * 1-5", "tz": "Asia/Seoul" } } = weekdays at 09:00 Seoul time; ' +
      'true once per occurrence, on the first tick at or after it. A tree with an every leaf is recurring: after each filled order ' +
      'it re-arms (rearmed on the timeline) for its next occurrence instead of DONE, until cancelled, expired or failed; occurrences ' +
      'missed while the server was down fire once (onDowntime fire) or are recorded as missed and skipped (skip/notify). ' +
      'A malformed tree is a 400 naming the path, e.g. when.all[0].time.every.',
    example: {
      all: [{ time: { after: 'PT5M' } }, { price: { exchange: 'binance', symbol: 'BTC/USDT', source: 'last', op: '<=', value: '50000' } }],
    },
  })
  @IsOptional()
  @IsObject()
  when?: Record<string, unknown>;

  @ApiPropertyOptional({
    description:
      'conditional: the order to place, `{ order: { symbol, side, type, amount | cost, price? } }`, or an order template to run, ' +
      "`{ template: <template id>, overrides?: { symbol?, size? } }` on this condition's account: it is executed when the condition fires " +
      '(its entry placed, its exits armed from the actual fill; GET /api/templates/executions?conditionId=… finds the run).',
    example: { order: { symbol: 'BTC/KRW', side: 'buy', type: 'market', cost: '100000' } },
  })
  @IsOptional()
  @IsObject()
  then?: { order?: Record<string, unknown>; template?: string; overrides?: Record<string, unknown> };
}

export class AdjustConditionRequestDto {
  @ApiPropertyOptional({
    enum: ['breakEven'],
    description:
      'stop_loss (or stopLoss.moveTo on a bracket): move the stop to the average entry plus the fees paid and the exit fee still to pay, snapped up onto the price grid',
  })
  @IsOptional()
  @IsIn(['breakEven'])
  moveTo?: string;

  @ApiPropertyOptional({ example: '50100', description: 'New trigger (stop_loss / take_profit)' })
  @IsOptional()
  @IsString()
  triggerPrice?: string;

  @ApiPropertyOptional({ example: '2' })
  @IsOptional()
  @IsString()
  triggerPercent?: string;

  @ApiPropertyOptional({
    ...triggerSchema,
    properties: { ...triggerSchema.properties, moveTo: { type: 'string' as const, enum: ['breakEven'] } },
  })
  @IsOptional()
  @IsObject()
  stopLoss?: { triggerPrice?: string; triggerPercent?: string; moveTo?: string };

  @ApiPropertyOptional({ ...triggerSchema })
  @IsOptional()
  @IsObject()
  takeProfit?: { triggerPrice?: string; triggerPercent?: string };

  @ApiPropertyOptional({ example: '50%' })
  @IsOptional()
  @IsString()
  amount?: string;

  @ApiPropertyOptional({ example: '5' })
  @IsOptional()
  @IsString()
  trailPercent?: string;

  @ApiPropertyOptional({ example: '300' })
  @IsOptional()
  @IsString()
  trailAmount?: string;

  @ApiPropertyOptional({ example: '2026-12-31T00:00:00Z' })
  @IsOptional()
  @IsString()
  expiresAt?: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  allowImmediate?: boolean;
}

export class ResumeConditionRequestDto {
  @ApiPropertyOptional({ default: false, description: 'Accept a trigger that the price crossed while paused (it fires at once)' })
  @IsOptional()
  @IsBoolean()
  allowImmediate?: boolean;
}

export class ConditionIdParam {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  id: string;
}

export class ListConditionsQueryDto extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  accountId?: string;

  @ApiPropertyOptional({ enum: CONDITION_STATUSES })
  @IsOptional()
  @IsIn(CONDITION_STATUSES)
  status?: ConditionStatus;

  @ApiPropertyOptional({ example: 'BTC/USDT' })
  @IsOptional()
  @IsString()
  symbol?: string;
}
