import { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1796666334234 implements MigrationInterface {
  name = 'Notifications1796666334234';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "notifications" (
                "id" SERIAL NOT NULL,
                "type" character varying(40) NOT NULL,
                "severity" character varying(10) NOT NULL,
                "subject" character varying(200) NOT NULL,
                "title" character varying(300) NOT NULL,
                "body" text NOT NULL,
                "data" text NOT NULL,
                "webMode" character varying(8) NOT NULL,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "readAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_notifications_unread" ON "notifications" ("readAt", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_notifications_subject" ON "notifications" ("type", "subject", "createdAt")
        `);
    await queryRunner.query(`
            CREATE TABLE "notification_deliveries" (
                "id" character varying(36) NOT NULL,
                "notificationId" integer NOT NULL,
                "channel" character varying(10) NOT NULL,
                "uniqueKey" character varying(400) NOT NULL,
                "recipient" character varying(300) NOT NULL,
                "target" text NOT NULL,
                "silent" boolean NOT NULL DEFAULT false,
                "status" character varying(10) NOT NULL,
                "attempts" integer NOT NULL DEFAULT '0',
                "lastError" text,
                "nextAttemptAt" TIMESTAMP WITH TIME ZONE,
                "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                "sentAt" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "PK_81daeff81f237bd384f7cfc4a4c" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_notification_deliveries_status" ON "notification_deliveries" ("status", "createdAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_notification_deliveries_notification" ON "notification_deliveries" ("notificationId")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "ux_notification_deliveries_key" ON "notification_deliveries" ("uniqueKey")
        `);
    await queryRunner.query(`
            CREATE TABLE "notification_facts" (
                "factKey" character varying(200) NOT NULL,
                "notificationId" integer,
                "recordedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_bbd4576ec127cc0c2c941990252" PRIMARY KEY ("factKey")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "notification_rules" (
                "type" character varying(40) NOT NULL,
                "channels" text NOT NULL,
                "threshold" integer NOT NULL,
                "cooldownSeconds" integer NOT NULL,
                "recipients" text NOT NULL,
                "webhookUrl" text,
                "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_56da05a87c89a832cd74af64e40" PRIMARY KEY ("type")
            )
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "notification_rules"
        `);
    await queryRunner.query(`
            DROP TABLE "notification_facts"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ux_notification_deliveries_key"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_notification_deliveries_notification"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_notification_deliveries_status"
        `);
    await queryRunner.query(`
            DROP TABLE "notification_deliveries"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_notifications_subject"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_notifications_unread"
        `);
    await queryRunner.query(`
            DROP TABLE "notifications"
        `);
  }
}
