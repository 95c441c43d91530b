import { randomBytes, randomUUID } from 'node:crypto';
import { CommandBus, CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DomainError, NotFoundError, RateLimitedError, UnauthorizedError, ValidationError, ConflictError } from '@tradedesk/shared';
import { type HookSignal, parseSignal, secretDigest, secretMatches, signalHash } from '../../domain/hook-signal.js';
import { invalid, objectWith, UUID } from '../../domain/template-errors.js';
import { HookRepository } from '../../infrastructure/persistence/hook.repository.js';
import type { TemplateHookCallOrmEntity, TemplateHookOrmEntity } from '../../infrastructure/persistence/template-hook.orm-entity.js';
import { ExecuteTemplateCommand, type ExecuteTemplateResult } from '../commands/execute-template.js';

export const DEFAULT_MAX_LAG_SECONDS = 60;
export const DEFAULT_RATE_PER_MINUTE = 30;
/** A signal dated this far ahead of the server's clock is refused (a sender's clock may run a little fast). */
const FUTURE_SKEW_MS = 30_000;

/** A new hook: `{ name, templateIds?, maxLagSeconds?, ratePerMinute? }`. Answers the hook with its secret, shown this once. */
export class CreateHookCommand {
  constructor(readonly request: unknown) {}
}

export class DeleteHookCommand {
  constructor(readonly hookId: string) {}
}

/** A signal arrived at POST /api/hooks/:hookId: checked, executed at most once, and recorded whatever its outcome. */
export class ReceiveSignalCommand {
  constructor(
    readonly hookId: string,
    readonly body: unknown,
    readonly caller: { ip: string | null; requestId: string | null },
    readonly now = new Date(),
  ) {}
}

export class ListHooksQuery {}

export class ListHookCallsQuery {
  constructor(
    readonly hookId: string,
    readonly page: { limit: number; offset: number },
  ) {}
}

export function hookView(h: TemplateHookOrmEntity) {
  return {
    id: h.id,
    name: h.name,
    url: `/api/hooks/${h.id}`,
    templateIds: h.templateIds,
    maxLagSeconds: h.maxLagSeconds,
    replayWindowSeconds: h.replayWindowSeconds,
    ratePerMinute: h.ratePerMinute,
    createdAt: h.createdAt.toISOString(),
  };
}

function callView(c: TemplateHookCallOrmEntity) {
  return {
    id: c.id,
    receivedAt: c.receivedAt.toISOString(),
    outcome: c.outcome,
    httpStatus: c.httpStatus,
    code: c.code,
    message: c.message,
    templateId: c.templateId,
    symbol: c.symbol,
    executionId: c.executionId,
    bodyHash: c.bodyHash,
    clientIp: c.clientIp,
    requestId: c.requestId,
  };
}

@CommandHandler(CreateHookCommand)
export class CreateHookHandler implements ICommandHandler<CreateHookCommand, ReturnType<typeof hookView> & { secret: string }> {
  constructor(private readonly hooks: HookRepository) {}

  async execute({ request }: CreateHookCommand) {
    const o = objectWith(request, ['name', 'templateIds', 'maxLagSeconds', 'ratePerMinute'], '');
    if (typeof o.name !== 'string' || o.name.trim() === '' || o.name.length > 100)
      invalid('name', 'must be a non-empty string of at most 100 characters');
    const templateIds = o.templateIds ?? [];
    if (!Array.isArray(templateIds) || templateIds.length > 100 || templateIds.some((t) => typeof t !== 'string' || !UUID.test(t)))
      invalid('templateIds', 'must be a list of template ids (UUIDs); empty or absent: any template');
    const maxLagSeconds = whole(o.maxLagSeconds, 'maxLagSeconds', DEFAULT_MAX_LAG_SECONDS, 5, 3600);
    const ratePerMinute = whole(o.ratePerMinute, 'ratePerMinute', DEFAULT_RATE_PER_MINUTE, 1, 600);
    const secret = randomBytes(24).toString('base64url');
    const hook: TemplateHookOrmEntity = {
      id: randomUUID(),
      name: o.name,
      secretDigest: secretDigest(secret).toString('hex'),
      templateIds: (templateIds as string[]).map((t) => t.toLowerCase()),
      maxLagSeconds,
      // A signal older than maxLagSeconds is stale; within it, the same signal again is a replay.
      replayWindowSeconds: maxLagSeconds,
      ratePerMinute,
      createdAt: new Date(),
      deletedAt: null,
    };
    await this.hooks.insert(hook);
    return { ...hookView(hook), secret };
  }
}

function whole(value: unknown, field: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    invalid(field, `must be a whole number from ${min} to ${max}`);
  return value;
}

@CommandHandler(DeleteHookCommand)
export class DeleteHookHandler implements ICommandHandler<DeleteHookCommand, void> {
  constructor(private readonly hooks: HookRepository) {}

  async execute({ hookId }: DeleteHookCommand): Promise<void> {
    if (!(await this.hooks.softDelete(hookId))) throw new NotFoundError('HOOK.NOT_FOUND', `No hook with id ${hookId}`, { hookId });
  }
}

/**
 * The order of checks keeps a stranger from learning anything: the hook exists, it is under its
 * rate, the body is a signal, the secret matches (in constant time), the template is one the hook
 * may run, the signal is fresh; then the signal is claimed by its body hash (one of any number of
 * concurrent deliveries wins) and executed under a key derived from it. Every call is recorded.
 */
@CommandHandler(ReceiveSignalCommand)
export class ReceiveSignalHandler implements ICommandHandler<ReceiveSignalCommand, ExecuteTemplateResult> {
  constructor(
    private readonly hooks: HookRepository,
    private readonly commands: CommandBus,
  ) {}

  async execute({ hookId, body, caller, now }: ReceiveSignalCommand): Promise<ExecuteTemplateResult> {
    const hook = UUID.test(hookId) ? await this.hooks.find(hookId.toLowerCase()) : null;
    if (!hook) throw new NotFoundError('HOOK.NOT_FOUND', `No hook with id ${hookId}`, { hookId });
    const bodyHash = body !== null && typeof body === 'object' ? signalHash(body) : null;
    const call = {
      hookId: hook.id,
      receivedAt: now,
      bodyHash,
      signalHash: null as string | null,
      templateId: null as string | null,
      symbol: null as string | null,
      executionId: null,
      clientIp: caller.ip,
      requestId: caller.requestId,
    };
    const refuse = async (error: DomainError): Promise<never> => {
      await this.hooks.record({ ...call, outcome: 'rejected', httpStatus: error.httpStatus, code: error.code, message: error.message });
      throw error;
    };
    if ((await this.hooks.callsSince(hook.id, new Date(now.getTime() - 60_000))) >= hook.ratePerMinute)
      return refuse(
        new RateLimitedError('HOOK.RATE_LIMITED', `this hook takes at most ${hook.ratePerMinute} calls a minute`).retryAfter(60),
      );
    const signal = readSignal(body);
    if (signal instanceof DomainError) return refuse(signal);
    call.templateId = signal.templateId;
    call.symbol = signal.symbol ?? null;
    const refused = refusal(hook, signal, now);
    if (refused) return refuse(refused);
    const claimed = await this.hooks.record({
      ...call,
      signalHash: bodyHash,
      outcome: 'executing',
      httpStatus: 202,
      code: null,
      message: null,
    });
    if (!claimed)
      return refuse(
        new ConflictError('HOOK.REPLAYED_SIGNAL', `this signal was received already (within ${hook.replayWindowSeconds} s): it runs once`),
      );
    return this.run(hook, signal, bodyHash, claimed.id);
  }

  /** The claimed signal runs its template under a key derived from the signal; its call records the outcome. */
  private async run(
    hook: TemplateHookOrmEntity,
    signal: HookSignal,
    bodyHash: string | null,
    callId: number,
  ): Promise<ExecuteTemplateResult> {
    const overrides = {
      ...(signal.symbol ? { symbol: signal.symbol } : {}),
      ...(signal.side ? { side: signal.side } : {}),
      ...(signal.size ? { size: signal.size } : {}),
    };
    try {
      const result: ExecuteTemplateResult = await this.commands.execute(
        new ExecuteTemplateCommand(signal.templateId, overrides, {
          idempotencyKey: `hook-${hook.id}-${bodyHash}`,
          source: 'webhook',
          sourceId: hook.id,
          sideOverride: true,
        }),
      );
      await this.hooks.settle(callId, { outcome: 'executed', httpStatus: 201, code: null, message: null, executionId: result.executionId });
      return result;
    } catch (error) {
      const known = error instanceof DomainError;
      await this.hooks.settle(callId, {
        outcome: 'rejected',
        httpStatus: known ? error.httpStatus : 500,
        code: known ? error.code : 'INTERNAL',
        message: error instanceof Error ? error.message : String(error),
        executionId: null,
      });
      throw error;
    }
  }
}

function readSignal(body: unknown): HookSignal | DomainError {
  try {
    return parseSignal(body);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
}

/** Why a well-formed signal is refused: the secret (compared in constant time), the template, its age. */
function refusal(hook: TemplateHookOrmEntity, signal: HookSignal, now: Date): DomainError | undefined {
  if (!secretMatches(signal.secret, Buffer.from(hook.secretDigest, 'hex')))
    return new UnauthorizedError('HOOK.WRONG_SECRET', "secret: does not match this hook's secret", { field: 'secret' });
  if (hook.templateIds.length > 0 && !hook.templateIds.includes(signal.templateId))
    return new ValidationError('HOOK.TEMPLATE_NOT_ALLOWED', `template: this hook does not run template ${signal.templateId}`, {
      field: 'template',
    });
  const age = now.getTime() - signal.timestamp.getTime();
  if (age > hook.maxLagSeconds * 1000)
    return new ValidationError(
      'HOOK.STALE_SIGNAL',
      `timestamp: the signal is ${Math.round(age / 1000)} s old; this hook takes signals up to ${hook.maxLagSeconds} s old`,
      { field: 'timestamp' },
    );
  if (age < -FUTURE_SKEW_MS)
    return new ValidationError('HOOK.SIGNAL_FROM_FUTURE', "timestamp: the signal is dated ahead of the server's clock", {
      field: 'timestamp',
    });
  return undefined;
}

@QueryHandler(ListHooksQuery)
export class ListHooksHandler implements IQueryHandler<ListHooksQuery, unknown> {
  constructor(private readonly hooks: HookRepository) {}

  async execute() {
    return { items: (await this.hooks.list()).map(hookView) };
  }
}

@QueryHandler(ListHookCallsQuery)
export class ListHookCallsHandler implements IQueryHandler<ListHookCallsQuery, unknown> {
  constructor(private readonly hooks: HookRepository) {}

  async execute({ hookId, page }: ListHookCallsQuery) {
    if (!(UUID.test(hookId) && (await this.hooks.find(hookId.toLowerCase()))))
      throw new NotFoundError('HOOK.NOT_FOUND', `No hook with id ${hookId}`, { hookId });
    const { items, total } = await this.hooks.calls(hookId.toLowerCase(), page);
    return { items: items.map(callView), total, limit: page.limit, offset: page.offset };
  }
}
