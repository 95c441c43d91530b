import { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1796666329893 implements MigrationInterface {
  name = 'Notifications1796666329893';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "notifications" (
                "id" integer PRIMARY KEY AUTOINCREMENT NOT NULL,
                "type" varchar(40) NOT NULL,
                "severity" varchar(10) NOT NULL,
                "subject" varchar(200) NOT NULL,
                "title" varchar(300) NOT NULL,
                "body" text NOT NULL,
                "data" text NOT NULL,
                "webMode" varchar(8) NOT NULL,
                "createdAt" datetime NOT NULL,
                "readAt" datetime
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
                "id" varchar(36) PRIMARY KEY NOT NULL,
                "notificationId" integer NOT NULL,
                "channel" varchar(10) NOT NULL,
                "uniqueKey" varchar(400) NOT NULL,
                "recipient" varchar(300) NOT NULL,
                "target" text NOT NULL,
                "silent" boolean NOT NULL DEFAULT (0),
                "status" varchar(10) NOT NULL,
                "attempts" integer NOT NULL DEFAULT (0),
                "lastError" text,
                "nextAttemptAt" datetime,
                "createdAt" datetime NOT NULL,
                "updatedAt" datetime NOT NULL,
                "sentAt" datetime
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
                "factKey" varchar(200) PRIMARY KEY NOT NULL,
                "notificationId" integer,
                "recordedAt" datetime NOT NULL
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "notification_rules" (
                "type" varchar(40) PRIMARY KEY NOT NULL,
                "channels" text NOT NULL,
                "threshold" integer NOT NULL,
                "cooldownSeconds" integer NOT NULL,
                "recipients" text NOT NULL,
                "webhookUrl" text,
                "updatedAt" datetime NOT NULL
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
            DROP INDEX "ux_notification_deliveries_key"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_notification_deliveries_notification"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_notification_deliveries_status"
        `);
    await queryRunner.query(`
            DROP TABLE "notification_deliveries"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_notifications_subject"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_notifications_unread"
        `);
    await queryRunner.query(`
            DROP TABLE "notifications"
        `);
  }
}
