import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderTemplates1796673448195 implements MigrationInterface {
  name = 'OrderTemplates1796673448195';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "template_executions" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "templateId" varchar(36) NOT NULL,
                "templateVersion" integer NOT NULL,
                "status" varchar(16) NOT NULL,
                "source" varchar(12) NOT NULL,
                "sourceId" varchar(36),
                "accountId" varchar(36) NOT NULL,
                "exchange" varchar(16) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "side" varchar(4) NOT NULL,
                "idempotencyKey" varchar(160),
                "requestHash" varchar(64),
                "orderId" varchar(36),
                "plan" text NOT NULL,
                "filled" text,
                "average" text,
                "received" text,
                "paid" text,
                "sold" text,
                "breakEvenMoved" boolean NOT NULL DEFAULT (0),
                "closedAt" datetime,
                "failureCode" varchar(64),
                "failureReason" text,
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL
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
                "conditionId" varchar(36) PRIMARY KEY NOT NULL,
                "executionId" varchar(36) NOT NULL,
                "role" varchar(16) NOT NULL,
                "rung" integer NOT NULL,
                "amount" text NOT NULL,
                "triggerPrice" text,
                "trailPercent" text,
                "activationPrice" text,
                "execution" text,
                "status" varchar(12) NOT NULL,
                "sold" text,
                "reason" text,
                "updatedAt" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_execution_exits_execution" ON "template_execution_exits" ("executionId", "rung")
        `);
    await queryRunner.query(`
            CREATE TABLE "template_execution_events" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "executionId" varchar(36) NOT NULL,
                "at" datetime NOT NULL,
                "event" varchar(24) NOT NULL,
                "details" text
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_template_execution_events_execution" ON "template_execution_events" ("executionId", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "order_templates" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "version" integer NOT NULL,
                "name" varchar(100) NOT NULL,
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL,
                "deletedAt" datetime
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_order_templates_deleted" ON "order_templates" ("deletedAt", "createdAt")
        `);
    await queryRunner.query(`
            CREATE TABLE "order_template_versions" (
                "templateId" varchar(36) NOT NULL,
                "version" integer NOT NULL,
                "definition" text NOT NULL,
                "createdAt" datetime NOT NULL,
                PRIMARY KEY ("templateId", "version")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "template_hooks" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "name" varchar(100) NOT NULL,
                "secretDigest" varchar(64) NOT NULL,
                "templateIds" text NOT NULL,
                "maxLagSeconds" integer NOT NULL,
                "replayWindowSeconds" integer NOT NULL,
                "ratePerMinute" integer NOT NULL,
                "createdAt" datetime NOT NULL,
                "deletedAt" datetime
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "template_hook_calls" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "hookId" varchar(36) NOT NULL,
                "receivedAt" datetime NOT NULL,
                "outcome" varchar(12) NOT NULL,
                "httpStatus" integer NOT NULL,
                "code" varchar(64),
                "message" text,
                "signalHash" varchar(64),
                "bodyHash" varchar(64),
                "templateId" varchar(36),
                "symbol" varchar(32),
                "executionId" varchar(36),
                "clientIp" varchar(64),
                "requestId" varchar(128)
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
            DROP INDEX "ix_template_hook_calls_hook"
        `);
    await queryRunner.query(`
            DROP INDEX "ux_template_hook_calls_signal"
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
            DROP INDEX "ix_order_templates_deleted"
        `);
    await queryRunner.query(`
            DROP TABLE "order_templates"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_template_execution_events_execution"
        `);
    await queryRunner.query(`
            DROP TABLE "template_execution_events"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_template_execution_exits_execution"
        `);
    await queryRunner.query(`
            DROP TABLE "template_execution_exits"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_template_executions_order"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_template_executions_template"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_template_executions_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ux_template_executions_idempotency_key"
        `);
    await queryRunner.query(`
            DROP TABLE "template_executions"
        `);
  }
}
