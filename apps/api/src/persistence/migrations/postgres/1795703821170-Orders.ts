import { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1795703821170 implements MigrationInterface {
  name = 'Orders1795703821170';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "orders" (
                "id" character varying(36) NOT NULL,
                "accountId" character varying(36) NOT NULL,
                "exchange" character varying(16) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "side" character varying(4) NOT NULL,
                "type" character varying(8) NOT NULL,
                "amount" numeric(36, 18),
                "requestedCost" numeric(36, 18),
                "price" numeric(36, 18),
                "clientOrderId" character varying(40) NOT NULL,
                "exchangeOrderId" character varying(64),
                "status" character varying(20) NOT NULL,
                "purpose" character varying(16) NOT NULL,
                "filled" numeric(36, 18) NOT NULL,
                "cost" numeric(36, 18) NOT NULL,
                "average" numeric(36, 18),
                "fee" numeric(36, 18),
                "feeCurrency" character varying(16),
                "submittedAt" TIMESTAMP WITH TIME ZONE,
                "resolveAttempts" integer NOT NULL DEFAULT '0',
                "needsAttention" boolean NOT NULL DEFAULT false,
                "rejectReason" text,
                "idempotencyKey" character varying(128),
                "requestHash" character varying(64),
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id")
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
                "id" SERIAL NOT NULL,
                "orderId" character varying(36) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "event" character varying(32) NOT NULL,
                "status" character varying(20) NOT NULL,
                "cause" character varying(32) NOT NULL,
                "details" text,
                CONSTRAINT "PK_e6c8ff4a57760022bbf838d2a73" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_order_timeline_order" ON "order_timeline" ("orderId", "id")
        `);
    await queryRunner.query(`
            CREATE TABLE "trades" (
                "id" character varying(36) NOT NULL,
                "accountId" character varying(36) NOT NULL,
                "orderId" character varying(36) NOT NULL,
                "tradeId" character varying(100) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "side" character varying(4) NOT NULL,
                "price" numeric(36, 18) NOT NULL,
                "amount" numeric(36, 18) NOT NULL,
                "fee" numeric(36, 18) NOT NULL,
                "feeCurrency" character varying(16),
                "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL,
                "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_c6d7c36a837411ba5194dc58595" PRIMARY KEY ("id")
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
            DROP INDEX "public"."ux_trades_account_trade"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_trades_account_symbol"
        `);
    await queryRunner.query(`
            DROP TABLE "trades"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_order_timeline_order"
        `);
    await queryRunner.query(`
            DROP TABLE "order_timeline"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_orders_status"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_orders_account_symbol"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ux_orders_idempotency_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ux_orders_client_order_id"
        `);
    await queryRunner.query(`
            DROP TABLE "orders"
        `);
  }
}
