import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller.js';

/** GET /api/audit. AuditTrail itself is provided by the PlatformModule, so every context can append. */
@Module({ controllers: [AuditController] })
export class AuditModule {}
