import { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1795703814183 implements MigrationInterface {
  name = 'Orders1795703814183';

  public async up(queryRunner: QueryRunner): Promise<void> {
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
    await queryRunner.query(`
            CREATE TABLE "order_timeline" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "orderId" varchar(36) NOT NULL,
                "at" datetime NOT NULL,
                "event" varchar(32) NOT NULL,
                "status" varchar(20) NOT NULL,
                "cause" varchar(32) NOT NULL,
                "details" text
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_order_timeline_order" ON "order_timeline" ("orderId", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "trades" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "orderId" varchar(36) NOT NULL,
                "tradeId" varchar(100) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "side" varchar(4) NOT NULL,
                "price" text NOT NULL,
                "amount" text NOT NULL,
                "fee" text NOT NULL,
                "feeCurrency" varchar(16),
                "timestamp" datetime NOT NULL,
                "recordedAt" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trades_account_symbol" ON "trades" ("accountId", "symbol", "timestamp")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_trades_account_trade" ON "trades" ("accountId", "tradeId")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ux_trades_account_trade"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_trades_account_symbol"
        `);
    await queryRunner.query(`
            DROP TABLE "trades"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_order_timeline_order"
        `);
    await queryRunner.query(`
            DROP TABLE "order_timeline"
        `);
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
            DROP TABLE "orders"
        `);
  }
}
