import { Module } from '@nestjs/common';
import { ConnectionStatusService } from './connection-status.service.js';
import { StatusPageController } from './status-page.controller.js';

/** STATUS_INTERVAL_MS and SECRET_REDACTOR come from AppModule (global providers). */
@Module({
  controllers: [StatusPageController],
  providers: [ConnectionStatusService],
  exports: [ConnectionStatusService],
})
export class StatusModule {}
