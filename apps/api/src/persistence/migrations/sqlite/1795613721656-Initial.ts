import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795613721656 implements MigrationInterface {
  name = 'Initial1795613721656';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "outbox_messages" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "topic" varchar(100) NOT NULL,
                "payload" text NOT NULL,
                "priority" integer NOT NULL DEFAULT (100),
                "status" varchar(16) NOT NULL DEFAULT ('pending'),
                "attempts" integer NOT NULL DEFAULT (0),
                "availableAt" datetime NOT NULL,
                "claimedUntil" datetime,
                "lastError" text,
                "createdAt" datetime NOT NULL,
                "processedAt" datetime
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_outbox_due" ON "outbox_messages" ("status", "priority", "availableAt")
        `);
    await queryRunner.query(`
            CREATE TABLE "api_credentials" (
                "id" varchar(32) PRIMARY KEY NOT NULL,
                "tokenSha256" varchar(64) NOT NULL,
                "createdAt" datetime NOT NULL
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "api_credentials"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_outbox_due"
        `);
    await queryRunner.query(`
            DROP TABLE "outbox_messages"
        `);
  }
}
