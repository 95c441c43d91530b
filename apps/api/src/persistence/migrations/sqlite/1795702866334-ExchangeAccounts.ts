import { MigrationInterface, QueryRunner } from 'typeorm';

export class ExchangeAccounts1795702866334 implements MigrationInterface {
  name = 'ExchangeAccounts1795702866334';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "exchange_accounts" (
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "exchange" varchar(16) NOT NULL,
                "mode" varchar(16) NOT NULL,
                "label" varchar(100) NOT NULL,
                "apiKeyCiphertext" text NOT NULL,
                "secretCiphertext" text NOT NULL,
                "keyId" varchar(32) NOT NULL,
                "apiKeyHint" varchar(8) NOT NULL,
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL,
                "version" integer NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_exchange_accounts_exchange_mode" ON "exchange_accounts" ("exchange", "mode")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_exchange_accounts_exchange_mode"
        `);
    await queryRunner.query(`
            DROP TABLE "exchange_accounts"
        `);
  }
}
