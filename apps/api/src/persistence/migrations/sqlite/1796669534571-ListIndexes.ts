import { MigrationInterface, QueryRunner } from 'typeorm';

export class ListIndexes1796669534571 implements MigrationInterface {
  name = 'ListIndexes1796669534571';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_orders_status"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_position_side_status" ON "orders" ("accountId", "symbol", "side", "status")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_status_created" ON "orders" ("status", "createdAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_account_status_created" ON "orders" ("accountId", "status", "createdAt")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_account_created" ON "orders" ("accountId", "createdAt", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_created" ON "orders" ("createdAt", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trades_account_timestamp" ON "trades" ("accountId", "timestamp", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trades_timestamp" ON "trades" ("timestamp", "id")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_trades_order" ON "trades" ("orderId")
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_conditions_market_status" ON "conditions" ("accountId", "symbol", "status", "createdAt")
        `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP INDEX "ix_conditions_market_status"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_trades_order"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_trades_timestamp"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_trades_account_timestamp"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_created"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_account_created"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_account_status_created"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_status_created"
        `);
    await queryRunner.query(`
            DROP INDEX "ix_orders_position_side_status"
        `);
    await queryRunner.query(`
            CREATE INDEX "ix_orders_status" ON "orders" ("status")
        `);
  }
}
