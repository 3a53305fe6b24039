import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';

export interface ShutdownTask {
  name: string;
  run(): Promise<void>;
}

export const SHUTDOWN_TASKS = Symbol('MarketDataShutdownTasks');

/**
 * Runs in onApplicationShutdown, i.e. after the supervisor closed every connection in
 * beforeApplicationShutdown: an embedded exchange stops only once nothing talks to it.
 */
@Injectable()
export class ShutdownTasks implements OnApplicationShutdown {
  private readonly logger = new Logger(ShutdownTasks.name);

  constructor(@Inject(SHUTDOWN_TASKS) private readonly tasks: ShutdownTask[]) {}

  async onApplicationShutdown(): Promise<void> {
    for (const task of this.tasks) {
      try {
        await task.run();
      } catch (error) {
        this.logger.error(`shutdown task ${task.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
