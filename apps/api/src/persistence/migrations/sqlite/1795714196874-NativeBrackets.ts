import { MigrationInterface, QueryRunner } from 'typeorm';

export class NativeBrackets1795714196874 implements MigrationInterface {
  name = 'NativeBrackets1795714196874';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_orders_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_account_symbol"
        `);
    await queryRunner.query(`
            DROP INDEX "ux_orders_idempotency_key"
        `);
    await queryRunner.query(`
            DROP INDEX "ux_orders_client_order_id"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_orders" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "exchange" varchar(16) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "side" varchar(4) NOT NULL,
                "type" varchar(8) NOT NULL,
                "amount" text,
                "requestedCost" text,
                "price" text,
                "clientOrderId" varchar(40) NOT NULL,
                "exchangeOrderId" varchar(64),
                "status" varchar(20) NOT NULL,
                "purpose" varchar(16) NOT NULL,
                "filled" text NOT NULL,
                "cost" text NOT NULL,
                "average" text,
                "fee" text,
                "feeCurrency" varchar(16),
                "submittedAt" datetime,
                "resolveAttempts" integer NOT NULL DEFAULT (0),
                "needsAttention" boolean NOT NULL DEFAULT (0),
                "rejectReason" text,
                "idempotencyKey" varchar(128),
                "requestHash" varchar(64),
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL,
                "version" integer NOT NULL,
                "stopPrice" text,
                "legType" varchar(16),
                "listClientOrderId" varchar(40),
                "exchangeListId" varchar(64)
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_orders"(
                    "id",
                    "accountId",
                    "exchange",
                    "symbol",
                    "side",
                    "type",
                    "amount",
                    "requestedCost",
                    "price",
                    "clientOrderId",
                    "exchangeOrderId",
                    "status",
                    "purpose",
                    "filled",
                    "cost",
                    "average",
                    "fee",
                    "feeCurrency",
                    "submittedAt",
                    "resolveAttempts",
                    "needsAttention",
                    "rejectReason",
                    "idempotencyKey",
                    "requestHash",
                    "createdAt",
                    "updatedAt",
                    "version"
                )
            SELECT "id",
                "accountId",
                "exchange",
                "symbol",
                "side",
                "type",
                "amount",
                "requestedCost",
                "price",
                "clientOrderId",
                "exchangeOrderId",
                "status",
                "purpose",
                "filled",
                "cost",
                "average",
                "fee",
                "feeCurrency",
                "submittedAt",
                "resolveAttempts",
                "needsAttention",
                "rejectReason",
                "idempotencyKey",
                "requestHash",
                "createdAt",
                "updatedAt",
                "version"
            FROM "orders"
        `);
    await queryRunner.query(`
            DROP TABLE "orders"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_orders"
                RENAME TO "orders"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_status" ON "orders" ("status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_account_symbol" ON "orders" ("accountId", "symbol", "createdAt")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_orders_idempotency_key" ON "orders" ("idempotencyKey")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_orders_client_order_id" ON "orders" ("clientOrderId")
        `);
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
            CREATE TABLE "temporary_conditions" (
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
                "changedAt" datetime NOT NULL,
                "placement" varchar(8) NOT NULL DEFAULT ('emulated'),
                "stopOrderId" varchar(36),
                "takeProfitOrderId" varchar(36)
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_conditions"(
                    "id",
                    "kind",
                    "status",
                    "version",
                    "accountId",
                    "exchange",
                    "symbol",
                    "watchAccountId",
                    "watchSymbol",
                    "source",
                    "stopPrice",
                    "takeProfitPrice",
                    "trailPercent",
                    "trailAmount",
                    "activationPrice",
                    "highWaterMark",
                    "amount",
                    "executionType",
                    "limitOffset",
                    "onDowntime",
                    "whenTree",
                    "action",
                    "memory",
                    "expiresAt",
                    "firedLeg",
                    "firedTrigger",
                    "firedPrice",
                    "firings",
                    "lastOrderId",
                    "orderIds",
                    "failureReason",
                    "armedAt",
                    "createdAt",
                    "changedAt"
                )
            SELECT "id",
                "kind",
                "status",
                "version",
                "accountId",
                "exchange",
                "symbol",
                "watchAccountId",
                "watchSymbol",
                "source",
                "stopPrice",
                "takeProfitPrice",
                "trailPercent",
                "trailAmount",
                "activationPrice",
                "highWaterMark",
                "amount",
                "executionType",
                "limitOffset",
                "onDowntime",
                "whenTree",
                "action",
                "memory",
                "expiresAt",
                "firedLeg",
                "firedTrigger",
                "firedPrice",
                "firings",
                "lastOrderId",
                "orderIds",
                "failureReason",
                "armedAt",
                "createdAt",
                "changedAt"
            FROM "conditions"
        `);
    await queryRunner.query(`
            DROP TABLE "conditions"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_conditions"
                RENAME TO "conditions"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_status" ON "conditions" ("status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_changed" ON "conditions" ("changedAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_last_order" ON "conditions" ("lastOrderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_list_client_order_id" ON "orders" ("listClientOrderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_take_profit_order" ON "conditions" ("takeProfitOrderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_stop_order" ON "conditions" ("stopOrderId")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_conditions_stop_order"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_conditions_take_profit_order"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_list_client_order_id"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_conditions_last_order"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_conditions_changed"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_conditions_status"
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions"
                RENAME TO "temporary_conditions"
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
            INSERT INTO "conditions"(
                    "id",
                    "kind",
                    "status",
                    "version",
                    "accountId",
                    "exchange",
                    "symbol",
                    "watchAccountId",
                    "watchSymbol",
                    "source",
                    "stopPrice",
                    "takeProfitPrice",
                    "trailPercent",
                    "trailAmount",
                    "activationPrice",
                    "highWaterMark",
                    "amount",
                    "executionType",
                    "limitOffset",
                    "onDowntime",
                    "whenTree",
                    "action",
                    "memory",
                    "expiresAt",
                    "firedLeg",
                    "firedTrigger",
                    "firedPrice",
                    "firings",
                    "lastOrderId",
                    "orderIds",
                    "failureReason",
                    "armedAt",
                    "createdAt",
                    "changedAt"
                )
            SELECT "id",
                "kind",
                "status",
                "version",
                "accountId",
                "exchange",
                "symbol",
                "watchAccountId",
                "watchSymbol",
                "source",
                "stopPrice",
                "takeProfitPrice",
                "trailPercent",
                "trailAmount",
                "activationPrice",
                "highWaterMark",
                "amount",
                "executionType",
                "limitOffset",
                "onDowntime",
                "whenTree",
                "action",
                "memory",
                "expiresAt",
                "firedLeg",
                "firedTrigger",
                "firedPrice",
                "firings",
                "lastOrderId",
                "orderIds",
                "failureReason",
                "armedAt",
                "createdAt",
                "changedAt"
            FROM "temporary_conditions"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_conditions"
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
    await queryRunner.query(`
            DROP INDEX "ux_orders_client_order_id"
        `);
    await queryRunner.query(`
            DROP INDEX "ux_orders_idempotency_key"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_account_symbol"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_status"
        `);
    await queryRunner.query(`
            ALTER TABLE "orders"
                RENAME TO "temporary_orders"
        `);
    await queryRunner.query(`
            CREATE TABLE "orders" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "exchange" varchar(16) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "side" varchar(4) NOT NULL,
                "type" varchar(8) NOT NULL,
                "amount" text,
                "requestedCost" text,
                "price" text,
                "clientOrderId" varchar(40) NOT NULL,
                "exchangeOrderId" varchar(64),
                "status" varchar(20) NOT NULL,
                "purpose" varchar(16) NOT NULL,
                "filled" text NOT NULL,
                "cost" text NOT NULL,
                "average" text,
                "fee" text,
                "feeCurrency" varchar(16),
                "submittedAt" datetime,
                "resolveAttempts" integer NOT NULL DEFAULT (0),
                "needsAttention" boolean NOT NULL DEFAULT (0),
                "rejectReason" text,
                "idempotencyKey" varchar(128),
                "requestHash" varchar(64),
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL,
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            INSERT INTO "orders"(
                    "id",
                    "accountId",
                    "exchange",
                    "symbol",
                    "side",
                    "type",
                    "amount",
                    "requestedCost",
                    "price",
                    "clientOrderId",
                    "exchangeOrderId",
                    "status",
                    "purpose",
                    "filled",
                    "cost",
                    "average",
                    "fee",
                    "feeCurrency",
                    "submittedAt",
                    "resolveAttempts",
                    "needsAttention",
                    "rejectReason",
                    "idempotencyKey",
                    "requestHash",
                    "createdAt",
                    "updatedAt",
                    "version"
                )
            SELECT "id",
                "accountId",
                "exchange",
                "symbol",
                "side",
                "type",
                "amount",
                "requestedCost",
                "price",
                "clientOrderId",
                "exchangeOrderId",
                "status",
                "purpose",
                "filled",
                "cost",
                "average",
                "fee",
                "feeCurrency",
                "submittedAt",
                "resolveAttempts",
                "needsAttention",
                "rejectReason",
                "idempotencyKey",
                "requestHash",
                "createdAt",
                "updatedAt",
                "version"
            FROM "temporary_orders"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_orders"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_orders_client_order_id" ON "orders" ("clientOrderId")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_orders_idempotency_key" ON "orders" ("idempotencyKey")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_account_symbol" ON "orders" ("accountId", "symbol", "createdAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_status" ON "orders" ("status")
        `);
  }
}
