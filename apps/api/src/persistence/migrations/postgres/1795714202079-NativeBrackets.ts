import { MigrationInterface, QueryRunner } from 'typeorm';

export class NativeBrackets1795714202079 implements MigrationInterface {
  name = 'NativeBrackets1795714202079';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "orders"
            ADD "stopPrice" numeric(36, 18)
        `);
    await queryRunner.query(`
            ALTER TABLE "orders"
            ADD "legType" character varying(16)
        `);
    await queryRunner.query(`
            ALTER TABLE "orders"
            ADD "listClientOrderId" character varying(40)
        `);
    await queryRunner.query(`
            ALTER TABLE "orders"
            ADD "exchangeListId" character varying(64)
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions"
            ADD "placement" character varying(8) NOT NULL DEFAULT 'emulated'
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions"
            ADD "stopOrderId" character varying(36)
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions"
            ADD "takeProfitOrderId" character varying(36)
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_list_client_order_id" ON "orders" ("listClientOrderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_take_profit_order" ON "conditions" ("takeProfitOrderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_stop_order" ON "conditions" ("stopOrderId")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "public"."ix_conditions_stop_order"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_conditions_take_profit_order"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."ix_orders_list_client_order_id"
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions" DROP COLUMN "takeProfitOrderId"
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions" DROP COLUMN "stopOrderId"
        `);
    await queryRunner.query(`
            ALTER TABLE "conditions" DROP COLUMN "placement"
        `);
    await queryRunner.query(`
            ALTER TABLE "orders" DROP COLUMN "exchangeListId"
        `);
    await queryRunner.query(`
            ALTER TABLE "orders" DROP COLUMN "listClientOrderId"
        `);
    await queryRunner.query(`
            ALTER TABLE "orders" DROP COLUMN "legType"
        `);
    await queryRunner.query(`
            ALTER TABLE "orders" DROP COLUMN "stopPrice"
        `);
  }
}
