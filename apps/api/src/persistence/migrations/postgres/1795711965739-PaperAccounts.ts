import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaperAccounts1795711965739 implements MigrationInterface {
  name = 'PaperAccounts1795711965739';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "paper_accounts" (
                "accountId" character varying(36) NOT NULL,
                "exchange" character varying(16) NOT NULL,
                "startingBalances" text NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_06c74580143ac33011065da585c" PRIMARY KEY ("accountId")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "paper_balances" (
                "accountId" character varying(36) NOT NULL,
                "asset" character varying(20) NOT NULL,
                "free" numeric(36, 18) NOT NULL,
                "locked" numeric(36, 18) NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_8985e118665d10f4ad746f25bc0" PRIMARY KEY ("accountId", "asset")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "paper_orders" (
                "id" character varying(36) NOT NULL,
                "accountId" character varying(36) NOT NULL,
                "clientOrderId" character varying(64) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "side" character varying(4) NOT NULL,
                "type" character varying(8) NOT NULL,
                "status" character varying(16) NOT NULL,
                "amount" numeric(36, 18),
                "price" numeric(36, 18),
                "requestedCost" numeric(36, 18),
                "filled" numeric(36, 18) NOT NULL,
                "cost" numeric(36, 18) NOT NULL,
                "fee" numeric(36, 18) NOT NULL,
                "feeCurrency" character varying(20) NOT NULL,
                "reservedAsset" character varying(20) NOT NULL,
                "reserved" numeric(36, 18) NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                CONSTRAINT "PK_34a4dea4cb983e60268bd068194" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_paper_orders_account_status" ON "paper_orders" ("accountId", "status", "symbol")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_paper_orders_account_client_id" ON "paper_orders" ("accountId", "clientOrderId")
        `);
    await queryRunner.query(`
            CREATE TABLE "paper_trades" (
                "id" character varying(36) NOT NULL,
                "accountId" character varying(36) NOT NULL,
                "orderId" character varying(36) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "side" character varying(4) NOT NULL,
                "price" numeric(36, 18) NOT NULL,
                "amount" numeric(36, 18) NOT NULL,
                "fee" numeric(36, 18) NOT NULL,
                "feeCurrency" character varying(20) NOT NULL,
                "feeRate" numeric(36, 18) NOT NULL,
                "maker" boolean NOT NULL,
                "executedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_5a569a3797709ab0d6128583705" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_paper_trades_order" ON "paper_trades" ("orderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_paper_trades_account_symbol" ON "paper_trades" ("accountId", "symbol", "executedAt")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_paper_trades_account_symbol"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_paper_trades_order"
        `);
    await queryRunner.query(`
            DROP TABLE "paper_trades"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_paper_orders_account_client_id"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_paper_orders_account_status"
        `);
    await queryRunner.query(`
            DROP TABLE "paper_orders"
        `);
    await queryRunner.query(`
            DROP TABLE "paper_balances"
        `);
    await queryRunner.query(`
            DROP TABLE "paper_accounts"
        `);
  }
}
