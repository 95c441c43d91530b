import { MigrationInterface, QueryRunner } from 'typeorm';

export class PaperAccounts1795711958445 implements MigrationInterface {
  name = 'PaperAccounts1795711958445';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "paper_accounts" (
                "accountId" varchar(36) PRIMARY KEY NOT NULL,
                "exchange" varchar(16) NOT NULL,
                "startingBalances" text NOT NULL,
                "createdAt" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "paper_balances" (
                "accountId" varchar(36) NOT NULL,
                "asset" varchar(20) NOT NULL,
                "free" text NOT NULL,
                "locked" text NOT NULL,
                "updatedAt" datetime NOT NULL,
                PRIMARY KEY ("accountId", "asset")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "paper_orders" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "clientOrderId" varchar(64) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "side" varchar(4) NOT NULL,
                "type" varchar(8) NOT NULL,
                "status" varchar(16) NOT NULL,
                "amount" text,
                "price" text,
                "requestedCost" text,
                "filled" text NOT NULL,
                "cost" text NOT NULL,
                "fee" text NOT NULL,
                "feeCurrency" varchar(20) NOT NULL,
                "reservedAsset" varchar(20) NOT NULL,
                "reserved" text NOT NULL,
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL,
                "version" integer NOT NULL
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
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "orderId" varchar(36) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "side" varchar(4) NOT NULL,
                "price" text NOT NULL,
                "amount" text NOT NULL,
                "fee" text NOT NULL,
                "feeCurrency" varchar(20) NOT NULL,
                "feeRate" text NOT NULL,
                "maker" boolean NOT NULL,
                "executedAt" datetime NOT NULL
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
            DROP INDEX "ix_paper_trades_account_symbol"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_paper_trades_order"
        `);
    await queryRunner.query(`
            DROP TABLE "paper_trades"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_paper_orders_account_client_id"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_paper_orders_account_status"
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
