import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillPositions } from '../positions-backfill.js';

export class Positions1796660429834 implements MigrationInterface {
  name = 'Positions1796660429834';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "position_events" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "accountId" varchar(36) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "at" datetime NOT NULL,
                "event" varchar(16) NOT NULL,
                "details" text
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_position_events_position" ON "position_events" ("accountId", "symbol", "at")
        `);
    await queryRunner.query(`
            CREATE TABLE "positions" (
                "accountId" varchar(36) NOT NULL,
                "symbol" varchar(32) NOT NULL,
                "quantity" text NOT NULL,
                "costBasis" text NOT NULL,
                "realizedPnl" text NOT NULL,
                "totalBought" text NOT NULL,
                "otherFees" text NOT NULL DEFAULT ('{}'),
                "openedAt" datetime,
                "updatedAt" datetime NOT NULL,
                "version" integer NOT NULL,
                PRIMARY KEY ("accountId", "symbol")
            )
        `);
    await queryRunner.query(`
            DROP INDEX "ux_trades_account_trade"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_trades_account_symbol"
        `);
    await queryRunner.query(`
            CREATE TABLE "temporary_trades" (
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
                "recordedAt" datetime NOT NULL,
                "untracked" text
            )
        `);
    await queryRunner.query(`
            INSERT INTO "temporary_trades"(
                    "id",
                    "accountId",
                    "orderId",
                    "tradeId",
                    "symbol",
                    "side",
                    "price",
                    "amount",
                    "fee",
                    "feeCurrency",
                    "timestamp",
                    "recordedAt"
                )
            SELECT "id",
                "accountId",
                "orderId",
                "tradeId",
                "symbol",
                "side",
                "price",
                "amount",
                "fee",
                "feeCurrency",
                "timestamp",
                "recordedAt"
            FROM "trades"
        `);
    await queryRunner.query(`
            DROP TABLE "trades"
        `);
    await queryRunner.query(`
            ALTER TABLE "temporary_trades"
                RENAME TO "trades"
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_trades_account_trade" ON "trades" ("accountId", "tradeId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trades_account_symbol" ON "trades" ("accountId", "symbol", "timestamp")
        `);
    // Positions are kept fill by fill from now on; the fills recorded before start them.
    // SQLite keeps instants as UTC text the way TypeORM writes them: `2026-12-07 16:00:00.000`.
    await backfillPositions(
      queryRunner,
      () => '?',
      (d) => d.toISOString().replace('T', ' ').replace('Z', ''),
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_trades_account_symbol"
        `);
    await queryRunner.query(`
            DROP INDEX "ux_trades_account_trade"
        `);
    await queryRunner.query(`
            ALTER TABLE "trades"
                RENAME TO "temporary_trades"
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
            INSERT INTO "trades"(
                    "id",
                    "accountId",
                    "orderId",
                    "tradeId",
                    "symbol",
                    "side",
                    "price",
                    "amount",
                    "fee",
                    "feeCurrency",
                    "timestamp",
                    "recordedAt"
                )
            SELECT "id",
                "accountId",
                "orderId",
                "tradeId",
                "symbol",
                "side",
                "price",
                "amount",
                "fee",
                "feeCurrency",
                "timestamp",
                "recordedAt"
            FROM "temporary_trades"
        `);
    await queryRunner.query(`
            DROP TABLE "temporary_trades"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trades_account_symbol" ON "trades" ("accountId", "symbol", "timestamp")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_trades_account_trade" ON "trades" ("accountId", "tradeId")
        `);
    await queryRunner.query(`
            DROP TABLE "positions"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_position_events_position"
        `);
    await queryRunner.query(`
            DROP TABLE "position_events"
        `);
  }
}
