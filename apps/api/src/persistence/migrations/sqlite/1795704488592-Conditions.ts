import { MigrationInterface, QueryRunner } from 'typeorm';

export class Conditions1795704488592 implements MigrationInterface {
  name = 'Conditions1795704488592';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "condition_timeline" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "conditionId" varchar(36) NOT NULL,
                "at" datetime NOT NULL,
                "event" varchar(24) NOT NULL,
                "status" varchar(12) NOT NULL,
                "price" text,
                "trigger" text,
                "details" text
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_condition_timeline_condition" ON "condition_timeline" ("conditionId", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "conditions" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "kind" varchar(20) NOT NULL,
                "status" varchar(12) NOT NULL,
                "version" integer NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "exchange" varchar(16) NOT NULL,
                "symbol" varchar(24),
                "watchAccountId" varchar(36),
                "watchSymbol" varchar(24),
                "source" varchar(4) NOT NULL,
                "stopPrice" text,
                "takeProfitPrice" text,
                "trailPercent" text,
                "trailAmount" text,
                "activationPrice" text,
                "highWaterMark" text,
                "amount" varchar(40),
                "executionType" varchar(8) NOT NULL,
                "limitOffset" text,
                "onDowntime" varchar(8) NOT NULL,
                "whenTree" text,
                "action" text,
                "memory" text,
                "expiresAt" datetime,
                "firedLeg" varchar(12),
                "firedTrigger" text,
                "firedPrice" text,
                "firings" integer NOT NULL DEFAULT (0),
                "lastOrderId" varchar(36),
                "orderIds" text NOT NULL,
                "failureReason" text,
                "armedAt" datetime NOT NULL,
                "createdAt" datetime NOT NULL,
                "changedAt" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_last_order" ON "conditions" ("lastOrderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_changed" ON "conditions" ("changedAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_status" ON "conditions" ("status")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_conditions_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_conditions_changed"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_conditions_last_order"
        `);
    await queryRunner.query(`
            DROP TABLE "conditions"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_condition_timeline_condition"
        `);
    await queryRunner.query(`
            DROP TABLE "condition_timeline"
        `);
  }
}
