import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1796663792378 implements MigrationInterface {
  name = 'AuditLog1796663792378';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "audit_log" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "occurredAt" datetime NOT NULL,
                "action" varchar(64) NOT NULL,
                "actor" varchar(16) NOT NULL,
                "subjectType" varchar(32),
                "subjectId" varchar(64),
                "requestId" varchar(128),
                "clientIp" varchar(64),
                "details" text
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_log_action" ON "audit_log" ("action", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_audit_log_action"
        `);
    await queryRunner.query(`
            DROP TABLE "audit_log"
        `);
  }
}
