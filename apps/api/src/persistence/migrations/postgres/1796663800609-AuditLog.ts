import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1796663800609 implements MigrationInterface {
  name = 'AuditLog1796663800609';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "audit_log" (
                "id" SERIAL NOT NULL,
                "occurredAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "action" character varying(64) NOT NULL,
                "actor" character varying(16) NOT NULL,
                "subjectType" character varying(32),
                "subjectId" character varying(64),
                "requestId" character varying(128),
                "clientIp" character varying(64),
                "details" text,
                CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_audit_log_action" ON "audit_log" ("action", "id")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_audit_log_action"
        `);
    await queryRunner.query(`
            DROP TABLE "audit_log"
        `);
  }
}
