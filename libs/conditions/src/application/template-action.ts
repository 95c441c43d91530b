/**
 * A conditional order whose action names an order template (`then: { template, overrides }`). The
 * conditions context asks and the templates context answers (ADR 0009: a question or request one
 * context makes of another is a class owned by the asker), so conditions never imports templates.
 * Without a templates context in the app, arming such a conditional is a 400.
 */

/** The template a conditional runs, with what it may override (`symbol`, `size`); checked by the templates context. */
export interface TemplateAction {
  templateId: string;
  overrides: Record<string, unknown>;
}

/** At arming: can this template run on this account with these overrides? Answers the market and side it would trade. */
export class CheckTemplateActionQuery {
  constructor(
    readonly accountId: string,
    readonly action: TemplateAction,
  ) {}
}

export interface TemplateActionCheck {
  symbol: string;
  side: 'buy' | 'sell';
}

/**
 * At firing: run the template now on the conditional's account, exactly once per `idempotencyKey`
 * (the firing's key, so a re-delivered intent answers the first run). Answers the entry order.
 */
export class RunTemplateActionCommand {
  constructor(
    readonly accountId: string,
    readonly action: TemplateAction,
    readonly idempotencyKey: string,
    readonly conditionId: string,
  ) {}
}

export interface TemplateActionRun {
  executionId: string;
  orderId: string;
}
