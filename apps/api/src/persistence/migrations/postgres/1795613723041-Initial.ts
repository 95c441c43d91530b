import { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1795613723041 implements MigrationInterface {
  name = 'Initial1795613723041';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "outbox_messages" (
                "id" character varying(36) NOT NULL,
                "topic" character varying(100) NOT NULL,
                "payload" text NOT NULL,
                "priority" integer NOT NULL DEFAULT '100',
                "status" character varying(16) NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT '0',
                "availableAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "claimedUntil" TIMESTAMP WITH TIME ZONE,
                "lastError" text,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "processedAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_0171348f527c64b137e4d4f5b66" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_outbox_due" ON "outbox_messages" ("status", "priority", "availableAt")
        `);
    await queryRunner.query(`
            CREATE TABLE "api_credentials" (
                "id" character varying(32) NOT NULL,
                "tokenSha256" character varying(64) NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_3e97de2b2f8c5d0897b67e89e3c" PRIMARY KEY ("id")
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "api_credentials"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_outbox_due"
        `);
    await queryRunner.query(`
            DROP TABLE "outbox_messages"
        `);
  }
}
