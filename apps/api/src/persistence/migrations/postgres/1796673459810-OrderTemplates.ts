import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderTemplates1796673459810 implements MigrationInterface {
  name = 'OrderTemplates1796673459810';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "template_executions" (
                "id" character varying(36) NOT NULL,
                "templateId" character varying(36) NOT NULL,
                "templateVersion" integer NOT NULL,
                "status" character varying(16) NOT NULL,
                "source" character varying(12) NOT NULL,
                "sourceId" character varying(36),
                "accountId" character varying(36) NOT NULL,
                "exchange" character varying(16) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "side" character varying(4) NOT NULL,
                "idempotencyKey" character varying(160),
                "requestHash" character varying(64),
                "orderId" character varying(36),
                "plan" text NOT NULL,
                "filled" numeric(36, 18),
                "average" numeric(36, 18),
                "received" numeric(36, 18),
                "paid" numeric(36, 18),
                "sold" numeric(36, 18),
                "breakEvenMoved" boolean NOT NULL DEFAULT false,
                "closedAt" TIMESTAMP WITH TIME ZONE,
                "failureCode" character varying(64),
                "failureReason" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_dcc2026012c7b0c615ade0069bf" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_template_executions_idempotency_key" ON "template_executions" ("idempotencyKey")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_executions_status" ON "template_executions" ("status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_executions_template" ON "template_executions" ("templateId", "createdAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_executions_order" ON "template_executions" ("orderId")
        `);
    await queryRunner.query(`
            CREATE TABLE "template_execution_exits" (
                "conditionId" character varying(36) NOT NULL,
                "executionId" character varying(36) NOT NULL,
                "role" character varying(16) NOT NULL,
                "rung" integer NOT NULL,
                "amount" numeric(36, 18) NOT NULL,
                "triggerPrice" numeric(36, 18),
                "trailPercent" numeric(36, 18),
                "activationPrice" numeric(36, 18),
                "execution" text,
                "status" character varying(12) NOT NULL,
                "sold" numeric(36, 18),
                "reason" text,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_00a648b22e0bcc4a3397d95f546" PRIMARY KEY ("conditionId")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_execution_exits_execution" ON "template_execution_exits" ("executionId", "rung")
        `);
    await queryRunner.query(`
            CREATE TABLE "template_execution_events" (
                "id" SERIAL NOT NULL,
                "executionId" character varying(36) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "event" character varying(24) NOT NULL,
                "details" text,
                CONSTRAINT "PK_a99de34fb0bd4fc9f57596b7100" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_execution_events_execution" ON "template_execution_events" ("executionId", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "order_templates" (
                "id" character varying(36) NOT NULL,
                "version" integer NOT NULL,
                "name" character varying(100) NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "deletedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_3a2cf80ced09eafc8a56a8609ac" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_order_templates_deleted" ON "order_templates" ("deletedAt", "createdAt")
        `);
    await queryRunner.query(`
            CREATE TABLE "order_template_versions" (
                "templateId" character varying(36) NOT NULL,
                "version" integer NOT NULL,
                "definition" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_d99df86f8947dbdafeecd5739d5" PRIMARY KEY ("templateId", "version")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "template_hooks" (
                "id" character varying(36) NOT NULL,
                "name" character varying(100) NOT NULL,
                "secretDigest" character varying(64) NOT NULL,
                "templateIds" text NOT NULL,
                "maxLagSeconds" integer NOT NULL,
                "replayWindowSeconds" integer NOT NULL,
                "ratePerMinute" integer NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "deletedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_d15815d71a6e4a58ff7ca2b8b23" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "template_hook_calls" (
                "id" SERIAL NOT NULL,
                "hookId" character varying(36) NOT NULL,
                "receivedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "outcome" character varying(12) NOT NULL,
                "httpStatus" integer NOT NULL,
                "code" character varying(64),
                "message" text,
                "signalHash" character varying(64),
                "bodyHash" character varying(64),
                "templateId" character varying(36),
                "symbol" character varying(32),
                "executionId" character varying(36),
                "clientIp" character varying(64),
                "requestId" character varying(128),
                CONSTRAINT "PK_c72e95af85d92e6a1b7d1a15f7f" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_template_hook_calls_signal" ON "template_hook_calls" ("hookId", "signalHash")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_hook_calls_hook" ON "template_hook_calls" ("hookId", "receivedAt")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_template_hook_calls_hook"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ux_template_hook_calls_signal"
        `);
    await queryRunner.query(`
            DROP TABLE "template_hook_calls"
        `);
    await queryRunner.query(`
            DROP TABLE "template_hooks"
        `);
    await queryRunner.query(`
            DROP TABLE "order_template_versions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_order_templates_deleted"
        `);
    await queryRunner.query(`
            DROP TABLE "order_templates"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_template_execution_events_execution"
        `);
    await queryRunner.query(`
            DROP TABLE "template_execution_events"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_template_execution_exits_execution"
        `);
    await queryRunner.query(`
            DROP TABLE "template_execution_exits"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_template_executions_order"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_template_executions_template"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_template_executions_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ux_template_executions_idempotency_key"
        `);
    await queryRunner.query(`
            DROP TABLE "template_executions"
        `);
  }
}
