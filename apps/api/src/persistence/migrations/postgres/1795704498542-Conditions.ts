import { MigrationInterface, QueryRunner } from 'typeorm';

export class Conditions1795704498542 implements MigrationInterface {
  name = 'Conditions1795704498542';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "condition_timeline" (
                "id" SERIAL NOT NULL,
                "conditionId" character varying(36) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "event" character varying(24) NOT NULL,
                "status" character varying(12) NOT NULL,
                "price" numeric(36, 18),
                "trigger" numeric(36, 18),
                "details" text,
                CONSTRAINT "PK_3e8013ea77b20eafa68dc20422e" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_condition_timeline_condition" ON "condition_timeline" ("conditionId", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "conditions" (
                "id" character varying(36) NOT NULL,
                "kind" character varying(20) NOT NULL,
                "status" character varying(12) NOT NULL,
                "version" integer NOT NULL,
                "accountId" character varying(36) NOT NULL,
                "exchange" character varying(16) NOT NULL,
                "symbol" character varying(24),
                "watchAccountId" character varying(36),
                "watchSymbol" character varying(24),
                "source" character varying(4) NOT NULL,
                "stopPrice" numeric(36, 18),
                "takeProfitPrice" numeric(36, 18),
                "trailPercent" numeric(36, 18),
                "trailAmount" numeric(36, 18),
                "activationPrice" numeric(36, 18),
                "highWaterMark" numeric(36, 18),
                "amount" character varying(40),
                "executionType" character varying(8) NOT NULL,
                "limitOffset" numeric(36, 18),
                "onDowntime" character varying(8) NOT NULL,
                "whenTree" text,
                "action" text,
                "memory" text,
                "expiresAt" TIMESTAMP WITH TIME ZONE,
                "firedLeg" character varying(12),
                "firedTrigger" numeric(36, 18),
                "firedPrice" numeric(36, 18),
                "firings" integer NOT NULL DEFAULT '0',
                "lastOrderId" character varying(36),
                "orderIds" text NOT NULL,
                "failureReason" text,
                "armedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "changedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_3938bdf2933c08ac7af7e0e15e7" PRIMARY KEY ("id")
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
            DROP INDEX "public"."ix_conditions_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_conditions_changed"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_conditions_last_order"
        `);
    await queryRunner.query(`
            DROP TABLE "conditions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_condition_timeline_condition"
        `);
    await queryRunner.query(`
            DROP TABLE "condition_timeline"
        `);
  }
}
