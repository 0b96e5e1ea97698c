import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './redis/redis.module';
import { DockerModule } from './docker/docker.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.service';

/** The adapters to outside systems and the metrics registry, shared by both process roles. */
@Module({ imports: [ConfigModule, LoggingModule, DatabaseModule, RedisModule, DockerModule, MetricsModule] })
export class InfrastructureModule {}
