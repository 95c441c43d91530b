import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExchangeAccounts1795702870900 implements MigrationInterface {
  name = 'ExchangeAccounts1795702870900';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "exchange_accounts" (
                "id" character varying(36) NOT NULL,
                "exchange" character varying(16) NOT NULL,
                "mode" character varying(16) NOT NULL,
                "label" character varying(100) NOT NULL,
                "apiKeyCiphertext" text NOT NULL,
                "secretCiphertext" text NOT NULL,
                "keyId" character varying(32) NOT NULL,
                "apiKeyHint" character varying(8) NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "version" integer NOT NULL,
                CONSTRAINT "PK_f1df0f9e2ed3daf1b3bf4a2a4ab" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_exchange_accounts_exchange_mode" ON "exchange_accounts" ("exchange", "mode")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_exchange_accounts_exchange_mode"
        `);
    await queryRunner.query(`
            DROP TABLE "exchange_accounts"
        `);
  }
}
