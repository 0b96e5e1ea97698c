import { Module } from '@nestjs/common';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { RedisModule } from './redis/redis.module';
import { DockerModule } from './docker/docker.module';

/** The adapters to outside systems, shared by both process roles. */
@Module({ imports: [ConfigModule, DatabaseModule, RedisModule, DockerModule] })
export class InfrastructureModule {}
