import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillPositions } from '../positions-backfill.js';

export class Positions1796660433814 implements MigrationInterface {
  name = 'Positions1796660433814';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "position_events" (
                "id" character varying(36) NOT NULL,
                "accountId" character varying(36) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "event" character varying(16) NOT NULL,
                "details" text,
                CONSTRAINT "PK_d5d5c1614c994f833d4d5e7ce97" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_position_events_position" ON "position_events" ("accountId", "symbol", "at")
        `);
    await queryRunner.query(`
            CREATE TABLE "positions" (
                "accountId" character varying(36) NOT NULL,
                "symbol" character varying(32) NOT NULL,
                "quantity" numeric(36, 18) NOT NULL,
                "costBasis" numeric(36, 18) NOT NULL,
                "realizedPnl" numeric(36, 18) NOT NULL,
                "totalBought" numeric(36, 18) NOT NULL,
                "otherFees" text NOT NULL DEFAULT '{}',
                "openedAt" TIMESTAMP WITH TIME ZONE,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                CONSTRAINT "PK_465ffbc3673d5507da47cb81e20" PRIMARY KEY ("accountId", "symbol")
            )
        `);
    await queryRunner.query(`
            ALTER TABLE "trades"
            ADD "untracked" numeric(36, 18)
        `);
    // Positions are kept fill by fill from now on; the fills recorded before start them.
    await backfillPositions(queryRunner, (n) => `$${n}`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "trades" DROP COLUMN "untracked"
        `);
    await queryRunner.query(`
            DROP TABLE "positions"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_position_events_position"
        `);
    await queryRunner.query(`
            DROP TABLE "position_events"
        `);
  }
}
